package dev.cairn.omaha.cli;

import dev.cairn.omaha.http.Limits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * {@code cairn serve}'s settings: flags, then environment ({@code CAIRN_LISTEN},
 * {@code CAIRN_PUBLIC_URL}), then {@code cairn.yaml} in the data directory, then defaults. Checked
 * at start; a bad value stops the server with a message naming it. The transport's limits and
 * timeouts ({@link #limits}) come from flags, then cairn.yaml, then defaults.
 */
record ServerConfig(String host, int port, String publicUrl, Path dataDir) {
  static final String DEFAULT_LISTEN = "0.0.0.0:8080";
  private static final Set<String> KEYS = Set.of("listen", "public_url", "allow_unsigned", "header_timeout",
      "body_timeout", "idle_timeout", "write_timeout", "max_connections_per_address", "stall_timeout",
      "address_grants_per_hour", "address_failures_per_hour", "database", "database_password_file",
      "database_pool");
  private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|h|m|s))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|h|m|s)");

  static ServerConfig resolve(String listenFlag, String publicUrlFlag, Path dataDir, Map<String, String> env)
      throws IOException {
    Map<String, Object> file = readFile(dataDir.resolve("cairn.yaml"));
    String listen = first(listenFlag, env.get("CAIRN_LISTEN"), (String) file.get("listen"), DEFAULT_LISTEN);
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("listen address '" + listen + "' is not HOST:PORT (like 0.0.0.0:8080)");
    }
    String host = listen.substring(0, colon);
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      port = -1;
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("listen address '" + listen + "': port must be 0-65535");
    }
    String publicUrl = first(publicUrlFlag, env.get("CAIRN_PUBLIC_URL"), (String) file.get("public_url"),
        defaultPublicUrl(host, port));
    if (!publicUrl.matches("https?://[^\\s/]+(/\\S*)?")) {
      throw new IllegalArgumentException("public URL '" + publicUrl + "' is not an http(s) URL");
    }
    return new ServerConfig(host, port, publicUrl.replaceAll("/+$", ""), dataDir);
  }

  /**
   * The per-address limits: each flag, else its cairn.yaml key ({@code address_grants_per_hour},
   * {@code address_failures_per_hour}), else the default; 0 turns a limit off.
   */
  static dev.cairn.omaha.AddressQuota.Limits addressLimits(Integer grantsFlag, Integer failuresFlag, Path dataDir)
      throws IOException {
    Map<String, Object> file = readFile(dataDir.resolve("cairn.yaml"));
    dev.cairn.omaha.AddressQuota.Limits d = dev.cairn.omaha.AddressQuota.Limits.defaults();
    int grants = count("--address-grants", grantsFlag, file, "address_grants_per_hour", d.grantsPerPeriod());
    int failures = count("--address-failures", failuresFlag, file, "address_failures_per_hour", d.failuresPerPeriod());
    return new dev.cairn.omaha.AddressQuota.Limits(grants, failures, d.period(), d.maxAddresses());
  }

  private static int count(String flag, Integer flagValue, Map<String, Object> file, String key, int fallback) {
    if (flagValue != null) {
      if (flagValue < 0) {
        throw new IllegalArgumentException(flag + " must be 0 (no limit) or more, got " + flagValue);
      }
      return flagValue;
    }
    Object v = file.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof Integer n) || n < 0) {
      throw new IllegalArgumentException("cairn.yaml: setting '" + key + "' must be a whole number, 0 (no limit) or more, got '"
          + v + "'");
    }
    return n;
  }

  /** The connections each server keeps to PostgreSQL when nothing says otherwise. */
  static final int DEFAULT_DATABASE_POOL = 10;

  /**
   * Where the data is: SQLite's {@code cairn.db} in the data directory (the default), or a
   * PostgreSQL database, from {@code --database}, else {@code CAIRN_DATABASE_URL}, else the
   * {@code database} key of cairn.yaml. PostgreSQL's password: see {@link #databasePassword}; never
   * from the URL.
   */
  sealed interface Database permits Sqlite, Postgres {}

  record Sqlite(Path file) implements Database {}

  record Postgres(dev.cairn.omaha.db.PostgresDatabase database, int pool) implements Database {}

  static Database database(String flag, String passwordFileFlag, Integer poolFlag, Path dataDir, Map<String, String> env)
      throws IOException {
    Path yaml = dataDir.resolve("cairn.yaml");
    Map<String, Object> file = readFile(yaml);
    String url = first(flag, env.get("CAIRN_DATABASE_URL"), text(yaml, file, "database"), null);
    if (url == null || url.isBlank()) {
      return new Sqlite(dataDir.resolve("cairn.db"));
    }
    if (!dev.cairn.omaha.db.PostgresDatabase.isUrl(url)) {
      throw new IllegalArgumentException("database '" + url + "' is not a postgresql:// URL; leave it out to keep"
          + " SQLite in the data directory");
    }
    String password = databasePassword(passwordFileFlag, env, text(yaml, file, "database_password_file"));
    int pool = poolFlag != null ? poolFlag : file.get("database_pool") instanceof Integer n ? n
        : file.containsKey("database_pool") ? -1 : DEFAULT_DATABASE_POOL;
    if (pool < 1 || pool > 500) {
      throw new IllegalArgumentException("database pool must be 1 to 500 connections, got "
          + (poolFlag != null ? poolFlag : file.get("database_pool")));
    }
    return new Postgres(dev.cairn.omaha.db.PostgresDatabase.parse(url, password), pool);
  }

  private static String text(Path yaml, Map<String, Object> file, String key) {
    Object v = file.get(key);
    if (v != null && !(v instanceof String)) {
      throw new IllegalArgumentException(yaml + ": setting '" + key + "' must be text, got '" + v + "'");
    }
    return (String) v;
  }

  /**
   * PostgreSQL's password, for {@code cairn serve} and {@code cairn db migrate} alike: the first
   * line of the file the flag names, else {@code CAIRN_DATABASE_PASSWORD}, else the first line of
   * the file {@code CAIRN_DATABASE_PASSWORD_FILE} names, else of {@code yamlFile} (cairn.yaml's
   * {@code database_password_file}; null for none); null when none is given.
   */
  static String databasePassword(String flagFile, Map<String, String> env, String yamlFile) throws IOException {
    if (flagFile != null && !flagFile.isBlank()) {
      return passwordFrom(Path.of(flagFile));
    }
    String password = env.get("CAIRN_DATABASE_PASSWORD");
    if (password != null && !password.isEmpty()) {
      return password;
    }
    String file = first(env.get("CAIRN_DATABASE_PASSWORD_FILE"), yamlFile, null);
    return file == null ? null : passwordFrom(Path.of(file));
  }

  /**
   * The first line of a password file, which must not be empty: how {@code cairn serve} and
   * {@code cairn db migrate} read PostgreSQL's password from a file.
   */
  static String passwordFrom(Path f) throws IOException {
    String text;
    try {
      text = Files.readString(f, StandardCharsets.UTF_8);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException(f + ": no such database password file", e);
    }
    String line = text.lines().findFirst().orElse("");
    if (line.isEmpty()) {
      throw new IllegalArgumentException(f + ": the database password file is empty");
    }
    return line;
  }

  /** Whether cairn.yaml in {@code dataDir} says {@code allow_unsigned: true}. */
  static boolean allowUnsigned(Path dataDir) throws IOException {
    return Boolean.TRUE.equals(readFile(dataDir.resolve("cairn.yaml")).get("allow_unsigned"));
  }

  /**
   * The limits and timeouts of the transport (see {@link Limits}): a flag given (not null) wins
   * over its key in cairn.yaml, and that over the default.
   */
  static Limits limits(String headerTimeout, String bodyTimeout, String idleTimeout, String writeTimeout,
      Integer maxConnectionsPerAddress, String stallTimeout, Path dataDir) throws IOException {
    Path yaml = dataDir.resolve("cairn.yaml");
    Map<String, Object> file = readFile(yaml);
    Limits d = Limits.DEFAULTS;
    Object perAddress = maxConnectionsPerAddress != null ? maxConnectionsPerAddress
        : file.getOrDefault("max_connections_per_address", d.connectionsPerAddress());
    if ((Integer) perAddress < 0) {
      throw new IllegalArgumentException("max connections per address must be 0 (no limit) or more, got " + perAddress);
    }
    return new Limits(
        duration("--header-timeout", headerTimeout, yaml, file, "header_timeout", d.headers()),
        duration("--body-timeout", bodyTimeout, yaml, file, "body_timeout", d.body()),
        duration("--idle-timeout", idleTimeout, yaml, file, "idle_timeout", d.idle()),
        duration("--write-timeout", writeTimeout, yaml, file, "write_timeout", d.write()),
        (Integer) perAddress,
        duration("--stall-timeout", stallTimeout, yaml, file, "stall_timeout", d.stall()));
  }

  private static Duration duration(String flag, String flagValue, Path yaml, Map<String, Object> file, String key,
      Duration fallback) {
    if (flagValue != null) {
      return duration(flag, flagValue);
    }
    if (file.containsKey(key)) {
      return duration(yaml + ": setting '" + key + "'", (String) file.get(key));
    }
    return fallback;
  }

  /** A duration as written in flags and cairn.yaml: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1m30s}. */
  static Duration duration(String what, String text) {
    String t = text.strip().toLowerCase(java.util.Locale.ROOT);
    if (!DURATION.matcher(t).matches()) {
      throw new IllegalArgumentException(what + ": '" + text + "' is not a duration like 500ms, 30s, 2m or 1h");
    }
    Duration total = Duration.ZERO;
    Matcher m = DURATION_PART.matcher(t);
    try {
      while (m.find()) {
        long n = Long.parseLong(m.group(1));
        total = total.plus(switch (m.group(2)) {
          case "h" -> Duration.ofHours(n);
          case "m" -> Duration.ofMinutes(n);
          case "s" -> Duration.ofSeconds(n);
          default -> Duration.ofMillis(n);
        });
      }
    } catch (ArithmeticException | NumberFormatException e) {
      throw new IllegalArgumentException(what + ": '" + text + "' is too long");
    }
    if (total.toMillis() < 1 || total.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException(what + ": '" + text + "' must be between 1ms and 24h");
    }
    return total;
  }

  /** http://HOST:PORT, with localhost for the wildcard address. */
  static String defaultPublicUrl(String host, int port) {
    return "http://" + (host.equals("0.0.0.0") ? "localhost" : host) + ":" + port;
  }

  /** Whether the public URL was derived from a listen port of 0, so must wait for the real port. */
  boolean publicUrlAwaitsPort() {
    return port == 0 && publicUrl.equals(defaultPublicUrl(host, 0));
  }

  private static String first(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v.trim();
      }
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> readFile(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Map.of();
    }
    Object doc;
    try {
      doc = new Load(LoadSettings.builder().setLabel(file.toString()).build())
          .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
    } catch (YamlEngineException e) {
      throw new IllegalArgumentException(file + ": not valid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (doc == null) {
      return Map.of();
    }
    if (!(doc instanceof Map)) {
      throw new IllegalArgumentException(file + ": expected a mapping of settings (listen, public_url)");
    }
    Map<String, Object> m = (Map<String, Object>) doc;
    for (Map.Entry<String, Object> e : m.entrySet()) {
      if (!KEYS.contains(String.valueOf(e.getKey()))) {
        throw new IllegalArgumentException(file + ": unknown setting '" + e.getKey() + "' (known: "
            + String.join(", ", KEYS.stream().sorted().toList()) + ")");
      }
      if (String.valueOf(e.getKey()).startsWith("address_") || e.getKey().equals("database_pool")) {
        continue;    // checked by addressLimits and database
      }
      if (e.getKey().equals("max_connections_per_address")) {
        if (!(e.getValue() instanceof Integer)) {
          throw new IllegalArgumentException(file + ": setting 'max_connections_per_address' must be a whole number, got '"
              + e.getValue() + "'");
        }
      } else if (e.getKey().equals("allow_unsigned")) {
        if (!(e.getValue() instanceof Boolean)) {
          throw new IllegalArgumentException(file + ": setting 'allow_unsigned' must be true or false, got '"
              + e.getValue() + "'");
        }
      } else if (!(e.getValue() instanceof String)) {
        throw new IllegalArgumentException(file + ": setting '" + e.getKey() + "' must be a string");
      }
    }
    return m;
  }
}
