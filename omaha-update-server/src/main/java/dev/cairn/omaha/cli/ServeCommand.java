package dev.cairn.omaha.cli;

import dev.cairn.omaha.AddressQuota;
import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.files.OwnerOnly;
import dev.cairn.omaha.http.AdminApi;
import dev.cairn.omaha.http.Limits;
import dev.cairn.omaha.http.Metrics;
import dev.cairn.omaha.http.OmahaServer;
import dev.cairn.omaha.http.PayloadApi;
import dev.cairn.omaha.http.PublicFiles;
import dev.cairn.omaha.sqlite.SqliteStore;
import dev.cairn.signing.ReleaseKeys;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn serve}: the update server (and, as they arrive, the other servers) in one process. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = {"Run Cairn's servers: the Omaha update endpoint, health, metrics and the admin API.",
        "First start creates the data directory, the database with the CoreOS app, channels",
        "alpha, beta, stable and a group for each, and an admin token file."})
public final class ServeCommand implements Callable<Integer> {
  /**
   * The libraries' loggers, turned down to warnings at start. Held here because the logging
   * framework holds loggers only weakly: one collected by the garbage collector comes back
   * without the level that was set on it.
   */
  private static final java.util.logging.Logger[] QUIET = {java.util.logging.Logger.getLogger("io.undertow"),
      java.util.logging.Logger.getLogger("org.xnio"), java.util.logging.Logger.getLogger("org.jboss")};

  @Spec CommandSpec spec;

  /** Checks release signatures; null serves no keys, uploads or files (the tests' stand-alone main). */
  private final ReleaseKeys releaseKeys;

  /** {@code releaseKeys} checks the signatures of the payloads and installer images the server hosts. */
  public ServeCommand(ReleaseKeys releaseKeys) {
    this.releaseKeys = java.util.Objects.requireNonNull(releaseKeys, "releaseKeys");
  }

  @Option(names = "--allow-unsigned",
      description = "For development only: accept packages and images without a signature (also allow_unsigned: true in cairn.yaml).")
  boolean allowUnsigned;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Address to listen on (default " + ServerConfig.DEFAULT_LISTEN + ").")
  String listen;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "cairn-data",
      description = "Where the database, token and settings live (default: ${DEFAULT-VALUE}).")
  Path dataDir;

  @Option(names = "--public-url", paramLabel = "URL",
      description = "Base URL machines reach this server at, used in responses (default: from the listen address).")
  String publicUrl;

  @Option(names = "--address-grants", paramLabel = "N",
      description = "New update grants one client address may cause per hour (default 20; 0: no limit; also address_grants_per_hour in cairn.yaml).")
  Integer addressGrants;

  @Option(names = "--address-failures", paramLabel = "N",
      description = "Failure reports from one client address that count toward a group's failure brake per hour (default 2; 0: no limit; also address_failures_per_hour).")
  Integer addressFailures;

  @Option(names = "--header-timeout", paramLabel = "DURATION",
      description = "Close a connection whose request line and headers take longer than this from their first byte"
          + " (default 10s; header_timeout in cairn.yaml). Durations: 500ms, 30s, 2m, 1h.")
  String headerTimeout;

  @Option(names = "--body-timeout", paramLabel = "DURATION",
      description = "Close a connection whose request body pauses longer than this, or whose update check's body"
          + " takes longer in all; no answer is sent (default 30s; body_timeout).")
  String bodyTimeout;

  @Option(names = "--idle-timeout", paramLabel = "DURATION",
      description = "Close a connection that sends no request for this long, new or kept alive (default 60s;"
          + " idle_timeout).")
  String idleTimeout;

  @Option(names = "--write-timeout", paramLabel = "DURATION",
      description = "Close a connection whose client takes no byte of the answer (a download, say) for this long"
          + " (default 60s; write_timeout).")
  String writeTimeout;

  @Option(names = "--max-connections-per-address", paramLabel = "N",
      description = "Close at once a new connection from an address that holds N open already; 0 for no limit."
          + " Raise it behind a proxy or for a benchmark from one machine (default 256;"
          + " max_connections_per_address).")
  Integer maxConnectionsPerAddress;

  @Option(names = "--stall-timeout", paramLabel = "DURATION",
      description = "/healthz answers 503 with the reason once the worker or file threads, or the update checks,"
          + " have made no progress for this long (default 10s; stall_timeout).")
  String stallTimeout;

  @Override
  public Integer call() throws Exception {
    for (java.util.logging.Logger quiet : QUIET) {
      quiet.setLevel(java.util.logging.Level.WARNING);
    }
    for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
      h.setFormatter(new LogLines());
    }
    PrintWriter out = spec.commandLine().getOut();
    OwnerOnly.directories(dataDir);
    ServerConfig cfg = ServerConfig.resolve(listen, publicUrl, dataDir, System.getenv());
    AddressQuota.Limits addressLimits = ServerConfig.addressLimits(addressGrants, addressFailures, dataDir);
    Limits limits = ServerConfig.limits(headerTimeout, bodyTimeout, idleTimeout, writeTimeout,
        maxConnectionsPerAddress, stallTimeout, dataDir);
    Path tokenFile = dataDir.resolve("admin.token");
    AdminTokenFile.Token token = AdminTokenFile.ensure(tokenFile);
    tightenDataDir(out);
    SqliteStore store = SqliteStore.open(dataDir.resolve("cairn.db"));
    store.seedDefaults();
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    Metrics metrics = new Metrics(registry);
    UpdateService service = new UpdateService(store, Clock.systemUTC(), new AddressQuota(addressLimits));
    boolean unsigned = allowUnsigned || ServerConfig.allowUnsigned(dataDir);
    PayloadApi payloads = new PayloadApi(store, () -> publicUrl(cfg), dataDir, releaseKeys, unsigned);
    OmahaServer server = OmahaServer.start(cfg.host(), cfg.port(),
        new OmahaServer.Deps(service, store, metrics, token.value(), new AdminApi(store, () -> publicUrl(cfg), payloads),
            new PublicFiles(store, dataDir)), limits);
    boundPort = server.port();
    out.printf("cairn serve: listening on %s:%d, public URL %s%n", cfg.host(), server.port(), publicUrl(cfg));
    out.printf("cairn serve: data in %s; admin token in %s%s%n", dataDir, tokenFile, token.created() ? " (new)" : "");
    if (unsigned) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("cairn serve: WARNING: --allow-unsigned: packages and images WITHOUT A SIGNATURE are accepted"
          + " and served to machines. For development only; never run a production server like this.");
      err.flush();
    }
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.shutdown(10_000);
      store.close();
      stopped.countDown();
    }, "cairn-shutdown"));
    stopped.await();
    return 0;
  }

  private volatile int boundPort;

  private String publicUrl(ServerConfig cfg) {
    return cfg.publicUrlAwaitsPort() ? ServerConfig.defaultPublicUrl(cfg.host(), boundPort) : cfg.publicUrl();
  }

  /**
   * Data directories made by earlier versions, or by hand, may be open to the group or to everyone:
   * the directory itself and the database files are Cairn's own, so they are made owner-only at
   * start, and the server says so.
   */
  private void tightenDataDir(PrintWriter out) throws IOException {
    if (OwnerOnly.tighten(dataDir, true)) {
      out.printf("cairn serve: %s was open to group or others; now 0700%n", dataDir);
    }
    for (String name : new String[] {"cairn.db", "cairn.db-wal", "cairn.db-shm"}) {
      if (OwnerOnly.tighten(dataDir.resolve(name), false)) {
        out.printf("cairn serve: %s was open to group or others; now 0600%n", dataDir.resolve(name));
      }
    }
  }
}
