package dev.cairn.omaha;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * One network-boot request of a machine to the boot server ({@code /ipxe}, {@code /grub},
 * {@code /cloud-config}, {@code /metadata}, {@code /assets/...}), as the machine inventory records
 * it: which machine, when, the labels it sent, from where, the group and profile it matched (null
 * when none), and what was served: the {@code endpoint} ({@code ipxe}, {@code cloud-config}) and
 * its {@code outcome} ({@code profile coreos-install}, {@code 404 no group}).
 *
 * <p>{@code machineKey} names the machine across requests, and is the inventory's primary key:
 * <ul>
 *   <li>its MAC address when it sent one, lowercase and colon-separated ({@code 52:54:00:12:34:56});
 *   <li>else {@code uuid:} and its SMBIOS UUID, lowercase ({@code uuid:4c4c4544-0051-...}); the
 *       all-zero and all-F UUIDs that firmware leaves unset are no UUID;
 *   <li>else {@code addr:} and the address the request came from ({@code addr:10.0.0.17}).
 * </ul>
 * {@link #machineKey(String, String, String)} derives it so; {@link #of} derives it from the
 * {@code mac} and {@code uuid} labels. Everything but the key and the time is kept as sent, so it
 * may be anything a machine chose; {@link #kept()} is what the inventory stores of it.
 */
public record MachineSighting(String machineKey, Instant at, Map<String, String> labels, String address,
    String group, String profile, String endpoint, String outcome) {

  /** The most labels a machine's record keeps; the well-known ones ({@link #WELL_KNOWN}) come first. */
  public static final int MAX_LABELS = 32;

  /** The labels kept before any other when a machine sends more than {@link #MAX_LABELS}. */
  public static final List<String> WELL_KNOWN = List.of("mac", "uuid", "hostname", "serial", "arch");

  private static final Pattern MAC = Pattern.compile(
      "(?:[0-9a-fA-F]{2}[:-]){5,19}[0-9a-fA-F]{2}|[0-9a-fA-F]{4}\\.[0-9a-fA-F]{4}\\.[0-9a-fA-F]{4}|[0-9a-fA-F]{12}");
  private static final Pattern UUID = Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  /**
   * @throws IllegalArgumentException when the key is blank or longer than {@link Store#MAX_TEXT}
   *     (cutting it could make it another machine's)
   * @throws NullPointerException when the key or the time is null
   */
  public MachineSighting {
    Objects.requireNonNull(machineKey, "machineKey");
    Objects.requireNonNull(at, "at");
    if (machineKey.isBlank() || machineKey.length() > Store.MAX_TEXT) {
      throw new IllegalArgumentException("machine key must be 1-" + Store.MAX_TEXT + " characters, got "
          + machineKey.length());
    }
    Map<String, String> copy = new TreeMap<>();
    if (labels != null) {
      labels.forEach((k, v) -> {
        if (k != null && v != null) {
          copy.put(k, v);
        }
      });
    }
    labels = Collections.unmodifiableMap(copy);
  }

  /**
   * A sighting whose key is derived from the {@code mac} and {@code uuid} labels and the address,
   * as {@link #machineKey(String, String, String)} says.
   */
  public static MachineSighting of(Instant at, Map<String, String> labels, String address, String group,
      String profile, String endpoint, String outcome) {
    Map<String, String> l = labels == null ? Map.of() : labels;
    return new MachineSighting(machineKey(l.get("mac"), l.get("uuid"), address), at, labels, address, group, profile,
        endpoint, outcome);
  }

  /**
   * The key of the machine that sent {@code mac}, {@code uuid} and came from {@code address}:
   * the MAC normalised when it is one, else {@code uuid:UUID} when the UUID is one (and not the
   * all-zero or all-F one), else {@code addr:ADDRESS}. A MAC is 6 to 20 octets (20: InfiniBand)
   * written as pairs of hex digits separated by colons or hyphens ({@code 52-54-00-12-34-56}), or
   * 6 octets as three groups of four hex digits separated by dots ({@code 5254.0012.3456}) or as
   * twelve hex digits ({@code 525400123456}).
   *
   * @throws IllegalArgumentException when neither is usable and the address is blank or longer
   *     than {@link Store#MAX_TEXT}
   */
  public static String machineKey(String mac, String uuid, String address) {
    String m = normalMac(mac);
    if (m != null) {
      return m;
    }
    String u = normalUuid(uuid);
    if (u != null) {
      return "uuid:" + u;
    }
    if (address == null || address.isBlank() || address.length() > Store.MAX_TEXT - 5) {
      throw new IllegalArgumentException("a machine needs a MAC, a UUID or an address to be recorded; got mac '"
          + ControlChars.escape(cut(String.valueOf(mac))) + "', uuid '" + ControlChars.escape(cut(String.valueOf(uuid)))
          + "', address '" + ControlChars.escape(cut(String.valueOf(address))) + "'");
    }
    return "addr:" + address;
  }

  /**
   * {@code key} as the inventory keeps it, for looking a machine up by what an operator types: a
   * MAC in any of the forms {@link #machineKey} takes becomes its normal form, {@code uuid:} with
   * a UUID in any case becomes lowercase, anything else is left as it is.
   */
  public static String normalKey(String key) {
    if (key == null) {
      return null;
    }
    String m = normalMac(key);
    if (m != null) {
      return m;
    }
    if (key.regionMatches(true, 0, "uuid:", 0, 5) && UUID.matcher(key.substring(5)).matches()) {
      return "uuid:" + key.substring(5).toLowerCase(Locale.ROOT);
    }
    return key;
  }

  /** {@code mac} lowercase and colon-separated, or null when it is no MAC. */
  static String normalMac(String mac) {
    if (mac == null || mac.length() > 64 || !MAC.matcher(mac).matches()) {
      return null;
    }
    String hex = mac.replaceAll("[:.-]", "").toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder(hex.length() * 3 / 2);
    for (int i = 0; i < hex.length(); i += 2) {
      b.append(i == 0 ? "" : ":").append(hex, i, i + 2);
    }
    return b.toString();
  }

  /** {@code uuid} lowercase, or null when it is no UUID or one firmware leaves unset. */
  static String normalUuid(String uuid) {
    if (uuid == null || !UUID.matcher(uuid).matches()) {
      return null;
    }
    String u = uuid.toLowerCase(Locale.ROOT);
    String digits = u.replace("-", "");
    return digits.chars().allMatch(c -> c == '0') || digits.chars().allMatch(c -> c == 'f') ? null : u;
  }

  /**
   * What the inventory stores of this sighting, and what was cut to store it. {@code truncated}
   * names, in this order, {@code address}, {@code group}, {@code profile}, {@code endpoint},
   * {@code outcome} when longer than {@link Store#MAX_TEXT} and cut to it; {@code label KEY}
   * (the key as kept) for each label whose key or value was; and {@code labels} when the machine
   * sent more than {@link #MAX_LABELS} and only that many were kept.
   */
  public record Kept(MachineSighting sighting, List<String> truncated) {
    public Kept {
      truncated = List.copyOf(truncated);
    }
  }

  /**
   * This sighting as the inventory stores it: every text cut to {@link Store#MAX_TEXT}
   * characters (never inside a surrogate pair), and at most {@link #MAX_LABELS} labels: the
   * {@link #WELL_KNOWN} ones first, then the others in the order of their keys.
   */
  public Kept kept() {
    List<String> truncated = new ArrayList<>();
    String a = cut(address, "address", truncated);
    String g = cut(group, "group", truncated);
    String p = cut(profile, "profile", truncated);
    String e = cut(endpoint, "endpoint", truncated);
    String o = cut(outcome, "outcome", truncated);
    Map<String, String> kept = new TreeMap<>();
    List<String> cutLabels = new ArrayList<>();
    for (Map.Entry<String, String> l : labelOrder(labels)) {
      if (kept.size() == MAX_LABELS) {
        break;
      }
      String k = cut(l.getKey());
      String v = cut(l.getValue());
      if (kept.containsKey(k)) {
        continue;     // two keys alike in their first MAX_TEXT characters: the first is kept
      }
      kept.put(k, v);
      if (!k.equals(l.getKey()) || !v.equals(l.getValue())) {
        cutLabels.add("label " + k);
      }
    }
    truncated.addAll(cutLabels);
    if (kept.size() < labels.size()) {
      truncated.add("labels");
    }
    return new Kept(new MachineSighting(machineKey, at, kept, a, g, p, e, o), truncated);
  }

  /** A machine's labels and the names of what is stored cut, after {@link #merge}. */
  public record Merged(Map<String, String> labels, List<String> truncated) {
    public Merged {
      labels = Collections.unmodifiableMap(new TreeMap<>(labels));
      truncated = List.copyOf(truncated);
    }
  }

  /**
   * A machine's record with {@code kept} merged into it: every label either sent, the value of
   * the newer (the sighting when {@code newer}, else what is stored) where both have one; then,
   * up to {@link #MAX_LABELS}, the other's remaining labels in {@link #labelOrder}. What is cut
   * follows the values kept: the fields of the newer, {@code label KEY} for each kept label whose
   * value came cut, and {@code labels} once labels were ever left out.
   */
  public static Merged merge(Map<String, String> storedLabels, List<String> storedTruncated, Kept kept,
      boolean newer) {
    Map<String, String> first = newer ? kept.sighting().labels() : storedLabels;
    List<String> firstCut = newer ? kept.truncated() : storedTruncated;
    Map<String, String> second = newer ? storedLabels : kept.sighting().labels();
    List<String> secondCut = newer ? storedTruncated : kept.truncated();
    Map<String, String> labels = new TreeMap<>(first);
    List<String> truncated = new ArrayList<>();
    for (String field : List.of("address", "group", "profile", "endpoint", "outcome")) {
      if (firstCut.contains(field)) {
        truncated.add(field);
      }
    }
    Set<String> cutLabels = new TreeSet<>();
    first.keySet().stream().filter(k -> firstCut.contains("label " + k)).forEach(cutLabels::add);
    boolean left = firstCut.contains("labels") || secondCut.contains("labels");
    for (Map.Entry<String, String> l : labelOrder(second)) {
      if (labels.containsKey(l.getKey())) {
        continue;
      }
      if (labels.size() == MAX_LABELS) {
        left = true;
        break;
      }
      labels.put(l.getKey(), l.getValue());
      if (secondCut.contains("label " + l.getKey())) {
        cutLabels.add(l.getKey());
      }
    }
    cutLabels.forEach(k -> truncated.add("label " + k));
    if (left) {
      truncated.add("labels");
    }
    return new Merged(labels, truncated);
  }

  /** The labels in the order they are kept: the well-known ones, then the others by key. */
  static List<Map.Entry<String, String>> labelOrder(Map<String, String> labels) {
    Map<String, String> ordered = new LinkedHashMap<>();
    for (String k : WELL_KNOWN) {
      if (labels.containsKey(k)) {
        ordered.put(k, labels.get(k));
      }
    }
    new TreeMap<>(labels).forEach(ordered::putIfAbsent);
    return new ArrayList<>(ordered.entrySet());
  }

  private static String cut(String v, String name, List<String> truncated) {
    if (v != null && v.length() > Store.MAX_TEXT) {
      truncated.add(name);
      return cut(v);
    }
    return v;
  }

  /** {@code v} cut to {@link Store#MAX_TEXT} characters, never inside a surrogate pair. */
  static String cut(String v) {
    if (v.length() <= Store.MAX_TEXT) {
      return v;
    }
    int end = Character.isHighSurrogate(v.charAt(Store.MAX_TEXT - 1)) ? Store.MAX_TEXT - 1 : Store.MAX_TEXT;
    return v.substring(0, end);
  }
}
