package dev.cairn.pxe.http;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.pxe.BootData;
import dev.cairn.pxe.Finding;
import dev.cairn.pxe.Group;
import dev.cairn.pxe.Profile;
import dev.cairn.pxe.Template;
import dev.cairn.pxe.files.BootFiles;
import dev.cairn.pxe.files.BootFiles.Kind;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The boot data's admin API, for {@code cairn serve} to mount where the admin token is checked
 * (every path under {@code /api/v1/}): it has no authentication of its own.
 * <ul>
 *   <li>{@code GET /api/v1/boot/{profiles,groups,templates}}: the served set's ids, with names
 *       (groups: with profile and selector; templates: with the profiles that name them);
 *   <li>{@code GET .../ID}: one of them, parsed, with its file's text;
 *   <li>{@code PUT .../ID}: writes its file (the body: the YAML file for profiles and groups, the
 *       template's text for templates) once the whole set checks clean with it
 *       ({@link BootFiles#put}); 201 when it is new, 200 when it replaced one;
 *   <li>{@code DELETE .../ID}: deletes its file once the set checks clean without it.
 * </ul>
 * A write the set's checks refuse is 422 with {@code {"error", "findings": [{"file", "line",
 * "reason"}]}} and changes nothing; a bad id, or a file whose id is not the path's, 400; an id
 * that is not there, 404; a file named for the id that holds another one, 409; a body over
 * {@value #MAX_BODY} bytes, 413. Strings are answered with their control characters as JSON
 * escapes.
 */
public final class BootAdmin implements HttpHandler {
  /** The paths this handler serves start with this. */
  public static final String PREFIX = "/api/v1/boot/";
  /** The most bytes a file written through the API may have. */
  public static final int MAX_BODY = 1024 * 1024;
  /** Who makes a change, for the log (the cairn CLI sends USER@HOST). */
  static final String ACTOR_HEADER = "X-Cairn-Actor";
  private static final System.Logger LOG = System.getLogger(BootAdmin.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper(new JsonFactoryBuilder().characterEscapes(new Escapes())
      .build());

  private final BootFiles files;

  public BootAdmin(BootFiles files) {
    this.files = files;
  }

  /** Whether {@code relativePath} is this API's: {@code /api/v1/boot/...}. */
  public static boolean serves(String relativePath) {
    return relativePath.startsWith(PREFIX) || relativePath.equals("/api/v1/boot");
  }

  /** A status and a JSON body. */
  private record Reply(int status, Object body) {}

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      ex.dispatch(this);
      return;
    }
    ex.startBlocking();
    Reply r;
    try {
      r = route(ex);
    } catch (IllegalArgumentException e) {
      r = new Reply(StatusCodes.BAD_REQUEST, error(e.getMessage()));
    } catch (BootFiles.Refused e) {
      r = switch (e.why()) {
        case NOT_FOUND -> new Reply(StatusCodes.NOT_FOUND, error(e.getMessage()));
        case CONFLICT -> new Reply(StatusCodes.CONFLICT, error(e.getMessage()));
        case FINDINGS -> new Reply(422, findings(e.getMessage(), e.findings()));
      };
    } catch (RequestTooBigException e) {
      tooLarge(ex);
      return;
    } catch (IOException e) {
      LOG.log(System.Logger.Level.WARNING, "boot data: " + ex.getRequestMethod() + " " + ex.getRelativePath()
          + " failed: " + e.getMessage());
      r = new Reply(StatusCodes.INTERNAL_SERVER_ERROR, error(e.getMessage()));
    }
    send(ex, r.status(), r.body());
  }

  private Reply route(HttpServerExchange ex) throws IOException, BootFiles.Refused {
    String path = ex.getRelativePath();
    String rest = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "";
    int slash = rest.indexOf('/');
    String folder = slash < 0 ? rest : rest.substring(0, slash);
    Kind kind = Kind.ofFolder(folder).orElse(null);
    if (kind == null) {
      return new Reply(StatusCodes.NOT_FOUND, error("no such resource (expected /api/v1/boot/profiles, groups or"
          + " templates)"));
    }
    HttpString method = ex.getRequestMethod();
    if (slash < 0 || slash == rest.length() - 1) {
      if (!method.equals(Methods.GET)) {
        return notAllowed(ex, "GET");
      }
      return new Reply(StatusCodes.OK, list(kind, files.current()));
    }
    String id = rest.substring(slash + 1);
    if (!method.equals(Methods.GET) && !method.equals(Methods.PUT) && !method.equals(Methods.DELETE)) {
      return notAllowed(ex, "GET, PUT, DELETE");
    }
    BootFiles.checkId(kind, id);
    if (method.equals(Methods.GET)) {
      return new Reply(StatusCodes.OK, show(kind, id, files.current()));
    }
    String actor = actor(ex);
    BootFiles.Change c = method.equals(Methods.PUT) ? files.put(kind, id, body(ex), actor)
        : files.delete(kind, id, actor);
    ObjectNode o = JSON.createObjectNode().put("kind", c.kind().word()).put("id", c.id()).put("action", c.action())
        .put("file", c.file()).put("served", c.served()).put("boot_data", c.summary());
    return new Reply(c.action().equals("created") ? StatusCodes.CREATED : StatusCodes.OK, o);
  }

  private static Reply notAllowed(HttpServerExchange ex, String allow) {
    ex.getResponseHeaders().put(Headers.ALLOW, allow);
    return new Reply(StatusCodes.METHOD_NOT_ALLOWED, error("method not allowed here (allowed: " + allow + ")"));
  }

  /** The X-Cairn-Actor header, else {@code admin}; 1-128 printable characters. */
  static String actor(HttpServerExchange ex) {
    String a = ex.getRequestHeaders().getFirst(ACTOR_HEADER);
    if (a == null || a.isBlank()) {
      return "admin";
    }
    a = a.strip();
    if (a.length() > 128 || a.chars().anyMatch(BootAdmin::isControl)) {
      throw new IllegalArgumentException("header " + ACTOR_HEADER + " must be 1-128 printable characters, like"
          + " alice@build-host");
    }
    return a;
  }

  /** The whole body; RequestTooBigException past {@link #MAX_BODY} bytes, declared or sent. */
  private static byte[] body(HttpServerExchange ex) throws IOException {
    if (ex.getRequestContentLength() > MAX_BODY) {
      throw new RequestTooBigException();
    }
    byte[] bytes = ex.getInputStream().readNBytes(MAX_BODY + 1);
    if (bytes.length > MAX_BODY) {
      throw new RequestTooBigException();
    }
    return bytes;
  }

  private static ArrayNode list(Kind kind, BootData data) {
    ArrayNode a = JSON.createArrayNode();
    switch (kind) {
      case PROFILE -> data.profiles().stream().sorted(Comparator.comparing(Profile::id)).forEach(p ->
          a.addObject().put("id", p.id()).put("name", p.name()).put("file", p.source().file()));
      case GROUP -> data.groups().stream().sorted(Comparator.comparing(Group::id)).forEach(g -> {
        ObjectNode o = a.addObject().put("id", g.id()).put("name", g.name()).put("profile", g.profile());
        o.set("selector", strings(g.selector().labels()));
        o.put("file", g.source().file());
      });
      case TEMPLATE -> data.templates().stream().sorted(Comparator.comparing(Template::name)).forEach(t -> {
        ObjectNode o = a.addObject().put("id", t.name()).put("file", t.file());
        o.set("profiles", usedBy(t, data));
      });
    }
    return a;
  }

  private ObjectNode show(Kind kind, String id, BootData data) throws IOException, BootFiles.Refused {
    ObjectNode o = JSON.createObjectNode();
    String file;
    switch (kind) {
      case PROFILE -> {
        Profile p = data.profile(id).orElseThrow(() -> notServed(kind, id));
        o.put("id", p.id()).put("name", p.name()).put("file", p.source().file());
        ObjectNode boot = o.putObject("boot").put("kernel", p.kernel());
        p.initrd().forEach(boot.putArray("initrd")::add);
        p.args().forEach(boot.putArray("args")::add);
        o.put("cloud_config", p.cloudConfig());
        file = p.source().file();
      }
      case GROUP -> {
        Group g = data.groups().stream().filter(x -> x.id().equals(id)).findFirst()
            .orElseThrow(() -> notServed(kind, id));
        o.put("id", g.id()).put("name", g.name()).put("file", g.source().file()).put("profile", g.profile());
        o.set("selector", strings(g.selector().labels()));
        o.set("metadata", strings(g.metadata()));
        if (g.update() == null) {
          o.putNull("update");
        } else {
          o.putObject("update").put("group", g.update().group()).put("server", g.update().server());
        }
        file = g.source().file();
      }
      default -> {
        Template t = data.template(id).orElseThrow(() -> notServed(kind, id));
        o.put("id", t.name()).put("file", t.file());
        o.set("profiles", usedBy(t, data));
        file = t.file();
      }
    }
    o.put("text", files.text(file));
    return o;
  }

  private static BootFiles.Refused notServed(Kind kind, String id) {
    return new BootFiles.Refused(BootFiles.Refused.Why.NOT_FOUND, "no " + kind.word() + " " + id
        + " in the boot data served", List.of());
  }

  private static ArrayNode usedBy(Template t, BootData data) {
    ArrayNode a = JSON.createArrayNode();
    data.profiles().stream().filter(p -> t.name().equals(p.cloudConfig())).map(Profile::id).sorted().forEach(a::add);
    return a;
  }

  private static ObjectNode strings(Map<String, String> m) {
    ObjectNode o = JSON.createObjectNode();
    m.forEach(o::put);
    return o;
  }

  private static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  private static ObjectNode findings(String message, List<Finding> findings) {
    ObjectNode o = error(message);
    ArrayNode a = o.putArray("findings");
    for (Finding f : findings) {
      ObjectNode x = a.addObject().put("file", f.file());
      if (f.line() > 0) {
        x.put("line", f.line());
      } else {
        x.putNull("line");
      }
      x.put("reason", f.reason());
    }
    return o;
  }

  private static String json(Object body) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body) + "\n";
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void send(HttpServerExchange ex, int status, Object body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    ex.getResponseSender().send(json(body), StandardCharsets.UTF_8);
  }

  /**
   * 413, and the connection closed after it: the rest of the body is read and thrown away first
   * (closing a socket with unread data resets it, and the client might not see the answer).
   */
  private static void tooLarge(HttpServerExchange ex) {
    if (ex.isResponseStarted()) {
      return;
    }
    ex.setPersistent(false);
    byte[] bytes = json(error("request body larger than " + MAX_BODY + " bytes")).getBytes(StandardCharsets.UTF_8);
    ex.setStatusCode(StatusCodes.REQUEST_ENTITY_TOO_LARGE);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
    ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
    try {
      ex.getOutputStream().write(bytes);
      ex.getOutputStream().flush();
      ex.getInputStream().transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // past the server's own limit, or the client went away: the connection closes either way
    }
  }

  /** Jackson's escapes plus DEL, C1 and the bidi controls and separators, as the update server's admin API. */
  static final class Escapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    Escapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      return isControl(c) ? new SerializedString(String.format("\\u%04X", c)) : null;
    }
  }

  /**
   * The characters a terminal acts on instead of showing: C0, DEL, C1, the bidi controls and the
   * line and paragraph separators (as {@code dev.cairn.omaha.ControlChars} has them).
   */
  static boolean isControl(int c) {
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c || c == 0x200e || c == 0x200f
        || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029;
  }
}
