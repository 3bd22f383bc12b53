package dev.cairn.omaha.http;

import dev.cairn.omaha.OmahaRequest;
import dev.cairn.omaha.OmahaXml;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.UpdateService;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.connector.ByteBufferPool;
import io.undertow.server.DefaultByteBufferPool;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.server.RoutingHandler;
import io.undertow.server.handlers.GracefulShutdownHandler;
import io.undertow.server.protocol.http.HttpOpenListener;
import io.undertow.util.Headers;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.xnio.ChannelListeners;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioExecutor;
import org.xnio.XnioWorker;
import org.xnio.channels.AcceptingChannel;

/**
 * The HTTP side of the update server: {@code POST /v1/update/}, the reboot lock
 * ({@code POST /v1/pre-reboot} and {@code /v1/steady-state}, {@link FleetLockApi}), {@code /healthz}, {@code /metrics}
 * and the admin API under {@code /api/v1/}. {@link #routes} builds the route table for both
 * {@code cairn serve} and the tests.
 */
public final class OmahaServer implements AutoCloseable {
  public static final int MAX_BODY = 64 * 1024;
  /** The most bytes of request line and headers a request may carry. */
  public static final int MAX_HEADER_BYTES = 32 * 1024;
  static final int WORKERS = 16;
  /**
   * The threads that look public files up and send them ({@link FileSend}): disk reads stay off
   * the I/O threads, and downloads off the workers that serve the admin API. A transfer holds one
   * only while the socket takes bytes, never while the client is slow.
   */
  static final int FILE_THREADS = 4;
  private static final System.Logger LOG = System.getLogger(OmahaServer.class.getName());

  /**
   * The most of a request body Undertow reads before it drops the connection. Above
   * {@link #MAX_BODY} only to read and throw away the rest of a body answered 413 (see
   * {@link #tooLarge}); nothing above MAX_BODY is ever kept.
   */
  static final long DRAIN_LIMIT = 2 * 1024 * 1024;

  private final XnioWorker worker;
  private final AcceptingChannel<StreamConnection> listener;
  private final GracefulShutdownHandler graceful;
  private final Admission admission;
  private final ConnectionGate gate;
  private final Health health;
  private final ThreadPoolExecutor files;

  private OmahaServer(XnioWorker worker, AcceptingChannel<StreamConnection> listener, GracefulShutdownHandler graceful,
      Admission admission, ConnectionGate gate, Health health, ThreadPoolExecutor files) {
    this.worker = worker;
    this.listener = listener;
    this.graceful = graceful;
    this.admission = admission;
    this.gate = gate;
    this.health = health;
    this.files = files;
  }

  /** The update checks in flight and their limit. */
  public Admission admission() {
    return admission;
  }

  /** The open connections from {@code address} (0 without a limit per address: none are counted then). */
  int openConnections(InetAddress address) {
    return gate.open(address);
  }

  /** The open connections from every address (0 without a limit per address). */
  int openConnections() {
    return gate.open();
  }

  /** What the routes need. {@code adminApi} handles everything under /api/v1/ once authenticated. */
  public record Deps(UpdateService service, Store store, Metrics metrics, String adminToken, HttpHandler adminApi,
      HttpHandler publicFiles, Admission admission, java.util.List<Mount> mounts) {
    public Deps {
      mounts = java.util.List.copyOf(mounts);
    }

    /** Without other servers' routes. */
    public Deps(UpdateService service, Store store, Metrics metrics, String adminToken, HttpHandler adminApi,
        HttpHandler publicFiles, Admission admission) {
      this(service, store, metrics, adminToken, adminApi, publicFiles, admission, java.util.List.of());
    }

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
   * Another server's routes on this listener (the boot server, later ProxyDHCP's HTTP side): the
   * paths it serves, its handler (called on an I/O thread; it dispatches blocking work itself),
   * and a notice for the /healthz body when something needs the operator's eye but the server
   * still serves (the boot server keeping its last good data after a bad edit): it does not
   * make /healthz fail. The update server's own routes, /healthz and /metrics come first; a
   * mount's paths under /api/v1/ are reached only with the admin token, like the update server's.
   */
  public record Mount(String name, java.util.function.Predicate<String> serves, HttpHandler handler,
      java.util.function.Supplier<java.util.Optional<String>> notice) {}

  /**
   * The most update checks that may wait for their commit at once. A check no longer holds a
   * thread, so nothing else bounds them: if the database stalls (a disk that hangs, another
   * process holding the write lock), checks beyond this are answered 503 at once instead of
   * piling up in memory. update_engine takes a 503 as a failed check and tries again later. At
   * 20,000 checks/s this is about 200 ms of work. A check counts from when its whole body has
   * arrived, so clients that send no body take no place here (the body timeout closes them).
   */
  public static final int MAX_CHECKS_IN_FLIGHT = 4_096;

  /** Counts update checks between their arrival and their answer, up to a limit. */
  public static final class Admission {
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    /** When a check was last answered, or the first of the ones in flight arrived (System.nanoTime). */
    private volatile long progress = System.nanoTime();

    public Admission(int limit) {
      if (limit < 1) {
        throw new IllegalArgumentException("the limit of checks in flight must be at least 1, got " + limit);
      }
      this.limit = limit;
    }

    boolean enter() {
      int n = inFlight.incrementAndGet();
      if (n > limit) {
        inFlight.decrementAndGet();
        return false;
      }
      if (n == 1) {
        progress = System.nanoTime();
      }
      return true;
    }

    void leave() {
      progress = System.nanoTime();
      inFlight.decrementAndGet();
    }

    /** Checks admitted and not yet answered. */
    public int inFlight() {
      return inFlight.get();
    }

    int limit() {
      return limit;
    }

    /** How long checks have been waiting with none answered; 0 when none waits. */
    long waited(long now) {
      return inFlight.get() == 0 ? 0 : Math.max(0, now - progress);
    }
  }

  /** Listens on {@code host:port} with the default {@link Limits}. */
  public static OmahaServer start(String host, int port, Deps deps) {
    return start(host, port, deps, Limits.DEFAULTS);
  }

  /**
   * Listens on {@code host:port}. Undertow's own builder is not used because it has no place for
   * the {@link ConnectionGate} between the listening socket and the HTTP listener; this is the
   * same assembly, with the header and idle timeouts set and the gate in front.
   */
  public static OmahaServer start(String host, int port, Deps deps, Limits limits) {
    int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
    RefusalLog refusals = new RefusalLog();
    GracefulShutdownHandler graceful = Handlers.gracefulShutdown(routes(deps));
    XnioWorker worker = null;
    ThreadPoolExecutor files = null;
    Health health = null;
    try {
      worker = Xnio.getInstance(Undertow.class.getClassLoader()).createWorker(OptionMap.builder()
          .set(Options.WORKER_IO_THREADS, ioThreads)
          .set(Options.CONNECTION_HIGH_WATER, 1_000_000)
          .set(Options.CONNECTION_LOW_WATER, 1_000_000)
          // Update checks and downloads do not block a worker; workers serve the admin API.
          .set(Options.WORKER_TASK_CORE_THREADS, WORKERS)
          .set(Options.WORKER_TASK_MAX_THREADS, WORKERS)
          .set(Options.TCP_NODELAY, true)
          .set(Options.CORK, true)
          .getMap());
      files = new ThreadPoolExecutor(FILE_THREADS, FILE_THREADS, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          new NamedThreads("cairn-files"));
      XnioWorker w = worker;
      ConnectionGate[] gate = new ConnectionGate[1];
      health = new Health(worker, () -> w.getMXBean().getWorkerPoolSize() + " threads, "
          + w.getMXBean().getWorkerQueueSize() + " tasks queued", files, deps.admission(), limits.stall(), () -> {
            refusals.tick();
            if (gate[0] != null) {
              gate[0].sweep();
            }
          });
      OptionMap http = OptionMap.builder()
          .set(UndertowOptions.BUFFER_PIPELINED_DATA, true)
          .set(UndertowOptions.MAX_ENTITY_SIZE, DRAIN_LIMIT)
          // update_engine's and cairn admin's headers are a few hundred bytes; Undertow's default
          // of 1 MiB a request would let 256 connections of one address hold 256 MiB
          .set(UndertowOptions.MAX_HEADER_SIZE, MAX_HEADER_BYTES)
          .set(UndertowOptions.MAX_HEADERS, 100)
          .set(UndertowOptions.REQUEST_PARSE_TIMEOUT, Limits.millis(limits.headers()))
          .set(UndertowOptions.NO_REQUEST_TIMEOUT, Limits.millis(limits.idle()))
          .getMap();
      ByteBufferPool buffers = new DefaultByteBufferPool(true, 16 * 1024 - 20, -1, 4);
      HttpOpenListener open = new HttpOpenListener(buffers, http);
      open.setRootHandler(new Transport(graceful, limits, refusals, files, health));
      gate[0] = new ConnectionGate(open, limits.connectionsPerAddress(), refusals);
      AcceptingChannel<StreamConnection> listener = worker.createStreamConnectionServer(
          new InetSocketAddress(host, port), ChannelListeners.openListenerAdapter(gate[0]), OptionMap.builder()
              .set(Options.WORKER_IO_THREADS, ioThreads)
              .set(Options.TCP_NODELAY, true)
              .set(Options.REUSE_ADDRESSES, true)
              .set(Options.BALANCING_TOKENS, 1)
              .set(Options.BALANCING_CONNECTIONS, 2)
              .set(Options.BACKLOG, 1000)
              .getMap());
      listener.resumeAccepts();
      return new OmahaServer(worker, listener, graceful, deps.admission(), gate[0], health, files);
    } catch (IOException | RuntimeException e) {
      if (health != null) {
        health.close();
      }
      if (files != null) {
        files.shutdownNow();
      }
      if (worker != null) {
        worker.shutdownNow();
      }
      throw new IllegalStateException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** Daemon threads named {@code prefix-N}. */
  private static final class NamedThreads implements java.util.concurrent.ThreadFactory {
    private final String prefix;
    private final AtomicInteger n = new AtomicInteger();

    NamedThreads(String prefix) {
      this.prefix = prefix;
    }

    @Override
    public Thread newThread(Runnable r) {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }
  }

  public int port() {
    return listener.getLocalAddress(InetSocketAddress.class).getPort();
  }

  /** Lets in-flight requests finish (up to {@code millis}), then stops. */
  public void shutdown(long millis) {
    graceful.shutdown();
    try {
      graceful.awaitShutdown(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    IoUtils.safeClose(listener);
    health.close();
    files.shutdownNow();
    worker.shutdown();
    try {
      if (!worker.awaitTermination(millis, TimeUnit.MILLISECONDS)) {
        worker.shutdownNow();
      }
    } catch (InterruptedException e) {
      worker.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    shutdown(10_000);
  }

  public static HttpHandler routes(Deps deps) {
    FleetLockApi fleetLock = new FleetLockApi(new dev.cairn.omaha.RebootSlots(deps.store(), java.time.Clock.systemUTC()),
        deps.metrics());
    RoutingHandler r = Handlers.routing()
        .post("/v1/update/", ex -> update(ex, deps))
        .post("/v1/update", ex -> update(ex, deps))
        .get("/healthz", ex -> health(ex, deps))
        .get("/metrics", ex -> metrics(ex, deps))
        .setFallbackHandler(ex -> {
          if (FleetLockApi.serves(ex.getRelativePath())) {
            fleetLock.handleRequest(ex);    // every method: a wrong one is answered 405 with Allow
          } else if (ex.getRelativePath().startsWith("/api/v1/") || ex.getRelativePath().equals("/api/v1")) {
            admin(ex, deps);
          } else if (deps.publicFiles() != null && PublicFiles.serves(ex.getRelativePath())) {
            deps.publicFiles().handleRequest(ex);
          } else {
            for (Mount m : deps.mounts()) {
              if (m.serves().test(ex.getRelativePath())) {
                m.handler().handleRequest(ex);
                return;
              }
            }
            text(ex, StatusCodes.NOT_FOUND, "text/plain", "not found\n");
          }
        })
        .setInvalidMethodHandler(ex -> text(ex, StatusCodes.METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n"));
    return r;
  }

  /**
   * The update check, without holding a thread: the body is read as it arrives, on the I/O thread,
   * whatever its framing (a length or chunks); it is parsed there, the check joins the store's
   * next group commit, and the answer goes out on the I/O thread once it is committed. A check
   * takes its place among the {@link Admission} only once its body is in, and the whole body must
   * arrive within the body timeout, so clients that hold a body back hold neither a thread nor a
   * place. Past {@link #MAX_BODY} the rest is read and thrown away (up to {@link #DRAIN_LIMIT}),
   * then answered 413.
   */
  private static void update(HttpServerExchange ex, Deps deps) {
    long start = System.nanoTime();
    Transport t = Transport.of(ex);
    CheckBody body = new CheckBody(ex.getRequestContentLength());
    ex.getRequestReceiver().receivePartialBytes((e, bytes, last) -> {
      if (!body.add(bytes, last)) {
        return;
      }
      if (body.tooLarge()) {
        t.refusals().refused(e, "413 body larger than " + MAX_BODY + " bytes");
        e.setPersistent(false);
        text(e, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "text/plain", "request body larger than " + MAX_BODY + " bytes\n");
        done(deps, StatusCodes.REQUEST_ENTITY_TOO_LARGE, start);
        return;
      }
      arrived(e, deps, body.bytes(), start);
    }, (e, failure) -> {
      if (body.fail()) {
        unreadable(e, deps, failure, start);
      }
    });
    if (!body.settled()) {
      try {
        body.deadline = ex.getIoThread().executeAfter(() -> {
          if (body.fail()) {
            t.refusals().refused(ex, "the body did not arrive in full within " + StallGuards.text(t.limits().body())
                + "; connection closed");
            done(deps, StatusCodes.REQUEST_TIME_OUT, start);
            IoUtils.safeClose(ex.getConnection());
          }
        }, t.limits().body().toMillis(), TimeUnit.MILLISECONDS);
      } catch (RejectedExecutionException e) {
        IoUtils.safeClose(ex.getConnection());    // the server is stopping
      }
    }
  }

  /**
   * An update check's body as it arrives: kept up to {@link #MAX_BODY}, counted beyond. Settled
   * once, by its end, a failure or its deadline, on the connection's I/O thread.
   */
  private static final class CheckBody {
    private final ByteArrayOutputStream kept;
    private long size;
    private boolean settled;
    XnioExecutor.Key deadline;

    CheckBody(long declared) {
      kept = new ByteArrayOutputStream(declared > 0 && declared <= MAX_BODY ? (int) declared : 1024);
    }

    /** Takes {@code bytes}; true when they were the last and this settles the body. */
    boolean add(byte[] bytes, boolean last) {
      if (settled) {
        return false;
      }
      size += bytes.length;
      if (size <= MAX_BODY) {
        kept.write(bytes, 0, bytes.length);
      }
      return last && settle();
    }

    /** True when a failure settles the body (it was not settled yet). */
    boolean fail() {
      return settle();
    }

    private boolean settle() {
      if (settled) {
        return false;
      }
      settled = true;
      if (deadline != null) {
        deadline.remove();
      }
      return true;
    }

    boolean settled() {
      return settled;
    }

    boolean tooLarge() {
      return size > MAX_BODY;
    }

    byte[] bytes() {
      return kept.toByteArray();
    }
  }

  /** The whole body is in: parse it, take a place among the checks in flight, and submit it. */
  private static void arrived(HttpServerExchange ex, Deps deps, byte[] body, long start) {
    Transport t = Transport.of(ex);
    OmahaRequest req;
    try {
      req = OmahaXml.parseRequest(body);
    } catch (OmahaXml.BadRequest bad) {
      t.refusals().refused(ex, "400 " + bad.getMessage());
      text(ex, StatusCodes.BAD_REQUEST, "text/plain", bad.getMessage() + "\n");
      done(deps, StatusCodes.BAD_REQUEST, start);
      return;
    }
    if (!deps.admission().enter()) {
      t.refusals().refused(ex, "503 busy: " + deps.admission().limit() + " checks wait for the database already");
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
    String ip = ex.getSourceAddress().getAddress().getHostAddress();
    ex.dispatch(SameThreadExecutor.INSTANCE, () -> deps.service().submit(req, ip).whenComplete((out, failure) ->
        ex.getIoThread().execute(() -> answer(ex, deps, req, out, failure, start))));
  }

  /**
   * The body could not be read: 413 past {@link #DRAIN_LIMIT}, 400 for a broken body (a malformed
   * chunk, a connection closed early) while the exchange can still be answered. A client cut off
   * by the body timeout is logged by {@link StallGuards}, and its connection is closed.
   */
  private static void unreadable(HttpServerExchange ex, Deps deps, IOException failure, long start) {
    boolean answerable = !ex.isResponseStarted() && ex.getConnection().isOpen();
    if (failure instanceof StallGuards.Stalled) {
      done(deps, StatusCodes.REQUEST_TIME_OUT, start);
      return;
    }
    RefusalLog refusals = Transport.of(ex).refusals();
    if (failure instanceof RequestTooBigException) {
      refusals.refused(ex, "413 body larger than " + DRAIN_LIMIT + " bytes" + (answerable ? "" : "; connection closed"));
      if (answerable) {
        ex.setPersistent(false);
        text(ex, StatusCodes.REQUEST_ENTITY_TOO_LARGE, "text/plain", "request body larger than " + MAX_BODY + " bytes\n");
      }
      done(deps, StatusCodes.REQUEST_ENTITY_TOO_LARGE, start);
      return;
    }
    refusals.refused(ex, "400 the body could not be read (" + failure.getMessage() + ")"
        + (answerable ? "" : "; connection closed"));
    if (answerable) {
      ex.setPersistent(false);
      text(ex, StatusCodes.BAD_REQUEST, "text/plain", "could not read the request body\n");
    } else {
      IoUtils.safeClose(ex.getConnection());
    }
    done(deps, StatusCodes.BAD_REQUEST, start);
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

  /**
   * 200 while the database answers and nothing is stalled ({@link Health}); 503 with the reason
   * otherwise. Runs on the health probe's own thread, never an I/O thread or a pool it watches.
   */
  private static void health(HttpServerExchange ex, Deps deps) {
    Health health = Transport.of(ex).health();
    if (ex.isInIoThread()) {
      ex.dispatch(health.probes(), e -> health(e, deps));
      return;
    }
    String problem = deps.store().healthy() ? health.problem() : "database unavailable";
    StringBuilder notices = new StringBuilder();
    for (Mount m : deps.mounts()) {
      m.notice().get().ifPresent(n -> notices.append(m.name()).append(": ").append(n).append('\n'));
    }
    int status = problem == null ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE;
    deps.metrics().request("/healthz", status);
    text(ex, status, "text/plain", (problem == null ? "ok\n" : problem + "\n") + notices);
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
    for (Mount m : deps.mounts()) {
      if (m.serves().test(ex.getRelativePath())) {
        m.handler().handleRequest(ex);    // another server's admin routes, behind the same token
        return;
      }
    }
    deps.adminApi().handleRequest(ex);
  }

  static void text(HttpServerExchange ex, int status, String type, String body) {
    ex.setStatusCode(status);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, type);
    ex.getResponseSender().send(body, StandardCharsets.UTF_8);
  }
}
