package dev.cairn.omaha.cli;

import dev.cairn.omaha.UpdateService;
import dev.cairn.omaha.http.AdminApi;
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

  @Override
  public Integer call() throws Exception {
    for (java.util.logging.Logger quiet : QUIET) {
      quiet.setLevel(java.util.logging.Level.WARNING);
    }
    Files.createDirectories(dataDir);
    ServerConfig cfg = ServerConfig.resolve(listen, publicUrl, dataDir, System.getenv());
    PrintWriter out = spec.commandLine().getOut();
    Path tokenFile = dataDir.resolve("admin.token");
    boolean newToken = ensureToken(tokenFile);
    String token = Files.readString(tokenFile, StandardCharsets.US_ASCII).trim();
    SqliteStore store = SqliteStore.open(dataDir.resolve("cairn.db"));
    store.seedDefaults();
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    Metrics metrics = new Metrics(registry);
    UpdateService service = new UpdateService(store, Clock.systemUTC());
    boolean unsigned = allowUnsigned || ServerConfig.allowUnsigned(dataDir);
    PayloadApi payloads = new PayloadApi(store, () -> publicUrl(cfg), dataDir, releaseKeys, unsigned);
    OmahaServer server = OmahaServer.start(cfg.host(), cfg.port(),
        new OmahaServer.Deps(service, store, metrics, token, new AdminApi(store, () -> publicUrl(cfg), payloads),
            new PublicFiles(store, dataDir)));
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
