package dev.cairn.omaha.cli;

import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.http.AdminApi;
import dev.cairn.omaha.http.Limits;
import dev.cairn.omaha.http.Metrics;
import dev.cairn.omaha.http.OmahaServer;
import dev.cairn.omaha.http.PayloadApi;
import dev.cairn.omaha.http.PublicFiles;
import dev.cairn.omaha.sqlite.SqliteStore;
import dev.cairn.signing.ReleaseKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Set;
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
    Files.createDirectories(dataDir);
    ServerConfig cfg = ServerConfig.resolve(listen, publicUrl, dataDir, System.getenv());
    Limits limits = ServerConfig.limits(headerTimeout, bodyTimeout, idleTimeout, writeTimeout,
        maxConnectionsPerAddress, stallTimeout, dataDir);
    PrintWriter out = spec.commandLine().getOut();
    Path tokenFile = dataDir.resolve("admin.token");
    boolean newToken = ensureToken(tokenFile);
    String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
    SqliteStore store = SqliteStore.open(dataDir.resolve("cairn.db"));
    store.seedDefaults();
    Metrics metrics = new Metrics();
    UpdateService service = new UpdateService(store, Clock.systemUTC());
    boolean unsigned = allowUnsigned || ServerConfig.allowUnsigned(dataDir);
    PayloadApi payloads = new PayloadApi(store, () -> publicUrl(cfg), dataDir, releaseKeys, unsigned);
    OmahaServer server = OmahaServer.start(cfg.host(), cfg.port(),
        new OmahaServer.Deps(service, store, metrics, token, new AdminApi(store, () -> publicUrl(cfg), payloads),
            new PublicFiles(store, dataDir)), limits);
    boundPort = server.port();
    out.printf("cairn serve: listening on %s:%d, public URL %s%n", cfg.host(), server.port(), publicUrl(cfg));
    out.printf("cairn serve: data in %s; admin token in %s%s%n", dataDir, tokenFile, newToken ? " (new)" : "");
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

  /** Creates the admin token file (0600) with 256 random bits unless it exists; true when created. */
  static boolean ensureToken(Path file) throws IOException {
    if (Files.exists(file)) {
      return false;
    }
    byte[] raw = new byte[32];
    new SecureRandom().nextBytes(raw);
    try (var ch = Files.newByteChannel(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ch.write(java.nio.ByteBuffer.wrap((HexFormat.of().formatHex(raw) + "\n").getBytes(StandardCharsets.US_ASCII)));
    }
    return true;
  }
}
