package dev.cairn.install.agent;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The update configuration as CoreOS keeps it: {@code KEY=value} lines in
 * {@code /usr/share/coreos/update.conf} (the image's defaults) and {@code /etc/coreos/update.conf}
 * (the machine's own), the latter winning key by key. Blank lines and {@code #} comments are
 * skipped, a value may be wrapped in double or single quotes, and keys Cairn does not read are
 * kept. Each value remembers the file and line it came from, so a bad value is reported there.
 */
public record UpdateConf(Map<String, Entry> entries) {
  /** The group (Omaha track) when none is configured, as update_engine defaults it. */
  public static final String DEFAULT_GROUP = "stable";

  public static final UpdateConf EMPTY = new UpdateConf(Map.of());

  private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  /** One value and where it was read. */
  public record Entry(String value, String source, int line) {
    public String where() {
      return source + ":" + line;
    }
  }

  /** What to do once an update is written (locksmithd's REBOOT_STRATEGY). */
  public enum RebootStrategy {
    REBOOT("reboot"), ETCD_LOCK("etcd-lock"), BEST_EFFORT("best-effort"), OFF("off");

    private final String text;

    RebootStrategy(String text) {
      this.text = text;
    }

    public String text() {
      return text;
    }

    static Optional<RebootStrategy> parse(String text) {
      for (RebootStrategy s : values()) {
        if (s.text.equals(text.toLowerCase(Locale.ROOT))) {
          return Optional.of(s);
        }
      }
      return Optional.empty();
    }
  }

  public UpdateConf {
    entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /**
   * Parses one file's text. {@code source} names the file in errors.
   *
   * @throws IllegalArgumentException naming {@code source:line} for a line that is not
   *     {@code KEY=value} or whose quote is not closed
   */
  public static UpdateConf parse(String source, String text) {
    return new UpdateConf(parseLines(source, text));
  }

  /**
   * {@code KEY=value} lines as update.conf, os-release and CoreOS's release file write them: the
   * key is a shell name, the value is taken after the first {@code =} with surrounding blanks
   * dropped and one pair of matching quotes removed (inside double quotes, a backslash escapes
   * {@code " \ $ `}). A later line for the same key wins, as a shell sourcing the file would.
   */
  public static Map<String, Entry> parseLines(String source, String text) {
    Map<String, Entry> out = new LinkedHashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      int number = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq).strip();
      if (eq < 0 || !KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(source + ":" + number
            + ": expected KEY=value (a KEY of letters, digits and _), got '" + lines[i] + "'");
      }
      String value = unquote(source + ":" + number, line.substring(eq + 1).strip());
      out.put(key, new Entry(value, source, number));
    }
    return out;
  }

  private static String unquote(String where, String raw) {
    if (raw.isEmpty()) {
      return raw;
    }
    char q = raw.charAt(0);
    if (q != '"' && q != '\'') {
      return raw;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == q) {
        if (i != raw.length() - 1) {
          throw new IllegalArgumentException(where + ": text after the closing quote in " + raw);
        }
        return sb.toString();
      }
      if (q == '"' && c == '\\' && i + 1 < raw.length() && "\"\\$`".indexOf(raw.charAt(i + 1)) >= 0) {
        c = raw.charAt(++i);
      }
      sb.append(c);
    }
    throw new IllegalArgumentException(where + ": quote " + q + " is not closed in " + raw);
  }

  /** {@code machine} over {@code image}: each key of the machine's file replaces the image's. */
  public static UpdateConf merge(UpdateConf machine, UpdateConf image) {
    Map<String, Entry> out = new LinkedHashMap<>(image.entries);
    out.putAll(machine.entries);
    return new UpdateConf(out);
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(entries.get(key)).map(Entry::value);
  }

  /** GROUP, else {@value #DEFAULT_GROUP}; an empty GROUP counts as none. */
  public String group() {
    return get("GROUP").filter(v -> !v.isEmpty()).orElse(DEFAULT_GROUP);
  }

  /** SERVER, the Omaha endpoint; empty when not configured. */
  public Optional<String> server() {
    return get("SERVER").filter(v -> !v.isEmpty());
  }

  /**
   * REBOOT_STRATEGY, else best-effort as CoreOS defaults it.
   *
   * @throws IllegalArgumentException naming the file and line of a value that is none of the four
   */
  public RebootStrategy rebootStrategy() {
    Entry e = entries.get("REBOOT_STRATEGY");
    if (e == null || e.value().isEmpty()) {
      return RebootStrategy.BEST_EFFORT;
    }
    return RebootStrategy.parse(e.value()).orElseThrow(() -> new IllegalArgumentException(
        e.where() + ": REBOOT_STRATEGY must be reboot, etcd-lock, best-effort or off, got '"
            + e.value() + "'"));
  }

  /**
   * The reboot window, as locksmithd reads it: {@code LOCKSMITHD_REBOOT_WINDOW_START} and
   * {@code LOCKSMITHD_REBOOT_WINDOW_LENGTH}, else the older {@code REBOOT_WINDOW_START} and
   * {@code REBOOT_WINDOW_LENGTH}; empty when neither is set (reboot at any time).
   *
   * @throws IllegalArgumentException naming the file and line when only one of the two is set, or
   *     either is not in locksmith's form
   */
  public Optional<RebootWindow> rebootWindow() {
    String prefix = entries.containsKey("LOCKSMITHD_REBOOT_WINDOW_START")
        || entries.containsKey("LOCKSMITHD_REBOOT_WINDOW_LENGTH") ? "LOCKSMITHD_" : "";
    Entry start = entries.get(prefix + "REBOOT_WINDOW_START");
    Entry length = entries.get(prefix + "REBOOT_WINDOW_LENGTH");
    if (start == null && length == null) {
      return Optional.empty();
    }
    if (start == null || length == null) {
      Entry given = start != null ? start : length;
      throw new IllegalArgumentException(given.where() + ": " + prefix + "REBOOT_WINDOW_START and " + prefix
          + "REBOOT_WINDOW_LENGTH go together; only " + prefix + (start != null ? "REBOOT_WINDOW_START" : "REBOOT_WINDOW_LENGTH")
          + " is set");
    }
    RebootWindow.parse(start.value(), "0", start.where());    // a bad start names its own line
    return Optional.of(RebootWindow.parse(start.value(), length.value(), length.where()));
  }

  /** LOCK_SERVER: a FleetLock server (such as {@code cairn serve}) to take reboot slots from. */
  public Optional<String> lockServer() {
    return get("LOCK_SERVER").filter(v -> !v.isEmpty());
  }

  /** LOCKSMITHD_ENDPOINT: etcd's client URLs, comma-separated, as locksmithd reads them. */
  public java.util.List<String> etcdEndpoints() {
    return get("LOCKSMITHD_ENDPOINT").map(v -> java.util.Arrays.stream(v.split(","))
        .map(String::strip).filter(x -> !x.isEmpty()).toList()).orElse(java.util.List.of());
  }

  /** LOCKSMITHD_GROUP: the reboot group (its own semaphore); empty means locksmith's one global semaphore. */
  public Optional<String> lockGroup() {
    return get("LOCKSMITHD_GROUP").filter(v -> !v.isEmpty());
  }

  /** Where a value was read ({@code file:line}), for messages about it; empty when not set. */
  public Optional<String> where(String key) {
    return Optional.ofNullable(entries.get(key)).map(Entry::where);
  }
}
