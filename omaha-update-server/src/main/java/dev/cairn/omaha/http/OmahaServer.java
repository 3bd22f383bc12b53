package dev.cairn.omaha.http;

import dev.cairn.omaha.OmahaRequest;
import dev.cairn.omaha.OmahaXml;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.UpdateService;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.BlockingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP side of the update server: {@code POST /v1/update/}, {@code /healthz}, {@code /metrics}
 * and the admin API under {@code /api/v1/}. {@link #routes} builds the route table for both
 * {@code cairn serve} and the tests.
 */
public final class OmahaServer implements AutoCloseable {
  public static final int MAX_BODY = 64 * 1024;
  static final int WORKERS = 16;
  private static final System.Logger LOG = System.getLogger(OmahaServer.class.getName());

  /**
   * The most of a request body Undertow reads before it drops the connection. Above
   * {@link #MAX_BODY} only to read and throw away the rest of a body answered 413 (see
   * {@link #tooLarge}); nothing above MAX_BODY is ever kept.
   */
  static final long DRAIN_LIMIT = 2 * 1024 * 1024;

  private final Undertow undertow;
  private final GracefulShutdownHandler graceful;

  private final Admission admission;

  private OmahaServer(Undertow undertow, GracefulShutdownHandler graceful, Admission admission) {
    this.undertow = undertow;
    this.graceful = graceful;
    this.admission = admission;
  }

  /** The update checks in flight and their limit. */
  public Admission admission() {
    return admission;
  }

  /** What the routes need. {@code adminApi} handles everything under /api/v1/ once authenticated. */
  public record Deps(UpdateService service, Store store, Metrics metrics, String adminToken, HttpHandler adminApi,
      HttpHandler publicFiles, Admission admission) {
    /** With the default limit on update checks in flight. */
    public Deps(UpdateService service, Store store, Metrics metrics, String adminToken, HttpHandler adminApi,
        HttpHandler publicFiles) {
      this(service, store, metrics, adminToken, adminApi, publicFiles, new Admission(MAX_CHECKS_IN_FLIGHT));
    }

    /** Without public file hosting. */
    public Deps(UpdateService service, Store store, Metrics metrics, String adminToken, HttpHandler adminApi) {
      this(service, store, metrics, adminToken, adminApi, null);
    }
  }

  /**
   * The most update checks that may wait for their commit at once. A check no longer holds a
   * thread, so nothing else bounds them: if the database stalls (a disk that hangs, another
   * process holding the write lock), checks beyond this are answered 503 at once instead of
   * piling up in memory. update_engine takes a 503 as a failed check and tries again later. At
   * 20,000 checks/s this is about 200 ms of work.
   */
  public static final int MAX_CHECKS_IN_FLIGHT = 4_096;

  /** Counts update checks between their arrival and their answer, up to a limit. */
  public static final class Admission {
    private final int limit;
    private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();

    public Admission(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("the limit of checks in flight must be at least 1, got " + limit);
      }
      this.limit = limit;
    }

    boolean enter() {
      if (inFlight.incrementAndGet() > limit) {
        inFlight.decrementAndGet();
        return false;
      }
      return true;
    }

    void leave() {
      inFlight.decrementAndGet();
    }

    /** Checks admitted and not yet answered. */
    public int inFlight() {
      return inFlight.get();
    }
  }

  public static OmahaServer start(String host, int port, Deps deps) {
    GracefulShutdownHandler graceful = Handlers.gracefulShutdown(routes(deps));
    Undertow u = Undertow.builder()
        .addHttpListener(port, host)
        .setIoThreads(Math.max(2, Runtime.getRuntime().availableProcessors()))
        // Update checks do not block a worker (see update); workers serve the admin API and odd bodies.
        .setWorkerThreads(WORKERS)
        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, DRAIN_LIMIT)
        .setHandler(graceful)
        .build();
    u.start();
    return new OmahaServer(u, graceful, deps.admission());
  }

  public int port() {
    return ((InetSocketAddress) undertow.getListenerInfo().get(0).getAddress()).getPort();
  }

  /** Lets in-flight requests finish (up to {@code millis}), then stops. */
  public void shutdown(long millis) {
    graceful.shutdown();
    try {
      graceful.awaitShutdown(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    undertow.stop();
  }

  @Override
  public void close() {
    shutdown(10_000);
  }

  public static HttpHandler routes(Deps deps) {
    RoutingHandler r = Handlers.routing()
        .post("/v1/update/", ex -> update(ex, deps))
        .post("/v1/update", ex -> update(ex, deps))
        .get("/healthz", ex -> health(ex, deps))
        .get("/metrics", ex -> metrics(ex, deps))
        .setFallbackHandler(ex -> {
          if (ex.getRelativePath().startsWith("/api/v1/") || ex.getRelativePath().equals("/api/v1")) {
            admin(ex, deps);
          } else if (deps.publicFiles() != null && PublicFiles.serves(ex.getRelativePath())) {
            deps.publicFiles().handleRequest(ex);
          } else {
            text(ex, StatusCodes.NOT_FOUND, "text/plain", "not found\n");
          }
        })
        .setInvalidMethodHandler(ex -> text(ex, StatusCodes.METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n"));
    return r;
  }

  /**
   * The update check, without blocking a thread: the body is read and parsed on the I/O thread,
   * the check joins the store's next group commit, and the answer goes out on the I/O thread once
   * it is committed. Bodies without a length, or longer than {@link #MAX_BODY}, take the blocking
   * path (a worker thread), which answers them 413 or reads a chunked body up to the limit.
   */
  private static void update(HttpServerExchange ex, Deps deps) {
    if (!deps.admission().enter()) {
      ex.setPersistent(false);
      ex.getResponseHeaders().put(Headers.RETRY_AFTER, "60");
      text(ex, StatusCodes.SERVICE_UNAVAILABLE, "text/plain", "the server is busy; try again later\n");
      deps.metrics().request("/v1/update/", StatusCodes.SERVICE_UNAVAILABLE);
      return;
    }
    ex.addExchangeCompleteListener((done, next) -> {
      deps.admission().leave();
      next.proceed();
    });
    long declared = ex.getRequestContentLength();
    if (declared < 0 || declared > MAX_BODY) {
      ex.dispatch(new BlockingHandler(e -> blockingUpdate(e, deps)));
      return;
    }
    long start = System.nanoTime();
    ex.getRequestReceiver().receiveFullBytes((e, body) -> {
      OmahaRequest req;
      try {
        req = OmahaXml.parseRequest(body);
      } catch (OmahaXml.BadRequest bad) {
        text(e, StatusCodes.BAD_REQUEST, "text/plain", bad.getMessage() + "\n");
        done(deps, StatusCodes.BAD_REQUEST, start);
        return;
      }
      String ip = e.getSourceAddress().getAddress().getHostAddress();
      e.dispatch(SameThreadExecutor.INSTANCE, () -> deps.service().submit(req, ip).whenComplete((out, failure) ->
          e.getIoThread().execute(() -> answer(e, deps, req, out, failure, start))));
    }, (e, failure) -> {
      text(e, StatusCodes.BAD_REQUEST, "text/plain", "could not read the request body\n");
      done(deps, StatusCodes.BAD_REQUEST, start);
    });
  }

  private static void answer(HttpServerExchange ex, Deps deps, OmahaRequest req, UpdateService.Outcome out,
      Throwable failure, long start) {
    if (failure != null) {
      LOG.log(System.Logger.Level.ERROR, "update check failed", failure);
      text(ex, StatusCodes.INTERNAL_SERVER_ERROR, "text/plain", "the update check could not be stored\n");
      done(deps, StatusCodes.INTERNAL_SERVER_ERROR, start);
      return;
    }
    count(deps, req, out);
    text(ex, StatusCodes.OK, "text/xml; charset=utf-8", OmahaXml.renderResponse(out.response()));
    done(deps, StatusCodes.OK, start);
  }

  private static void count(Deps deps, OmahaRequest req, UpdateService.Outcome out) {
    for (OmahaRequest.App a : req.apps()) {
      for (OmahaRequest.Event e : a.events()) {
        deps.metrics().event(e.type(), e.result());
      }
    }
    for (String v : out.verdicts()) {
      if (!v.equals("ping") && !v.equals("event")) {
        deps.metrics().verdict(v);
      }
    }
  }

  private static void done(Deps deps, int status, long start) {
    deps.metrics().request("/v1/update/", status);
    deps.metrics().latency(System.nanoTime() - start);
  }

  /** The update check on a worker thread, for bodies without a declared length or over the limit. */
  private static void blockingUpdate(HttpServerExchange ex, Deps deps) {
    long start = System.nanoTime();
    int status;
    try {
      byte[] body = readBody(ex);
      OmahaRequest req = OmahaXml.parseRequest(body);
      UpdateService.Outcome out = deps.service().handle(req, ex.getSourceAddress().getAddress().getHostAddress());
      count(deps, req, out);
      status = StatusCodes.OK;
      text(ex, status, "text/xml; charset=utf-8", OmahaXml.renderResponse(out.response()));
    } catch (RequestTooBigException e) {
      status = StatusCodes.REQUEST_ENTITY_TOO_LARGE;
      tooLarge(ex, "text/plain", "request body larger than " + MAX_BODY + " bytes\n");
    } catch (OmahaXml.BadRequest e) {
      status = StatusCodes.BAD_REQUEST;
      text(ex, status, "text/plain", e.getMessage() + "\n");
    } catch (IOException e) {
      status = StatusCodes.BAD_REQUEST;
      text(ex, status, "text/plain", "could not read the request body\n");
    }
    done(deps, status, start);
  }

  private static byte[] readBody(HttpServerExchange ex) throws IOException {
    long declared = ex.getRequestContentLength();
    if (declared > MAX_BODY) {
      throw new RequestTooBigException();
    }
    ex.startBlocking();
    byte[] body = ex.getInputStream().readNBytes(MAX_BODY + 1);
    if (body.length > MAX_BODY) {
      throw new RequestTooBigException();
    }
    return body;
  }

  /**
   * Answers 413 and closes the connection. The rest of the body is never parsed as a next request
   * (the connection is not kept alive), and it is read and thrown away after the answer went out,
   * up to {@link #DRAIN_LIMIT}: closing a socket with unread data resets it, and the client may
   * then never see the answer.
   */
  static void tooLarge(HttpServerExchange ex, String type, String body) {
    if (ex.isResponseStarted()) {
      return;    // Undertow dropped the connection already (past DRAIN_LIMIT)
    }
    ex.setPersistent(false);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.setStatusCode(StatusCodes.REQUEST_ENTITY_TOO_LARGE);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, bytes.length);
    try {
      if (!ex.isBlocking()) {
        ex.startBlocking();
      }
      ex.getOutputStream().write(bytes);
      ex.getOutputStream().flush();
      ex.getInputStream().transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      // past DRAIN_LIMIT, or the client went away: the connection closes either way
    }
  }

  private static void health(HttpServerExchange ex, Deps deps) {
    boolean ok = deps.store().healthy();
    deps.metrics().request("/healthz", ok ? 200 : 503);
    text(ex, ok ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE, "text/plain", ok ? "ok\n" : "database unavailable\n");
  }

  /** The registry in the format the Accept header asks for; rendered on a worker, not the I/O thread. */
  private static void metrics(HttpServerExchange ex, Deps deps) {
    if (ex.isInIoThread()) {
      ex.dispatch(e -> metrics(e, deps));
      return;
    }
    Metrics.Scrape s = deps.metrics().scrape(ex.getRequestHeaders().getFirst(Headers.ACCEPT));
    ex.setStatusCode(StatusCodes.OK);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, s.contentType());
    ex.getResponseSender().send(java.nio.ByteBuffer.wrap(s.body()));
  }

  private static void admin(HttpServerExchange ex, Deps deps) throws Exception {
    if (!BearerToken.matches(ex.getRequestHeaders().getFirst(Headers.AUTHORIZATION), deps.adminToken())) {
      ex.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer realm=\"cairn\"");
      deps.metrics().request("/api/v1/", 401);
      text(ex, StatusCodes.UNAUTHORIZED, "application/json", "{\"error\": \"a valid bearer token is required\"}\n");
      return;
    }
    deps.adminApi().handleRequest(ex);
  }

  static void text(HttpServerExchange ex, int status, String type, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }
}
