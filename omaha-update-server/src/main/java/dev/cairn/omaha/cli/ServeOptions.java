package dev.cairn.omaha.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The options of {@code cairn serve} that belong to the listener and the update server: where it
 * listens, its data directory, public URL, limits and timeouts. A mixin, so the command that
 * composes the servers (in the cli module) carries them as they are.
 */
public final class ServeOptions {
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

  @Option(names = "--database", paramLabel = "URL",
      description = "PostgreSQL to keep the data in, shared by any number of servers: postgresql://[USER@]HOST[:PORT]/DB"
          + " (default: SQLite's cairn.db in the data directory; CAIRN_DATABASE_URL; database). The password comes from"
          + " CAIRN_DATABASE_PASSWORD or a file, never from the URL.")
  String database;

  @Option(names = "--database-password-file", paramLabel = "FILE",
      description = "File whose first line is PostgreSQL's password (CAIRN_DATABASE_PASSWORD_FILE; database_password_file).")
  String databasePasswordFile;

  @Option(names = "--database-pool", paramLabel = "N",
      description = "Connections this server keeps to PostgreSQL (default " + ServerConfig.DEFAULT_DATABASE_POOL
          + "; database_pool).")
  Integer databasePool;

  /** The data directory every server of the process keeps its files in. */
  public Path dataDir() {
    return dataDir;
  }
}
