package dev.cairn.omaha.db;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A PostgreSQL database as an operator names it: a libpq-style URL
 * {@code postgresql://[user@]host[:port]/database[?sslmode=...]}, and a password that never comes
 * from the URL (it is read from the environment or a file by the caller). {@link #toString()} and
 * every message show the URL, never the password.
 */
public record PostgresDatabase(String host, int port, String database, String user, Map<String, String> options,
    String password) {
  /** The user when the URL names none. */
  public static final String DEFAULT_USER = "cairn";
  /** PostgreSQL's port. */
  public static final int DEFAULT_PORT = 5432;

  /** The URL options passed on to the driver, with the names libpq gives them. */
  private static final Set<String> OPTIONS = Set.of("sslmode", "sslrootcert", "sslcert", "sslkey",
      "application_name", "connect_timeout");

  public PostgresDatabase {
    options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));   // in the URL's order
  }

  /** Whether {@code text} is a PostgreSQL URL (postgresql:// or postgres://), not a file. */
  public static boolean isUrl(String text) {
    return text.startsWith("postgresql://") || text.startsWith("postgres://");
  }

  /**
   * Parses {@code url}; {@code password} may be null (for trust or certificate authentication).
   *
   * @throws IllegalArgumentException naming what is wrong: not a postgresql:// URL, a password in
   *     it, no host or database, a bad port, an option the server does not take
   */
  public static PostgresDatabase parse(String url, String password) {
    if (url == null || !isUrl(url)) {
      throw new IllegalArgumentException("database URL must look like postgresql://[user@]host[:port]/database, got '"
          + url + "'");
    }
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("database URL '" + redact(url) + "' is not a URL: " + e.getReason());
    }
    String info = u.getRawUserInfo();
    if (info != null && info.contains(":")) {
      throw new IllegalArgumentException("database URL '" + redact(url) + "' carries a password: give the password in"
          + " CAIRN_DATABASE_PASSWORD or a file (CAIRN_DATABASE_PASSWORD_FILE, --database-password-file), never on"
          + " the command line");
    }
    if (u.getHost() == null || u.getHost().isEmpty()) {
      throw new IllegalArgumentException("database URL '" + url + "' names no host");
    }
    String path = u.getRawPath() == null ? "" : u.getRawPath();
    String db = decode(path.startsWith("/") ? path.substring(1) : path);
    if (db.isEmpty() || db.contains("/")) {
      throw new IllegalArgumentException("database URL '" + url + "' must name one database after the host, as in"
          + " postgresql://db.example.com/cairn");
    }
    Map<String, String> opts = new LinkedHashMap<>();
    if (u.getRawQuery() != null && !u.getRawQuery().isEmpty()) {
      for (String pair : u.getRawQuery().split("&")) {
        int eq = pair.indexOf('=');
        String k = decode(eq < 0 ? pair : pair.substring(0, eq));
        if (!OPTIONS.contains(k)) {
          throw new IllegalArgumentException("database URL option '" + k + "' is not one of "
              + OPTIONS.stream().sorted().toList());
        }
        opts.put(k, eq < 0 ? "" : decode(pair.substring(eq + 1)));
      }
    }
    String user = info == null || info.isEmpty() ? DEFAULT_USER : decode(info);
    int port = u.getPort() < 0 ? DEFAULT_PORT : u.getPort();
    return new PostgresDatabase(u.getHost(), port, db, user, opts, password);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  private static String redact(String url) {
    return url.replaceFirst("//([^/@]*):[^/@]*@", "//$1:(hidden)@");
  }

  /** The URL without the password, for messages and logs. */
  public String url() {
    StringBuilder b = new StringBuilder("postgresql://").append(user).append('@').append(host);
    if (port != DEFAULT_PORT) {
      b.append(':').append(port);
    }
    b.append('/').append(database);
    String sep = "?";
    for (Map.Entry<String, String> e : options.entrySet()) {
      b.append(sep).append(e.getKey()).append('=').append(e.getValue());
      sep = "&";
    }
    return b.toString();
  }

  /** The JDBC URL, without credentials. */
  String jdbcUrl() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return "jdbc:postgresql://" + h + ":" + port + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8);
  }

  /**
   * The driver's properties: the credentials, the URL's options, and timeouts so that no
   * connection waits forever on a server that stopped answering.
   */
  Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    if (password != null) {
      p.setProperty("password", password);
    }
    p.setProperty("connectTimeout", options.getOrDefault("connect_timeout", "10"));
    p.setProperty("socketTimeout", "120");
    p.setProperty("tcpKeepAlive", "true");
    p.setProperty("ApplicationName", options.getOrDefault("application_name", "cairn serve"));
    for (String k : new String[] {"sslmode", "sslrootcert", "sslcert", "sslkey"}) {
      if (options.containsKey(k)) {
        p.setProperty(k, options.get(k));
      }
    }
    return p;
  }

  @Override
  public String toString() {
    return url();
  }
}
