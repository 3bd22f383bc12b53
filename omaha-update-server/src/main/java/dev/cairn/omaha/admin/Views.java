package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.ControlChars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The human-readable forms of the API's JSON: pure functions of it. */
public final class Views {
  private Views() {}

  /**
   * A text field as the operator may see it, with its control characters escaped
   * ({@link ControlChars#escape}); null when absent, null or empty. Every string of the server's
   * that the CLI prints comes through here or {@link #shown}.
   */
  static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() || v.asText().isEmpty() ? null : ControlChars.escape(v.asText());
  }

  /** A value as the operator may see it, with its control characters escaped. */
  static String shown(JsonNode v) {
    return ControlChars.escape(v.asText());
  }

  /**
   * The server's JSON as the CLI prints it ({@code --json}, {@code --format json}): the same JSON,
   * with any control character a server left raw written as a JSON escape inside strings
   * (where it means the same), and as a space or an escape outside them. A server that escapes
   * them itself, as Cairn's does, gets its JSON through unchanged.
   */
  static String json(String body) {
    StringBuilder b = new StringBuilder(body.length());
    boolean inString = false;
    boolean escaped = false;
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (ControlChars.isControl(c) && (inString || c != '\n')) {
        b.append(!inString && (c == '\t' || c == '\r') ? " " : String.format("\\u%04X", (int) c));
        escaped = false;
        continue;
      }
      b.append(c);
      if (escaped) {
        escaped = false;
      } else if (inString && c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = !inString;
      }
    }
    return b.toString();
  }

  static String or(String v, String otherwise) {
    return v == null ? otherwise : v;
  }

  /**
   * The rollout of one group (GET /api/v1/groups/NAME/rollout), as three or four lines:
   * <pre>
   * group alpha (channel alpha) -&gt; 2.0.0, updates enabled
   * machines 5: 1.0.0 x3, 2.0.0 x2
   * granted 2  downloading 0  downloaded 0  installed 0  complete 0  failed 0  timed out 0  on hold 3  waiting 3
   * reboots: 1 of 2 slots taken: m1 (since 2026-11-18T13:36:48Z)
   * </pre>
   * The reboots line only from a server with the reboot lock.
   */
  public static String rollout(JsonNode r) {
    StringBuilder b = new StringBuilder();
    b.append("group ").append(text(r, "group")).append(" (channel ").append(or(text(r, "channel"), "-")).append(") -> ")
        .append(or(text(r, "target_version"), "no version")).append(", ");
    JsonNode policy = r.path("policy");
    if (r.path("paused").asBoolean(false)) {
      b.append("paused");
      if (text(r, "paused_at") != null) {
        b.append(" since ").append(text(r, "paused_at"));
      }
      b.append(text(r, "paused_reason") != null ? ": " + text(r, "paused_reason") : "");
    } else if (!policy.path("updates_enabled").asBoolean(true)) {
      b.append("updates disabled");
    } else {
      b.append("updates enabled");
    }
    b.append('\n');
    List<String> versions = new ArrayList<>();
    for (JsonNode v : r.path("versions")) {
      versions.add(or(text(v, "version"), "unknown") + " x" + v.path("machines").asLong());
    }
    b.append("machines ").append(r.path("machines").asLong())
        .append(versions.isEmpty() ? "" : ": " + String.join(", ", versions)).append('\n');
    JsonNode s = r.path("states");
    List<String> counts = new ArrayList<>();
    for (Map.Entry<String, String> e : STATES.entrySet()) {
      counts.add(e.getValue() + " " + s.path(e.getKey()).asLong());
    }
    counts.add("waiting " + r.path("waiting").asLong());
    b.append(String.join("  ", counts)).append('\n');
    JsonNode reboots = r.path("reboots");
    if (reboots.isObject()) {
      List<String> holders = new ArrayList<>();
      reboots.path("holders").forEach(h -> holders.add(text(h, "id") + " (since " + text(h, "since") + ")"));
      b.append("reboots: ").append(holders.size()).append(" of ").append(reboots.path("max").asLong())
          .append(" slots taken").append(holders.isEmpty() ? "" : ": " + String.join(", ", holders)).append('\n');
    }
    return b.toString();
  }

  /** The rollout's state counts in the order of an update's life, with the words the operator reads. */
  private static final Map<String, String> STATES = orderedStates();

  private static Map<String, String> orderedStates() {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    m.put("granted", "granted");
    m.put("downloading", "downloading");
    m.put("downloaded", "downloaded");
    m.put("installed", "installed");
    m.put("complete", "complete");
    m.put("error", "failed");
    m.put("timed_out", "timed out");
    m.put("on_hold", "on hold");
    return m;
  }

  /** One line about a group: {@code group stable (channel stable -> 3602.2.0): updates enabled, at most 20 per 1h, ...}. */
  public static String group(JsonNode g) {
    JsonNode p = g.path("policy");
    StringBuilder b = new StringBuilder("group ").append(text(g, "name")).append(" (channel ")
        .append(or(text(g, "channel"), "-")).append(" -> ").append(or(text(g, "channel_version"), "no version")).append("): ");
    b.append(status(g)).append(", ").append(policy(p));
    return b.toString();
  }

  static String status(JsonNode g) {
    if (g.path("paused").asBoolean(false)) {
      return "paused" + (text(g, "paused_reason") != null ? " (" + text(g, "paused_reason") + ")" : "");
    }
    return g.path("policy").path("updates_enabled").asBoolean(true) ? "updates enabled" : "updates disabled";
  }

  /** The policy in words, for the group line and table. */
  static String policy(JsonNode p) {
    List<String> parts = new ArrayList<>();
    long max = p.path("max_updates_per_period").asLong(0);
    parts.add(max == 0 ? "no rate limit" : "at most " + max + " per " + Durations.format(p.path("period_seconds").asLong()));
    parts.add("rollout " + p.path("rollout_percent").asInt(100) + "%");
    parts.add("timeout " + Durations.format(p.path("update_timeout_seconds").asLong()));
    long brake = p.path("failure_brake").asLong(0);
    long brakePercent = p.path("failure_percent").asLong(0);
    parts.add(brake == 0 ? "no failure brake" : "halt after " + brake + " failures"
        + (brakePercent == 0 ? "" : " and " + brakePercent + "% of grants"));
    if (text(p, "pinned_version") != null) {
      parts.add("pinned to " + text(p, "pinned_version"));
    }
    if (p.path("allow_downgrade").asBoolean(false)) {
      parts.add("downgrades allowed");
    }
    String hours = officeHours(p.get("office_hours"));
    if (hours != null) {
      parts.add("office hours " + hours);
    }
    long reboots = p.path("max_reboots").asLong(1);
    if (reboots != 1) {    // the default, one machine rebooting at a time, goes unsaid
      parts.add(reboots == 0 ? "no reboots" : reboots + " reboots at a time");
    }
    return String.join(", ", parts);
  }

  /** {@code MON,TUE 09:00-17:00 Europe/Berlin}, or null when there are none. */
  static String officeHours(JsonNode h) {
    if (h == null || h.isNull() || h.isMissingNode()) {
      return null;
    }
    List<String> days = new ArrayList<>();
    h.path("days").forEach(d -> days.add(shown(d)));
    return String.join(",", days) + " " + text(h, "start") + "-" + text(h, "end") + " " + text(h, "zone");
  }

  /** One machine (GET /api/v1/instances/ID): a summary, its state history and its last {@code events} events. */
  public static String instance(JsonNode i, int events) {
    StringBuilder b = new StringBuilder();
    b.append("machine ").append(text(i, "machine_id"));
    if (text(i, "alias") != null) {
      b.append(" (").append(text(i, "alias")).append(')');
    }
    b.append('\n');
    b.append("  group    ").append(or(text(i, "group"), "-")).append('\n');
    b.append("  version  ").append(or(text(i, "version"), "-")).append('\n');
    b.append("  status   ").append(or(text(i, "status"), "-"));
    if (text(i, "last_hold") != null) {
      b.append(" (last hold: ").append(text(i, "last_hold")).append(')');
    }
    b.append('\n');
    if (text(i, "granted_version") != null) {
      b.append("  granted  ").append(text(i, "granted_version")).append(" at ").append(or(text(i, "granted_at"), "-")).append('\n');
    }
    b.append("  checked  ").append(or(text(i, "last_check"), "never")).append(" from ").append(or(text(i, "ip"), "-")).append('\n');
    b.append("  oem      ").append(or(text(i, "oem"), "-")).append(", boot id ").append(or(text(i, "boot_id"), "-")).append('\n');
    List<String> truncated = new ArrayList<>();
    i.path("truncated").forEach(t -> truncated.add(t.asText()));
    if (!truncated.isEmpty()) {
      b.append("  cut      ").append(String.join(", ", truncated))
          .append(" (longer than the server keeps; stored cut short)").append('\n');
    }
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode h : i.path("history")) {
      rows.add(List.of(or(text(h, "at"), "-"), or(text(h, "from"), "-") + " -> " + or(text(h, "to"), "-"),
          or(text(h, "version"), "-"), or(text(h, "detail"), "")));
    }
    b.append("\nhistory\n").append(rows.isEmpty() ? "  (none)\n" : indent(Table.format(List.of("AT", "STATE", "VERSION", "DETAIL"), rows)));
    rows = new ArrayList<>();
    List<JsonNode> all = new ArrayList<>();
    i.path("events").forEach(all::add);
    for (JsonNode e : all.subList(Math.max(0, all.size() - events), all.size())) {
      int type = e.path("type").asInt();
      int result = e.path("result").asInt();
      String error = e.path("error_code").asLong() == 0 ? "" : shown(e.path("error_code"))
          + (e.path("error_flags").asLong() == 0 ? "" : " flags " + shown(e.path("error_flags")));
      rows.add(List.of(or(text(e, "at"), "-"), type + "/" + result + " " + eventName(type, result),
          or(text(e, "version"), "-"), error));
    }
    b.append("\nlast events\n").append(rows.isEmpty() ? "  (none)\n" : indent(Table.format(List.of("AT", "EVENT", "VERSION", "ERROR"), rows)));
    return b.toString();
  }

  /**
   * What the machine was last served: {@code ipxe: profile coreos-install}, or the endpoint or
   * the outcome alone when only one is known; null when neither is.
   */
  static String served(JsonNode m) {
    String endpoint = text(m, "last_endpoint");
    String outcome = text(m, "last_outcome");
    if (endpoint == null || outcome == null) {
      return endpoint != null ? endpoint : outcome;
    }
    return endpoint + ": " + outcome;
  }

  /**
   * One machine of the inventory (GET /api/v1/machines/KEY): its fields, then its labels one per
   * line, keys aligned, in key order:
   * <pre>
   * machine 52:54:00:ab:cd:0f
   *   group        workers
   *   profile      coreos-install
   *   address      10.0.0.17
   *   first seen   2026-11-18T13:36:48Z
   *   last seen    2026-11-18T13:37:18Z (2 requests)
   *   last served  cloud-config: served coreos-install
   *   installed    -
   *
   * labels
   *   arch      x86_64
   *   hostname  node17
   * </pre>
   */
  public static String machine(JsonNode m) {
    StringBuilder b = new StringBuilder();
    b.append("machine ").append(or(text(m, "key"), "-")).append('\n');
    b.append("  group        ").append(or(text(m, "group"), "- (none matched)")).append('\n');
    b.append("  profile      ").append(or(text(m, "profile"), "-")).append('\n');
    b.append("  address      ").append(or(text(m, "address"), "-")).append('\n');
    b.append("  first seen   ").append(or(text(m, "first_seen"), "-")).append('\n');
    long requests = m.path("requests").asLong();
    b.append("  last seen    ").append(or(text(m, "last_seen"), "-"))
        .append(" (").append(requests).append(requests == 1 ? " request)" : " requests)").append('\n');
    b.append("  last served  ").append(or(served(m), "-")).append('\n');
    String installed = text(m, "installed_at");
    b.append("  installed    ").append(installed == null ? "-" : installed + " (profile "
        + or(text(m, "installed_profile"), "-") + "; its network boots go to its disk)").append('\n');
    List<String> truncated = new ArrayList<>();
    m.path("truncated").forEach(t -> truncated.add(shown(t)));
    if (!truncated.isEmpty()) {
      b.append("  cut          ").append(String.join(", ", truncated))
          .append(" (longer or more than the server keeps; stored cut short)").append('\n');
    }
    List<String[]> labels = new ArrayList<>();
    m.path("labels").fields().forEachRemaining(e -> labels.add(new String[] {ControlChars.escape(e.getKey()),
        shown(e.getValue())}));
    labels.sort((x, y) -> x[0].compareTo(y[0]));
    int width = labels.stream().mapToInt(l -> l[0].length()).max().orElse(0);
    b.append("\nlabels\n");
    if (labels.isEmpty()) {
      b.append("  (none)\n");
    }
    for (String[] l : labels) {
      b.append("  ").append(l[0]).append(" ".repeat(width - l[0].length() + 2)).append(l[1]).append('\n');
    }
    return b.toString();
  }

  /** What update_engine means by an event type and result. */
  static String eventName(int type, int result) {
    String what = switch (type) {
      case 3 -> "update complete";
      case 13 -> "download started";
      case 14 -> "download finished";
      case 800 -> "rebooted into update";
      default -> "event";
    };
    String how = switch (result) {
      case 0 -> "error";
      case 1 -> "ok";
      case 2 -> "ok, reboot pending";
      default -> "result " + result;
    };
    return what + " (" + how + ")";
  }

  private static String indent(String s) {
    StringBuilder b = new StringBuilder();
    s.lines().forEach(l -> b.append("  ").append(l).append('\n'));
    return b.toString();
  }

  /** A progress bar: {@code [#########           ]  45%  137.0 of 304.2 MiB}. */
  public static String progress(long done, long total, int width) {
    double f = total <= 0 ? 1 : Math.min(1.0, (double) done / total);
    int filled = (int) Math.round(f * width);
    return String.format(java.util.Locale.ROOT, "[%s%s] %3d%%  %.1f of %.1f MiB", "#".repeat(filled),
        " ".repeat(width - filled), (int) Math.floor(f * 100), done / 1048576.0, total / 1048576.0);
  }
}
