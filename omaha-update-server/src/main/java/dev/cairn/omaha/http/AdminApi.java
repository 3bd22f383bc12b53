package dev.cairn.omaha.http;

import static dev.cairn.omaha.http.AdminJson.error;
import static dev.cairn.omaha.http.AdminJson.param;
import static dev.cairn.omaha.http.AdminJson.send;
import static dev.cairn.omaha.http.AdminJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Model.OfficeHours;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Model.Policy;
import dev.cairn.omaha.RebootSlots;
import dev.cairn.omaha.Refusal;
import dev.cairn.omaha.Rollout;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.db.SqlStore;
import io.undertow.server.HttpHandler;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The admin JSON API under {@code /api/v1/}: apps, channels, packages, groups with their
 * policies, instances with their history, the activity log, and the boot server's machine
 * inventory. Reached only after
 * {@link OmahaServer} checked the bearer token. Every endpoint is in docs/api.md.
 */
public final class AdminApi implements HttpHandler {
  private static final ObjectMapper JSON = AdminJson.JSON;
  /** The request header naming who makes an admin change. */
  public static final String ACTOR_HEADER = "X-Cairn-Actor";

  private final SqlStore store;
  private final java.util.function.Supplier<String> publicUrl;
  private final RebootSlots reboots;

  /** Keys, uploads and images; null without them (packages are then JSON records only). */
  private final PayloadApi payloads;

  /** {@code publicUrl} is asked when needed: with port 0 it is known only once the server listens. */
  public AdminApi(SqlStore store, java.util.function.Supplier<String> publicUrl) {
    this(store, publicUrl, null);
  }

  public AdminApi(SqlStore store, java.util.function.Supplier<String> publicUrl, PayloadApi payloads) {
    this.store = store;
    this.publicUrl = publicUrl;
    this.payloads = payloads;
    this.reboots = new RebootSlots(store, java.time.Clock.systemUTC());
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      ex.dispatch(this);
      return;
    }
    ex.startBlocking();
    String[] path = ex.getRelativePath().replaceFirst("^/api/v1/?", "").split("/");
    String resource = path.length > 0 ? path[0] : "";
    String name = path.length > 1 ? path[1] : null;
    String sub = path.length > 2 ? path[2] : null;
    String item = path.length > 3 ? path[3] : null;
    String app = param(ex, "app", Model.COREOS_APP_ID);
    boolean get = ex.getRequestMethod().equals(Methods.GET);
    if (payloads != null && PayloadApi.handles(resource)) {
      payloads.handle(ex, path, app);     // streams its own bodies (uploads bypass the JSON cap)
      return;
    }
    boolean post = ex.getRequestMethod().equals(Methods.POST);
    boolean put = ex.getRequestMethod().equals(Methods.PUT);
    boolean delete = ex.getRequestMethod().equals(Methods.DELETE);
    try {
      if ((path.length > 3 && !(path.length == 4 && resource.equals("groups") && "reboots".equals(sub)))
          || (sub != null && !resource.equals("channels") && !resource.equals("groups")
          && !resource.equals("machines"))) {
        notFound();
      }
      String actor = actor(ex);
      JsonNode body = get ? null : readBody(ex);
      Object result = switch (resource) {
        case "apps" -> name != null ? notFound() : get ? apps()
            : post ? createApp(body) : notAllowed();
        case "channels" -> channelsResource(app, name, sub, get, post, put, body, actor);
        case "packages" -> get ? packages(app) : post ? createPackage(app, body) : notAllowed();
        case "groups" -> item != null ? (delete ? releaseReboot(app, name, lastSegment(ex), actor) : notAllowed())
            : groupsResource(app, name, sub, get, post, put, body, actor);
        case "instances" -> get ? (name == null ? instances(app, ex) : instance(app, name)) : notAllowed();
        case "activity" -> name != null ? notFound() : get ? activity(ex) : notAllowed();
        case "machines" -> sub != null ? (!sub.equals("reinstall") ? notFound() : post ? reinstall(name, actor)
            : notAllowed()) : get ? (name == null ? machines(ex) : machine(name)) : notAllowed();
        default -> notFound();
      };
      send(ex, StatusCodes.OK, result);
    } catch (Status s) {
      send(ex, s.code, error(s.getMessage()));
    } catch (Refusal r) {
      send(ex, r.kind() == Refusal.Kind.NOT_FOUND ? StatusCodes.NOT_FOUND : StatusCodes.CONFLICT, error(r.getMessage()));
    } catch (IllegalArgumentException e) {
      send(ex, StatusCodes.BAD_REQUEST, error(e.getMessage()));
    } catch (RequestTooBigException e) {
      OmahaServer.tooLarge(ex, "application/json",
          JSON.writeValueAsString(error("request body larger than " + OmahaServer.MAX_BODY + " bytes")) + "\n");
    }
  }

  /** An HTTP status with a message, thrown from deep inside a handler. */
  private static final class Status extends RuntimeException {
    final int code;

    Status(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private static Object notFound() {
    throw new Status(StatusCodes.NOT_FOUND, "no such resource");
  }

  private static Object notAllowed() {
    throw new Status(StatusCodes.METHOD_NOT_ALLOWED, "method not allowed here");
  }

  /** /channels, /channels/NAME and /channels/NAME/promote. */
  private Object channelsResource(String app, String name, String sub, boolean get, boolean post, boolean put,
      JsonNode body, String actor) {
    if (sub != null) {
      return !sub.equals("promote") ? notFound() : post ? promote(app, name, body, actor) : notAllowed();
    }
    if (name == null) {
      return get ? channels(app) : post ? createChannel(app, body, actor) : notAllowed();
    }
    return put ? setChannel(app, name, body, actor) : notAllowed();
  }

  /**
   * GET /groups/NAME/reboots: the group's reboot slots, {@code {"group", "max", "available",
   * "holders": [{"id", "since"}]}}; available is max less the holders, negative when the limit was
   * lowered below them.
   */
  private ObjectNode rebootsJson(String app, String name) {
    return rebootsJson(reboots.slots(app, name).orElseThrow(() -> new Status(StatusCodes.NOT_FOUND,
        "no group '" + name + "' for app " + app)));
  }

  private static ObjectNode rebootsJson(RebootSlots.Slots s) {
    ObjectNode o = JSON.createObjectNode().put("group", s.group()).put("max", s.max()).put("available", s.available());
    ArrayNode holders = o.putArray("holders");
    s.holders().forEach(h -> holders.addObject().put("id", h.machineId()).put("since", h.since().toString()));
    return o;
  }

  /**
   * The last segment of the request's path, percent-decoded from the raw URI: a FleetLock machine
   * id may hold any printable ASCII, and Undertow leaves an encoded slash encoded in the path it
   * decodes. A "+" stays a "+".
   */
  static String lastSegment(HttpServerExchange ex) {
    String raw = ex.getRequestURI();
    int end = raw.length();
    while (end > 0 && raw.charAt(end - 1) == '/') {
      end--;
    }
    String seg = raw.substring(raw.lastIndexOf('/', end - 1) + 1, end);
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < seg.length(); i++) {
      char c = seg.charAt(i);
      if (c == '%' && i + 2 < seg.length() && Character.digit(seg.charAt(i + 1), 16) >= 0
          && Character.digit(seg.charAt(i + 2), 16) >= 0) {
        out.write(Integer.parseInt(seg.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** DELETE /groups/NAME/reboots/ID: gives back a machine's reboot slot (one that never came back). */
  private Object releaseReboot(String app, String name, String machineId, String actor) {
    RebootSlots.Outcome o = reboots.release(app, name, machineId, actor);
    return switch (o.result()) {
      case RELEASED -> JSON.createObjectNode().put("released", true);
      case NOT_HELD -> throw new Status(StatusCodes.NOT_FOUND, "'" + machineId + "' holds no reboot slot of group '"
          + name + "'");
      default -> throw new Status(StatusCodes.NOT_FOUND, "no group '" + name + "' for app " + app);
    };
  }

  /** /groups, /groups/NAME and /groups/NAME/{pause,resume,rollout,reboots,counts}. */
  private Object groupsResource(String app, String name, String sub, boolean get, boolean post, boolean put,
      JsonNode body, String actor) {
    if (sub != null) {
      return switch (sub) {
        case "pause" -> post ? pauseGroup(app, name, body, actor) : notAllowed();
        case "resume" -> post ? resumeGroup(app, name, actor) : notAllowed();
        case "rollout" -> get ? rollout(app, name) : notAllowed();
        case "reboots" -> get ? rebootsJson(app, name) : notAllowed();
        case "counts" -> get ? counts(app, name) : notAllowed();
        default -> notFound();
      };
    }
    if (name == null) {
      return get ? groups(app) : post ? createGroup(app, body, actor) : notAllowed();
    }
    return get ? group(app, name) : put ? putGroup(app, name, body, actor) : notAllowed();
  }

  /** Who makes the change: the X-Cairn-Actor header (the CLI sends USER@HOST), else "admin". */
  static String actor(HttpServerExchange ex) {
    String a = ex.getRequestHeaders().getFirst(ACTOR_HEADER);
    if (a == null || a.isBlank()) {
      return SqlStore.DEFAULT_ACTOR;
    }
    a = a.strip();
    if (a.length() > 128 || !a.chars().allMatch(ch -> ch >= 0x20 && ch != 0x7f)) {
      throw new IllegalArgumentException("header " + ACTOR_HEADER + " must be 1-128 printable characters, like"
          + " alice@build-host");
    }
    return a;
  }

  private static JsonNode readBody(HttpServerExchange ex) throws IOException {
    byte[] bytes = AdminJson.readRaw(ex, OmahaServer.MAX_BODY);
    if (bytes.length == 0 || new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return JSON.createObjectNode();      // no body: every field left out (pause, resume)
    }
    return AdminJson.object(bytes);
  }

  private static int limit(HttpServerExchange ex) {
    String v = param(ex, "limit", "100");
    try {
      int n = Integer.parseInt(v);
      if (n < 1 || n > 10_000) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("limit must be 1-10000, got '" + v + "'");
    }
  }

  // ---- resources

  private Object apps() {
    ArrayNode a = JSON.createArrayNode();
    for (SqlStore.AppInfo i : store.listApps()) {
      a.addObject().put("id", i.id()).put("name", i.name()).put("board", i.board());
    }
    return a;
  }

  private Object createApp(JsonNode b) {
    String id = text(b, "id", null);
    if (!id.matches("\\{[0-9a-fA-F-]{36}\\}")) {
      throw new IllegalArgumentException("field 'id' must be an app id like {e96281a6-d1af-4bde-9a0a-97b76e56dc57}");
    }
    store.createApp(id, text(b, "name", null), text(b, "board", "amd64-usr"));
    for (String channel : SqlStore.DEFAULT_CHANNELS) {
      store.createChannel(id, channel);
    }
    return JSON.createObjectNode().put("id", id).put("name", text(b, "name", null))
        .put("board", text(b, "board", "amd64-usr"));
  }

  private Object channels(String app) {
    ArrayNode a = JSON.createArrayNode();
    for (SqlStore.ChannelInfo c : store.listChannels(app)) {
      ObjectNode o = a.addObject().put("name", c.name());
      o.put("version", c.version().map(Version::toString).orElse(null));
    }
    return a;
  }

  private Object setChannel(String app, String channel, JsonNode body, String actor) {
    Version v = version(body, "version");
    store.setChannelPackage(app, channel, v, actor);
    return JSON.createObjectNode().put("name", channel).put("version", v.toString());
  }

  private Object createChannel(String app, JsonNode body, String actor) {
    String name = text(body, "name", null);
    if (!name.matches(SqlStore.NAME_PATTERN)) {
      throw new IllegalArgumentException("field 'name' must match " + SqlStore.NAME_PATTERN + ", got '" + name + "'");
    }
    store.addChannel(app, name, actor);
    return JSON.createObjectNode().put("name", name).putNull("version");
  }

  private Object promote(String app, String to, JsonNode body, String actor) {
    SqlStore.Promotion p = store.promote(app, to, text(body, "from", null), bool(body, "allow_downgrade", false),
        actor);
    return JSON.createObjectNode().put("name", p.channel()).put("version", p.version().toString())
        .put("previous", p.previous().map(Version::toString).orElse(null));
  }

  private Object packages(String app) {
    ArrayNode a = JSON.createArrayNode();
    store.listPackages(app).forEach(p -> a.add(pkg(p)));
    return a;
  }

  private static ObjectNode pkg(Package p) {
    return JSON.createObjectNode().put("version", p.version().toString()).put("board", p.board())
        .put("name", p.name()).put("size", p.size()).put("sha1", p.sha1Base64()).put("sha256", p.sha256Base64())
        .put("url", p.baseUrl());
  }

  private Object createPackage(String app, JsonNode b) {
    String version = text(b, "version", null);
    Package p = new Package(Version.parse(version), text(b, "board", "amd64-usr"), text(b, "name", null),
        number(b, "size", -1), text(b, "sha1", null), text(b, "sha256", null),
        text(b, "url", publicUrl.get() + "/packages/" + version + "/"));
    store.createPackage(app, p, b.hasNonNull("signature") ? text(b, "signature", null) : null);
    return pkg(p);
  }

  private Object groups(String app) {
    ArrayNode a = JSON.createArrayNode();
    for (String g : store.listGroups(app)) {
      a.add(groupJson(app, store.group(app, g).orElseThrow()));
    }
    return a;
  }

  private Object group(String app, String name) {
    return groupJson(app, store.group(app, name).orElseThrow(() -> new Status(StatusCodes.NOT_FOUND,
        "no group '" + name + "' for app " + app)));
  }

  private ObjectNode groupJson(String app, Store.GroupRecord g) {
    Policy p = g.policy();
    ObjectNode o = JSON.createObjectNode().put("name", g.name()).put("channel", g.channel());
    o.put("channel_version", g.channelVersion().map(Version::toString).orElse(null));
    ObjectNode pol = o.putObject("policy");
    pol.put("updates_enabled", p.updatesEnabled()).put("max_updates_per_period", p.maxUpdatesPerPeriod())
        .put("period_seconds", p.period().getSeconds()).put("update_timeout_seconds", p.updateTimeout().getSeconds())
        .put("rollout_percent", p.rolloutPercent()).put("failure_brake", p.failureBrake())
        .put("failure_percent", p.failurePercent())
        .put("pinned_version", p.pinnedVersion().map(Version::toString).orElse(null))
        .put("allow_downgrade", p.allowDowngrade()).put("max_reboots", p.maxReboots());
    if (p.officeHours().isPresent()) {
      OfficeHours h = p.officeHours().get();
      ObjectNode oh = pol.putObject("office_hours");
      ArrayNode days = oh.putArray("days");
      h.days().stream().sorted().forEach(d -> days.add(d.name().substring(0, 3)));
      oh.put("start", h.start().toString()).put("end", h.end().toString()).put("zone", h.zone().getId());
    } else {
      pol.putNull("office_hours");
    }
    Optional<SqlStore.Pause> pause = store.pause(app, g.name());
    o.put("paused", !p.updatesEnabled());
    o.put("paused_reason", pause.flatMap(SqlStore.Pause::reason).orElse(null));
    o.put("paused_at", pause.flatMap(SqlStore.Pause::at).map(Object::toString).orElse(null));
    return o;
  }

  private Object putGroup(String app, String name, JsonNode b, String actor) {
    Policy p = policy(b, store.group(app, name).map(Store.GroupRecord::policy).orElse(Policy.defaults()));
    String channel = text(b, "channel", store.group(app, name).map(Store.GroupRecord::channel).orElse(null));
    store.upsertGroup(app, name, channel, p, actor);
    return group(app, name);
  }

  private Object createGroup(String app, JsonNode b, String actor) {
    String name = text(b, "name", null);
    if (!name.matches(SqlStore.NAME_PATTERN)) {
      throw new IllegalArgumentException("field 'name' must match " + SqlStore.NAME_PATTERN + ", got '" + name + "'");
    }
    String channel = text(b, "channel", null);
    store.createGroup(app, name, channel, policy(b, Policy.defaults()), actor);
    return group(app, name);
  }

  private Object pauseGroup(String app, String name, JsonNode b, String actor) {
    String reason = b.hasNonNull("reason") ? text(b, "reason", null) : null;
    store.pauseGroup(app, name, reason, actor);
    return group(app, name);
  }

  private Object resumeGroup(String app, String name, String actor) {
    store.resumeGroup(app, name, actor);
    return group(app, name);
  }

  private Object rollout(String app, String name) {
    Store.GroupRecord g = store.group(app, name).orElseThrow(() -> new Status(StatusCodes.NOT_FOUND,
        "no group '" + name + "' for app " + app));
    Optional<Version> target = g.targetVersion();
    Rollout r = Rollout.of(target, store.rolloutCounts(app, name));
    ObjectNode json = groupJson(app, g);
    ObjectNode o = JSON.createObjectNode().put("group", g.name()).put("channel", g.channel())
        .put("target_version", target.map(Version::toString).orElse(null));
    o.set("paused", json.get("paused"));
    o.set("paused_reason", json.get("paused_reason"));
    o.set("paused_at", json.get("paused_at"));
    o.put("machines", r.machines());
    ArrayNode versions = o.putArray("versions");
    r.versions().forEach((v, n) -> versions.addObject().put("version", v).put("machines", n));
    ObjectNode states = o.putObject("states");
    for (InstanceStatus s : STATE_ORDER) {
      states.put(s.name().toLowerCase(Locale.ROOT), r.states().get(s));
    }
    o.put("waiting", r.waiting());
    reboots.slots(app, name).ifPresent(s -> o.set("reboots", rebootsJson(s)));
    o.set("policy", json.get("policy"));
    return o;
  }

  /**
   * The consistency check: the group's kept counts for a check now (grants in its period,
   * failures and grants of its target) and its machines per version and status, beside a recount
   * of each from the instance and event tables. The recount reads every grant of the group.
   */
  private Object counts(String app, String name) {
    Store.GroupRecord g = store.group(app, name).orElseThrow(() -> new Status(StatusCodes.NOT_FOUND,
        "no group '" + name + "' for app " + app));
    java.time.Instant since = java.time.Instant.now().minus(g.policy().period());
    Version target = g.targetVersion().orElse(Version.parse("0.0.0"));
    SqlStore.CountCheck k = store.checkCounts(app, name, since, target);
    ObjectNode o = JSON.createObjectNode().put("group", g.name()).put("since", since.toString())
        .put("target_version", g.targetVersion().map(Version::toString).orElse(null))
        .put("consistent", k.consistent());
    for (String side : List.of("kept", "recounted")) {
      dev.cairn.omaha.UpdatePolicy.GroupStats st = side.equals("kept") ? k.kept() : k.recounted();
      List<Rollout.Count> rows = side.equals("kept") ? k.keptRollout() : k.recountedRollout();
      ObjectNode n = o.putObject(side).put("granted_in_period", st.grantedInPeriod())
          .put("failures_of_target", st.failuresOfTarget()).put("grants_of_target", st.grantsOfTarget())
          .put("machines", rows.stream().mapToLong(Rollout.Count::machines).sum());
      n.put("rollout_rows", rows.size());
    }
    return o;
  }

  /** The order of "states" in the rollout view: the way through an update, then the rest. */
  private static final List<InstanceStatus> STATE_ORDER = List.of(InstanceStatus.GRANTED, InstanceStatus.DOWNLOADING,
      InstanceStatus.DOWNLOADED, InstanceStatus.INSTALLED, InstanceStatus.COMPLETE, InstanceStatus.ERROR,
      InstanceStatus.TIMED_OUT, InstanceStatus.ON_HOLD, InstanceStatus.UNDEFINED);

  /** The "policy" of a group body over {@code d}: fields left out keep their value in {@code d}. */
  private static Policy policy(JsonNode b, Policy d) {
    JsonNode pol = b.has("policy") ? b.get("policy") : JSON.createObjectNode();
    if (!pol.isObject()) {
      throw new IllegalArgumentException("field 'policy' must be an object");
    }
    Optional<OfficeHours> hours = d.officeHours();
    if (pol.has("office_hours")) {
      JsonNode h = pol.get("office_hours");
      hours = h.isNull() ? Optional.empty() : Optional.of(officeHours(h));
    }
    Optional<Version> pinned = d.pinnedVersion();
    if (pol.has("pinned_version")) {
      pinned = pol.get("pinned_version").isNull() ? Optional.empty() : Optional.of(Version.parse(pol.get("pinned_version").asText()));
    }
    return new Policy(bool(pol, "updates_enabled", d.updatesEnabled()),
        (int) number(pol, "max_updates_per_period", d.maxUpdatesPerPeriod()),
        Duration.ofSeconds(number(pol, "period_seconds", d.period().getSeconds())),
        Duration.ofSeconds(number(pol, "update_timeout_seconds", d.updateTimeout().getSeconds())),
        (int) number(pol, "rollout_percent", d.rolloutPercent()), hours,
        (int) number(pol, "failure_brake", d.failureBrake()), (int) number(pol, "failure_percent", d.failurePercent()),
        pinned, bool(pol, "allow_downgrade", d.allowDowngrade()), maxReboots(pol, d.maxReboots()));
  }

  /** The policy's "max_reboots": 0 or more. */
  private static int maxReboots(JsonNode pol, int fallback) {
    long n = number(pol, "max_reboots", fallback);
    if (n < 0 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("field 'max_reboots' must be 0 or more, got " + n);
    }
    return (int) n;
  }

  private static OfficeHours officeHours(JsonNode h) {
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (JsonNode d : h.path("days")) {
      String t = d.asText().toUpperCase(Locale.ROOT);
      DayOfWeek match = null;
      for (DayOfWeek w : DayOfWeek.values()) {
        if (w.name().startsWith(t) && t.length() >= 3) {
          match = w;
        }
      }
      if (match == null) {
        throw new IllegalArgumentException("office_hours.days: '" + d.asText() + "' is not a day like MON");
      }
      days.add(match);
    }
    try {
      return new OfficeHours(days, LocalTime.parse(text(h, "start", null)), LocalTime.parse(text(h, "end", null)),
          ZoneId.of(text(h, "zone", null)));
    } catch (java.time.DateTimeException e) {
      throw new IllegalArgumentException("office_hours: " + e.getMessage());
    }
  }

  private Object instances(String app, HttpServerExchange ex) {
    String status = param(ex, "status", null);
    InstanceStatus s = null;
    if (status != null) {
      try {
        s = InstanceStatus.valueOf(status.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("status must be one of " + java.util.Arrays.stream(InstanceStatus.values())
            .map(x -> x.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", "))
            + ", got '" + status + "'");
      }
    }
    String version = param(ex, "version", null);
    Version v = null;
    if (version != null) {
      v = Version.tryParse(version);
      if (v == null) {
        throw new IllegalArgumentException("version must be a version like 3510.2.1, got '" + version + "'");
      }
    }
    ArrayNode a = JSON.createArrayNode();
    store.listInstances(app, param(ex, "group", null), s, v, limit(ex)).forEach(i -> a.add(instanceJson(i)));
    return a;
  }

  private static ObjectNode instanceJson(Store.InstanceRecord i) {
    ObjectNode o = JSON.createObjectNode().put("machine_id", i.machineId()).put("group", i.track())
        .put("version", i.version()).put("status", i.status().name().toLowerCase(Locale.ROOT))
        .put("alias", i.alias()).put("ip", i.ip()).put("oem", i.oem()).put("boot_id", i.bootId())
        .put("last_check", i.lastCheck().map(Object::toString).orElse(null))
        .put("granted_version", i.grantedVersion().map(Version::toString).orElse(null))
        .put("granted_at", i.grantedAt().map(Object::toString).orElse(null))
        .put("last_hold", i.lastHold());
    if (i.lastErrorCode() != 0) {
      o.put("last_error_code", i.lastErrorCode()).put("last_error_flags", i.lastErrorFlags());
    }
    if (!i.truncated().isEmpty()) {
      ArrayNode t = o.putArray("truncated");
      i.truncated().forEach(t::add);
    }
    return o;
  }

  private Object instance(String app, String machine) {
    Store.InstanceRecord i = store.instance(app, machine).orElseThrow(
        () -> new Status(StatusCodes.NOT_FOUND, "no instance '" + machine + "' for app " + app));
    ObjectNode o = instanceJson(i);
    ArrayNode h = o.putArray("history");
    store.instanceHistory(app, machine).forEach(r -> h.addObject().put("at", r.at().toString())
        .put("from", r.from().name().toLowerCase(Locale.ROOT)).put("to", r.to().name().toLowerCase(Locale.ROOT))
        .put("version", r.version()).put("detail", r.detail()));
    ArrayNode ev = o.putArray("events");
    store.events(app, machine).forEach(e -> ev.addObject().put("at", e.at().toString()).put("type", e.type())
        .put("result", e.result()).put("error_code", e.errorCode()).put("error_flags", e.errorFlags())
        .put("previous_version", e.previousVersion()).put("version", e.version()));
    return o;
  }

  private Object activity(HttpServerExchange ex) {
    String since = param(ex, "since", null);
    Instant from = null;
    if (since != null) {
      try {
        from = Instant.parse(since);
      } catch (java.time.format.DateTimeParseException e) {
        throw new IllegalArgumentException("since must be an ISO-8601 instant like 2026-11-22T03:00:00Z, got '"
            + since + "'");
      }
    }
    ArrayNode a = JSON.createArrayNode();
    store.activity(limit(ex), from, param(ex, "actor", null)).forEach(x -> a.addObject().put("at", x.at().toString())
        .put("app", x.appId()).put("kind", x.kind()).put("message", x.message())
        .put("machine_id", x.machineId().orElse(null)).put("actor", x.actor()));
    return a;
  }

  /** The machine inventory, most recently seen first; {@code group} (when not blank) keeps one group's. */
  private Object machines(HttpServerExchange ex) {
    String group = param(ex, "group", null);
    ArrayNode a = JSON.createArrayNode();
    store.listMachines(group == null || group.isBlank() ? null : group, limit(ex)).forEach(m -> a.add(machineJson(m)));
    return a;
  }

  private Object machine(String key) {
    return machineJson(store.machine(key).orElseThrow(
        () -> new Status(StatusCodes.NOT_FOUND, "no machine '" + key + "' in the inventory")));
  }

  /**
   * POST /machines/KEY/reinstall: clears the machine's install mark, so its next network boot
   * installs again; {@code key}, and the mark it had ({@code was_installed_at},
   * {@code was_installed_profile}: null when it had none).
   */
  private Object reinstall(String key, String actor) {
    Optional<SqlStore.Install> was = store.reinstall(key, actor);
    return JSON.createObjectNode().put("key", dev.cairn.omaha.MachineSighting.normalKey(key))
        .put("was_installed_at", was.map(i -> i.at().toString()).orElse(null))
        .put("was_installed_profile", was.map(SqlStore.Install::profile).orElse(null));
  }

  /**
   * A machine with its labels as an object; {@code truncated} only when something is stored cut;
   * {@code installed_at} and {@code installed_profile} null unless it is recorded installed.
   */
  private static ObjectNode machineJson(SqlStore.MachineRow m) {
    ObjectNode o = JSON.createObjectNode().put("key", m.key()).put("group", m.group()).put("profile", m.profile())
        .put("address", m.address()).put("first_seen", m.firstSeen().toString())
        .put("last_seen", m.lastSeen().toString()).put("requests", m.requests())
        .put("last_endpoint", m.lastEndpoint()).put("last_outcome", m.lastOutcome())
        .put("installed_at", m.install() == null ? null : m.install().at().toString())
        .put("installed_profile", m.install() == null ? null : m.install().profile());
    ObjectNode labels = o.putObject("labels");
    m.labels().forEach(labels::put);
    if (!m.truncated().isEmpty()) {
      ArrayNode t = o.putArray("truncated");
      m.truncated().forEach(t::add);
    }
    return o;
  }

  // ---- JSON helpers

  /** A required version field, named in the message when it does not parse. */
  private static Version version(JsonNode n, String field) {
    String t = text(n, field, null);
    Version v = Version.tryParse(t);
    if (v == null) {
      throw new IllegalArgumentException("field '" + field + "' must be a version like 3510.2.1, got '" + t + "'");
    }
    return v;
  }

  private static long number(JsonNode n, String field, long fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (fallback < 0) {
        throw new IllegalArgumentException("field '" + field + "' is required");
      }
      return fallback;
    }
    if (!v.isIntegralNumber()) {
      throw new IllegalArgumentException("field '" + field + "' must be a whole number");
    }
    return v.asLong();
  }

  private static boolean bool(JsonNode n, String field, boolean fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("field '" + field + "' must be true or false");
    }
    return v.asBoolean();
  }

}
