package dev.cairn.pxe;

import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Machines that boot alike: those whose labels match {@code selector}, booted with {@code profile}
 * (null: the group has no profile, and the machines are not booted from here), with
 * {@code metadata} for the templates (nested keys flattened with dots: {@code rack.row}) and,
 * optionally, the update group and server their cloud-config puts them in.
 */
public record Group(String id, String name, String profile, Selector selector, SortedMap<String, String> metadata,
    Update update, Source source) {
  public Group {
    metadata = Collections.unmodifiableSortedMap(new TreeMap<>(metadata));
  }

  /** {@code coreos.update.group} and {@code server} for this group's machines; either may be null. */
  public record Update(String group, String server) {}
}
