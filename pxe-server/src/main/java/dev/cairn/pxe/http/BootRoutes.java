package dev.cairn.pxe.http;

import dev.cairn.pxe.BootData;
import dev.cairn.pxe.BootRequest;
import dev.cairn.pxe.CloudConfigs;
import dev.cairn.pxe.GrubConfigs;
import dev.cairn.pxe.Installs;
import dev.cairn.pxe.IpxeScripts;
import dev.cairn.pxe.Labels;
import dev.cairn.pxe.Match;
import dev.cairn.pxe.MetadataLines;
import dev.cairn.pxe.RenderCache;
import dev.cairn.pxe.Variables;
import dev.cairn.pxe.files.BootFiles;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Optional;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The boot server's endpoints, for {@code cairn serve} to route to (see {@link #serves}):
 * <ul>
 *   <li>{@code GET /boot.ipxe}: the script every machine chains to first ({@link IpxeScripts#boot});
 *   <li>{@code GET /ipxe?mac=..&uuid=..}: the matching group's profile as an iPXE script, or a
 *       script that says why nothing matched and asks again later;
 *   <li>{@code GET /grub?...}: the profile as GRUB commands;
 *   <li>{@code GET /cloud-config?...}: the group's template rendered for the machine and validated
 *       (500 with the report when the validator rejects it: never sent broken);
 *   <li>{@code GET /metadata?...}: the machine's variables as {@code KEY=value} lines;
 *   <li>{@code GET|HEAD /assets/PATH}: files of the assets folder;
 *   <li>{@code POST /installed?mac=..}: the installer of an install-once profile says the machine
 *       is installed ({@link Installs}); its later {@code /ipxe} and {@code /grub} boot its disk.
 * </ul>
 * Query parameters are the machine's labels ({@link Labels}); a bad one (an unparseable MAC, say)
 * is answered 400 with the reason. A miss is answered 404 with one line saying which: no group
 * matches, the group names no profile, or the profile names no template. Each request uses the
 * set of boot data being served when it starts ({@link BootFiles#current}).
 *
 * <p>The handler may be called on an I/O thread. Everything but {@code /assets/} is answered there,
 * from memory: the set being served and a {@link RenderCache} of what it answers (made again when
 * the set or the public URL changes), so those requests never wait for a worker. Two kinds move to
 * a worker: asset requests, which look the file up (files are sent without holding a thread while
 * the client is slow), and a cloud-config whose render is not kept yet (a template of a few MiB
 * takes a while to render and validate), and {@code /installed}, which writes to the database.
 */
public final class BootRoutes implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(BootRoutes.class.getName());

  private final BootFiles files;
  private final Supplier<String> publicUrl;
  private final BootMetrics metrics;
  private final Consumer<BootRequest> seen;
  private final Installs installs;
  /** The answers of the set and public URL last served; replaced when either changes. */
  private volatile RenderCache renders = new RenderCache(BootData.EMPTY, "");

  /**
   * {@code publicUrl} is the base URL machines reach this server at (asked for on each request, so
   * it may be known only once the server listens); the boot server's metrics are registered in
   * {@code registry}.
   */
  public BootRoutes(BootFiles files, Supplier<String> publicUrl, PrometheusRegistry registry) {
    this(files, publicUrl, registry, r -> { });
  }

  /**
   * As above; every request to an endpoint that takes labels ({@code /ipxe}, {@code /grub},
   * {@code /cloud-config}, {@code /metadata}) is also handed to {@code seen} once answered, for
   * the machine inventory. {@code seen} must not block.
   */
  public BootRoutes(BootFiles files, Supplier<String> publicUrl, PrometheusRegistry registry,
      Consumer<BootRequest> seen) {
    this(files, publicUrl, registry, seen, Installs.NONE);
  }

  /** As above, with the machines recorded installed, for install-once profiles. */
  public BootRoutes(BootFiles files, Supplier<String> publicUrl, PrometheusRegistry registry,
      Consumer<BootRequest> seen, Installs installs) {
    this.installs = installs;
    this.files = files;
    this.publicUrl = publicUrl;
    this.metrics = new BootMetrics(files, registry);
    this.seen = seen;
  }

  /** Whether {@code relativePath} is one of the boot server's: hand those requests to this handler. */
  public static boolean serves(String relativePath) {
    return switch (relativePath) {
      case "/boot.ipxe", "/ipxe", "/grub", "/cloud-config", "/metadata", "/installed" -> true;
      default -> relativePath.startsWith("/assets/");
    };
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    String path = ex.getRelativePath();
    String endpoint = path.startsWith("/assets/") ? "/assets/" : path;
    if (endpoint.equals("/installed")) {
      if (!ex.getRequestMethod().equals(Methods.POST)) {
        ex.getResponseHeaders().put(Headers.ALLOW, "POST");
        reply(ex, endpoint, new Reply(StatusCodes.METHOD_NOT_ALLOWED, "method not allowed: POST only\n"));
        return;
      }
      if (ex.isInIoThread()) {
        ex.dispatch(this);    // it writes to the database: on a worker (the body is never read)
        return;
      }
    }
    if (endpoint.equals("/assets/") && ex.isInIoThread()) {
      ex.dispatch(this);    // file lookups stay off the I/O threads
      return;
    }
    boolean head = ex.getRequestMethod().equals(Methods.HEAD);
    if (!head && !ex.getRequestMethod().equals(Methods.GET) && !endpoint.equals("/installed")) {
      ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
      reply(ex, endpoint, new Reply(StatusCodes.METHOD_NOT_ALLOWED, "method not allowed\n"));
      return;
    }
    if (endpoint.equals("/assets/")) {
      AssetResponses.serve(ex, files.assets(), path.substring("/assets/".length()), head,
          status -> metrics.request(endpoint, status));
      return;
    }
    Reply r;
    Match[] matched = new Match[1];
    RenderCache answers = renders();
    try {
      r = switch (endpoint) {
        case "/boot.ipxe" -> new Reply(StatusCodes.OK, answers.boot());
        case "/ipxe" -> ipxe(ex, answers, matched);
        case "/grub" -> grub(ex, answers, matched);
        case "/cloud-config" -> cloudConfig(ex, answers, matched);
        case "/metadata" -> metadata(ex, answers, matched);
        case "/installed" -> installed(ex, answers, matched);
        default -> new Reply(StatusCodes.NOT_FOUND, "not found\n");
      };
    } catch (IllegalArgumentException bad) {
      r = new Reply(StatusCodes.BAD_REQUEST, bad.getMessage() + "\n");
    }
    if (r == null) {
      ex.dispatch(this);    // a cloud-config to render: on a worker, not the I/O thread
      return;
    }
    reply(ex, endpoint, r);
    if (matched[0] != null) {
      record(ex, endpoint, matched[0], r);
    }
  }

  /**
   * The answers of the set being served for the public URL: the cache kept while neither changes,
   * a new one (the old dropped whole) as soon as one does, so a reload is answered from at once.
   */
  private RenderCache renders() {
    BootData data = files.current();
    String url = publicUrl.get();
    RenderCache r = renders;
    if (r.data() != data || !r.publicUrl().equals(url)) {
      r = new RenderCache(data, url);
      renders = r;
    }
    return r;
  }

  /** Hands the answered request to the inventory; a failure there never reaches the machine. */
  private void record(HttpServerExchange ex, String endpoint, Match m, Reply r) {
    try {
      String outcome = r.status() + " " + (r.outcome() != null ? r.outcome()
          : r.status() == StatusCodes.OK && m.found() ? "profile " + m.profile().id()
          : m.found() ? r.body().lines().findFirst().orElse("") : m.reason());
      seen.accept(new BootRequest(m.labels().values(), ex.getSourceAddress().getAddress().getHostAddress(),
          m.group() == null ? "" : m.group().id(), m.profile() == null ? "" : m.profile().id(), endpoint, outcome));
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "the machine inventory did not take a request: " + e.getMessage());
    }
  }

  /** A status and a text body; {@code outcome}, when not null, is what the inventory is told was served. */
  private record Reply(int status, String body, String outcome) {
    Reply(int status, String body) {
      this(status, body, null);
    }
  }

  /** Counts the reply, then sends it (so a client never sees an answer before it is counted). */
  private void reply(HttpServerExchange ex, String endpoint, Reply r) {
    metrics.request(endpoint, r.status());
    text(ex, r.status(), r.body());
  }

  /** The labels of the request; IllegalArgumentException (400) for a repeated or bad one. */
  private static Labels labels(HttpServerExchange ex) {
    Map<String, String> given = new LinkedHashMap<>();
    for (Map.Entry<String, Deque<String>> e : ex.getQueryParameters().entrySet()) {
      if (e.getValue().size() > 1) {
        throw new IllegalArgumentException("label " + Labels.checkName(e.getKey(), "label") + " is given "
            + e.getValue().size() + " times");
      }
      given.put(e.getKey(), e.getValue().getFirst());
    }
    return Labels.of(given);
  }

  private Reply ipxe(HttpServerExchange ex, RenderCache answers, Match[] matched) {
    Match m = answers.data().match(labels(ex));
    matched[0] = m;
    Optional<Installs.Installed> done = installed(m);
    if (done.isPresent()) {
      return new Reply(StatusCodes.OK, IpxeScripts.localBoot(done.get()), LOCAL_DISK);
    }
    return new Reply(StatusCodes.OK, answers.ipxe(m));
  }

  /** What the inventory is told a machine sent to its disk was served. */
  private static final String LOCAL_DISK = "local disk (installed)";

  /** The machine's install mark, when it has one and its group's profile is install-once (from memory). */
  private Optional<Installs.Installed> installed(Match m) {
    return m.found() && m.profile().installOnce() ? installs.of(m.labels()) : Optional.empty();
  }

  /**
   * {@code POST /installed}: records the machine installed with its group's profile, when that is
   * install-once (409 when not, 404 when nothing matches). On a worker thread.
   */
  private Reply installed(HttpServerExchange ex, RenderCache answers, Match[] matched) {
    Match m = answers.data().match(labels(ex));
    matched[0] = m;
    if (!m.found()) {
      return new Reply(StatusCodes.NOT_FOUND, m.reason() + "\n");
    }
    if (!m.profile().installOnce()) {
      return new Reply(StatusCodes.CONFLICT, "profile " + m.profile().id() + " of group " + m.group().id()
          + " is not install_once: nothing recorded, its machines install on every network boot\n");
    }
    Installs.Installed i;
    try {
      i = installs.record(m.labels(), m.profile().id(), ex.getSourceAddress().getAddress().getHostAddress());
    } catch (IllegalStateException e) {
      LOG.log(System.Logger.Level.WARNING, "an install was not recorded: " + e.getMessage());
      return new Reply(StatusCodes.SERVICE_UNAVAILABLE, "not recorded: " + e.getMessage() + "\n");
    }
    return new Reply(StatusCodes.OK, "installed: " + i.machine() + " (profile " + i.profile()
        + "); its next network boot goes to its disk\n", "installed (profile " + i.profile() + ")");
  }

  private Reply grub(HttpServerExchange ex, RenderCache answers, Match[] matched) {
    Match m = answers.data().match(labels(ex));
    matched[0] = m;
    if (!m.found()) {
      return new Reply(StatusCodes.NOT_FOUND, m.reason() + "\n");
    }
    Optional<Installs.Installed> done = installed(m);
    if (done.isPresent()) {
      return new Reply(StatusCodes.OK, GrubConfigs.localBoot(done.get()), LOCAL_DISK);
    }
    RenderCache.Grub g = answers.grub(m);
    if (g.error() != null) {
      return new Reply(StatusCodes.NOT_FOUND, "profile " + m.profile().id() + " cannot boot with GRUB: "
          + g.error() + "\n");
    }
    return new Reply(StatusCodes.OK, g.config());
  }

  private Reply cloudConfig(HttpServerExchange ex, RenderCache answers, Match[] matched) {
    Match m = answers.data().match(labels(ex));
    matched[0] = m;
    if (!m.found()) {
      return new Reply(StatusCodes.NOT_FOUND, m.reason() + "\n");
    }
    CloudConfigs.Result r = ex.isInIoThread() ? answers.keptCloudConfig(m) : answers.cloudConfig(m);
    if (r == null) {
      return null;
    }
    if (r instanceof CloudConfigs.Served s) {
      return new Reply(StatusCodes.OK, s.text());
    }
    if (r instanceof CloudConfigs.NoTemplate n) {
      return new Reply(StatusCodes.NOT_FOUND, n.reason() + "\n");
    }
    CloudConfigs.Rejected rejected = (CloudConfigs.Rejected) r;
    LOG.log(System.Logger.Level.WARNING, rejected.reason());
    return new Reply(StatusCodes.INTERNAL_SERVER_ERROR, rejected.report());
  }

  private Reply metadata(HttpServerExchange ex, RenderCache answers, Match[] matched) {
    Match m = answers.data().match(labels(ex));
    matched[0] = m;
    if (m.group() == null) {
      return new Reply(StatusCodes.NOT_FOUND, m.reason() + "\n");
    }
    return new Reply(StatusCodes.OK, MetadataLines.of(Variables.forMetadata(m.group(), m.labels(), answers.publicUrl())));
  }

  /** Sends {@code body} as UTF-8 text, not to be cached; returns {@code status}. */
  static int text(HttpServerExchange ex, int status, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
    ex.getResponseSender().send(java.nio.ByteBuffer.wrap(body.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    return status;
  }
}
