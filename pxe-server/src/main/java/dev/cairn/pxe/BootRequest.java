package dev.cairn.pxe;

import java.util.Map;

/**
 * One boot request as the machine inventory keeps it: the labels the machine sent, where it came
 * from, the group and profile it matched (empty when none), the endpoint and what it was served
 * ({@code "200 profile coreos-install"}, {@code "404 no group matches ..."}).
 */
public record BootRequest(Map<String, String> labels, String address, String group, String profile, String endpoint,
    String outcome) {
  public BootRequest {
    labels = Map.copyOf(labels);
  }
}
