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
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.signing.ReleaseKeys;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The update server of {@code cairn serve} and the listener every server of the process shares,
 * started in two steps so the composition can put other servers' routes on it: {@link #prepare}
 * checks the settings and the admin token and makes the data directory (nothing listens yet, and
 * a refused start leaves no trace), then {@link Prepared#start} opens the database and listens.
 */
public final class UpdateServer implements AutoCloseable {
  /**
   * The libraries' loggers, turned down to warnings at start. Held here because the logging
   * framework holds loggers only weakly: one collected by the garbage collector comes back
   * without the level that was set on it.
   */
  private static final java.util.logging.Logger[] QUIET = {java.util.logging.Logger.getLogger("io.undertow"),
      java.util.logging.Logger.getLogger("org.xnio"), java.util.logging.Logger.getLogger("org.jboss"),
      java.util.logging.Logger.getLogger("com.zaxxer.hikari")};

  private final OmahaServer server;
  private final SqlStore store;

  private UpdateServer(OmahaServer server, SqlStore store) {
    this.server = server;
    this.store = store;
  }

  /** Settings checked, token checked, data directory made; nothing open yet. */
  public static final class Prepared {
    private final ServeOptions o;
    private final ServerConfig cfg;
    private final AddressQuota.Limits addressLimits;
    private final Limits limits;
    private final Path tokenFile;
    private final AdminTokenFile.Token token;
    private final ServerConfig.Database database;
    private volatile int boundPort;

    private Prepared(ServeOptions o, ServerConfig cfg, AddressQuota.Limits addressLimits, Limits limits, Path tokenFile,
        AdminTokenFile.Token token, ServerConfig.Database database) {
      this.o = o;
      this.database = database;
      this.cfg = cfg;
      this.addressLimits = addressLimits;
      this.limits = limits;
      this.tokenFile = tokenFile;
      this.token = token;
    }

    /** The base URL machines reach the server at; known once the server listens when the port is 0. */
    public String publicUrl() {
      return cfg.publicUrlAwaitsPort() ? ServerConfig.defaultPublicUrl(cfg.host(), boundPort) : cfg.publicUrl();
    }

    /**
     * Opens the database and listens, with {@code mounts} (other servers' routes) on the same
     * listener and {@code registry} as the one /metrics renders.
     */
    public UpdateServer start(ReleaseKeys releaseKeys, PrometheusRegistry registry, List<OmahaServer.Mount> mounts,
        PrintWriter out, PrintWriter err) throws IOException {
      Path dataDir = o.dataDir;
      SqlStore store = database instanceof ServerConfig.Postgres pg
          ? SqlStore.open(pg.database(), pg.pool(), Clock.systemUTC())
          : SqlStore.open(((ServerConfig.Sqlite) database).file());
      try {
        store.seedDefaults();
        Metrics metrics = new Metrics(registry);
        UpdateService service = new UpdateService(store, Clock.systemUTC(), new AddressQuota(addressLimits));
        boolean unsigned = o.allowUnsigned || ServerConfig.allowUnsigned(dataDir);
        PayloadApi payloads = new PayloadApi(store, this::publicUrl, dataDir, releaseKeys, unsigned);
        OmahaServer server = OmahaServer.start(cfg.host(), cfg.port(),
            new OmahaServer.Deps(service, store, metrics, token.value(), new AdminApi(store, this::publicUrl, payloads),
                new PublicFiles(store, dataDir), new OmahaServer.Admission(OmahaServer.MAX_CHECKS_IN_FLIGHT), mounts),
            limits);
        boundPort = server.port();
        out.printf("cairn serve: listening on %s:%d, public URL %s%n", cfg.host(), server.port(), publicUrl());
        if (database instanceof ServerConfig.Postgres pg) {
          out.printf("cairn serve: data in %s (%d connections), files in %s; admin token in %s%s%n",
              pg.database().url(), pg.pool(), dataDir, tokenFile, token.created() ? " (new)" : "");
        } else {
          out.printf("cairn serve: data in %s; admin token in %s%s%n", dataDir, tokenFile,
              token.created() ? " (new)" : "");
        }
        if (unsigned) {
          err.println("cairn serve: WARNING: --allow-unsigned: packages and images WITHOUT A SIGNATURE are accepted"
              + " and served to machines. For development only; never run a production server like this.");
          err.flush();
        }
        out.flush();
        return new UpdateServer(server, store);
      } catch (IOException | RuntimeException e) {
        store.close();
        throw e;
      }
    }
  }

  /**
   * Checks the settings (flags, environment, cairn.yaml) and the admin token, makes the data
   * directory owner-only and the token file on first start. Bad settings are an
   * IllegalArgumentException naming them.
   */
  public static Prepared prepare(ServeOptions o, PrintWriter out) throws IOException {
    for (java.util.logging.Logger quiet : QUIET) {
      quiet.setLevel(java.util.logging.Level.WARNING);
    }
    for (java.util.logging.Handler h : java.util.logging.Logger.getLogger("").getHandlers()) {
      h.setFormatter(new LogLines());
    }
    Path dataDir = o.dataDir;
    OwnerOnly.directories(dataDir);
    ServerConfig cfg = ServerConfig.resolve(o.listen, o.publicUrl, dataDir, System.getenv());
    AddressQuota.Limits addressLimits = ServerConfig.addressLimits(o.addressGrants, o.addressFailures, dataDir);
    Limits limits = ServerConfig.limits(o.headerTimeout, o.bodyTimeout, o.idleTimeout, o.writeTimeout,
        o.maxConnectionsPerAddress, o.stallTimeout, dataDir);
    ServerConfig.Database database = ServerConfig.database(o.database, o.databasePasswordFile, o.databasePool, dataDir,
        System.getenv());
    Path tokenFile = dataDir.resolve("admin.token");
    AdminTokenFile.Token token = AdminTokenFile.ensure(tokenFile);
    tightenDataDir(dataDir, out);
    return new Prepared(o, cfg, addressLimits, limits, tokenFile, token, database);
  }

  public int port() {
    return server.port();
  }

  /**
   * Records a boot request in the machine inventory, through the database's group commit; never
   * blocks and never throws (a sighting that cannot be kept fails the future).
   */
  public java.util.concurrent.CompletableFuture<Void> recordMachine(dev.cairn.omaha.MachineSighting sighting) {
    return store.recordMachine(sighting);
  }

  /** As above, for {@code requests} requests of which {@code sighting} is the latest (counted all). */
  public java.util.concurrent.CompletableFuture<Void> recordMachine(dev.cairn.omaha.MachineSighting sighting,
      long requests) {
    return store.recordMachine(sighting, requests);
  }

  /** The install mark of machine {@code key} (MAC or uuid:UUID), from memory: never waits for the database. */
  public java.util.Optional<dev.cairn.omaha.db.SqlStore.Install> installed(String key) {
    return store.installed(key);
  }

  /** Records machine {@code key} installed with {@code profile} (reported from {@code address}); waits for the commit. */
  public dev.cairn.omaha.db.SqlStore.Install recordInstall(String key, String profile, String address) {
    return store.recordInstall(key, profile, address);
  }

  /** Requests that repeat the machine's last one recorded: its count and last seen only (see SqlStore). */
  public java.util.concurrent.CompletableFuture<Void> recordRepeats(dev.cairn.omaha.MachineSighting sighting,
      long requests) {
    return store.recordRepeats(sighting, requests);
  }

  /**
   * Data directories made by earlier versions, or by hand, may be open to the group or to everyone:
   * the directory itself and the database files are Cairn's own, so they are made owner-only at
   * start, and the server says so.
   */
  private static void tightenDataDir(Path dataDir, PrintWriter out) throws IOException {
    if (OwnerOnly.tighten(dataDir, true)) {
      out.printf("cairn serve: %s was open to group or others; now 0700%n", dataDir);
    }
    for (String name : new String[] {"cairn.db", "cairn.db-wal", "cairn.db-shm"}) {
      if (OwnerOnly.tighten(dataDir.resolve(name), false)) {
        out.printf("cairn serve: %s was open to group or others; now 0600%n", dataDir.resolve(name));
      }
    }
  }

  /** Lets requests in flight finish (up to ten seconds), stops listening, closes the database. */
  @Override
  public void close() {
    try {
      server.shutdown(10_000);
    } finally {
      store.close();
    }
  }
}
