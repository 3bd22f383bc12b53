package dev.cairn.omaha.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.RebootSlots;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The reboot lock as Zincati asks for it (the FleetLock protocol, as airlock serves it):
 * {@code POST /v1/pre-reboot} takes a reboot slot of the machine's group, {@code POST
 * /v1/steady-state} gives it back. The body is {@code {"client_params":{"id":"...","group":"..."}}}
 * ({@code node_uuid} is the older name of {@code id}; no group is group {@code default}), the
 * header {@code fleet-lock-protocol: true} is required, and 200 is the only success. Every other
 * answer is {@code {"kind":"...","value":"..."}}: 400 bad_request, 404 unknown_group, 409
 * failed_lock (every slot taken), 503 unavailable (the database failed), and 405 and 413.
 *
 * <p>The group is the CoreOS app's group of that name, the one the machine's update checks ask
 * for as their track. Like the Omaha endpoint, this asks for no credentials: it trusts the
 * network the machines are on. What a machine can make the server keep is bounded: ids are at
 * most {@value RebootSlots#MAX_ID} characters, and a group never holds more machines than its
 * limit of reboots.
 */
final class FleetLockApi implements HttpHandler {
  static final String PRE_REBOOT = "/v1/pre-reboot";
  static final String STEADY_STATE = "/v1/steady-state";
  /** The most bytes of a body; Zincati's are under 200. */
  static final int MAX_BODY = 8 * 1024;
  /** The holders a 409 names at most. */
  private static final int NAMED_HOLDERS = 10;
  private static final ObjectMapper JSON = AdminJson.JSON;
  private static final System.Logger LOG = System.getLogger(FleetLockApi.class.getName());

  private final RebootSlots slots;
  private final Metrics metrics;

  FleetLockApi(RebootSlots slots, Metrics metrics) {
    this.slots = slots;
    this.metrics = metrics;
  }

  static boolean serves(String path) {
    return path.equals(PRE_REBOOT) || path.equals(STEADY_STATE);
  }

  /** An answer other than 200, with its kind. */
  private static final class Answer extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;
    final String kind;

    Answer(int status, String kind, String value) {
      super(value);
      this.status = status;
      this.kind = kind;
    }
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      ex.dispatch(this);
      return;
    }
    boolean take = ex.getRelativePath().equals(PRE_REBOOT);
    String operation = take ? "pre-reboot" : "steady-state";
    String outcome;
    try {
      outcome = handle(ex, take);
    } catch (Answer a) {
      if (a.status == StatusCodes.METHOD_NOT_ALLOWED) {
        ex.getResponseHeaders().put(Headers.ALLOW, "POST");
      }
      answer(ex, a.status, a.kind, a.getMessage());
      outcome = a.kind;
    } catch (RequestTooBigException e) {
      OmahaServer.tooLarge(ex, "application/json", body("bad_request", "request body larger than " + MAX_BODY
          + " bytes"));
      outcome = "bad_request";
    } catch (UncheckedIOException | IllegalStateException e) {
      LOG.log(System.Logger.Level.ERROR, "the reboot lock's database failed", e);
      answer(ex, StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "the reboot lock's database failed; try again later");
      outcome = "unavailable";
    }
    metrics.fleetLock(operation, outcome);
  }

  /** Answers 200 and names the outcome, or throws the answer. */
  private String handle(HttpServerExchange ex, boolean take) throws IOException {
    if (!ex.getRequestMethod().equals(Methods.POST)) {
      throw new Answer(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed",
          ex.getRelativePath() + " takes only POST, got " + ex.getRequestMethod());
    }
    String protocol = ex.getRequestHeaders().getFirst("fleet-lock-protocol");
    if (protocol == null || !protocol.strip().equals("true")) {
      throw new Answer(StatusCodes.BAD_REQUEST, "bad_request", "the header fleet-lock-protocol: true is required");
    }
    ex.startBlocking();
    byte[] body;
    try {
      body = AdminJson.readRaw(ex, MAX_BODY);
    } catch (RequestTooBigException e) {
      throw e;
    } catch (IOException e) {
      // A body cut short or not sent within the body timeout: the client's fault, not the store's.
      ex.setPersistent(false);
      throw new Answer(StatusCodes.BAD_REQUEST, "bad_request", "the body could not be read: " + e.getMessage());
    }
    String[] params = params(body);
    String id = params[0];
    String group = params[1];
    String app = Model.COREOS_APP_ID;
    if (take) {
      RebootSlots.Outcome o = slots.take(app, group, id, id);
      return switch (o.result()) {
        case TAKEN, ALREADY_HELD -> ok(ex, o, id, group);
        case REFUSED -> throw new Answer(StatusCodes.CONFLICT, "failed_lock", refused(o.slots().orElseThrow()));
        default -> throw unknown(group);
      };
    }
    RebootSlots.Outcome o = slots.release(app, group, id, id);
    return switch (o.result()) {
      case RELEASED, NOT_HELD -> ok(ex, o, id, group);
      default -> throw unknown(group);
    };
  }

  /** The id and group of the body. */
  private static String[] params(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new Answer(StatusCodes.BAD_REQUEST, "bad_request", "the body is not JSON: " + e.getOriginalMessage()
          .lines().findFirst().orElse(""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (root == null || !root.isObject() || !root.path("client_params").isObject()) {
      throw new Answer(StatusCodes.BAD_REQUEST, "bad_request",
          "the body must be a JSON object like {\"client_params\":{\"id\":\"MACHINE-ID\",\"group\":\"GROUP\"}}");
    }
    JsonNode p = root.get("client_params");
    String idField = p.hasNonNull("id") || !p.hasNonNull("node_uuid") ? "id" : "node_uuid";
    try {
      String id = RebootSlots.checkId("client_params." + idField, string(p, idField));
      String group = RebootSlots.group("client_params.group", string(p, "group"));
      return new String[] {id, group};
    } catch (IllegalArgumentException e) {
      throw new Answer(StatusCodes.BAD_REQUEST, "bad_request", e.getMessage());
    }
  }

  private static String string(JsonNode params, String field) {
    JsonNode v = params.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("client_params." + field + " must be a string");
    }
    return v.asText();
  }

  private static String ok(HttpServerExchange ex, RebootSlots.Outcome o, String id, String group) {
    RebootSlots.Slots s = o.slots().orElseThrow();
    String value = switch (o.result()) {
      case TAKEN -> id + " took a reboot slot of group " + group;
      case ALREADY_HELD -> id + " holds a reboot slot of group " + group + " already";
      case RELEASED -> id + " gave back its reboot slot of group " + group;
      default -> id + " held no reboot slot of group " + group;
    };
    answer(ex, StatusCodes.OK, "ok", value + " (" + s.holders().size() + " of " + s.max() + " slots taken)");
    return o.result().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String refused(RebootSlots.Slots s) {
    List<RebootSlots.Holder> named = s.holders().subList(0, Math.min(NAMED_HOLDERS, s.holders().size()));
    String holders = named.stream().map(h -> h.machineId() + " (since " + h.since() + ")")
        .collect(Collectors.joining(", "));
    int more = s.holders().size() - named.size();
    return "every reboot slot of group " + s.group() + " is taken: " + s.holders().size() + " of " + s.max()
        + " slots" + (holders.isEmpty() ? "" : ", held by " + holders) + (more > 0 ? " and " + more + " more" : "");
  }

  private static Answer unknown(String group) {
    return new Answer(StatusCodes.NOT_FOUND, "unknown_group", "no group '" + group + "' of the CoreOS app; create it"
        + " with: cairn admin group create " + group + " --channel CHANNEL");
  }

  private static void answer(HttpServerExchange ex, int status, String kind, String value) {
    OmahaServer.text(ex, status, "application/json", body(kind, value));
  }

  private static String body(String kind, String value) {
    try {
      return JSON.writeValueAsString(JSON.createObjectNode().put("kind", kind).put("value", value)) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
