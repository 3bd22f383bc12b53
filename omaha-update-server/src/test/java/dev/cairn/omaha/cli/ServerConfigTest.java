package dev.cairn.omaha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.omaha.http.Limits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The transport's limits and timeouts as {@code cairn serve} takes them: flags, then cairn.yaml, then defaults. */
class ServerConfigTest {
  @TempDir
  Path dir;

  Limits limits(String header, String body, String idle, String write, Integer perAddress, String stall)
      throws Exception {
    return ServerConfig.limits(header, body, idle, write, perAddress, stall, dir);
  }

  @Test
  void limits_flagsWinOverCairnYaml_whichWinsOverTheDefaults() throws Exception {
    Files.writeString(dir.resolve("cairn.yaml"), "body_timeout: 1m30s\nidle_timeout: 500ms\n"
        + "max_connections_per_address: 4000\nstall_timeout: 2s\n");

    Limits l = limits("3s", null, "90s", null, null, null);

    assertEquals(Duration.ofSeconds(3), l.headers(), "from the flag");
    assertEquals(Duration.ofSeconds(90), l.body(), "from cairn.yaml");
    assertEquals(Duration.ofSeconds(90), l.idle(), "the flag over cairn.yaml");
    assertEquals(Limits.DEFAULTS.write(), l.write(), "the default");
    assertEquals(4000, l.connectionsPerAddress());
    assertEquals(Duration.ofSeconds(2), l.stall());
    assertEquals(0, limits(null, null, null, null, 0, null).connectionsPerAddress(), "0 is no limit");
  }

  @Test
  void limits_badValues_areRefusedNamingTheFlagOrTheSetting() throws Exception {
    assertEquals("--body-timeout: '30x' is not a duration like 500ms, 30s, 2m or 1h", assertThrows(
        IllegalArgumentException.class, () -> limits(null, "30x", null, null, null, null)).getMessage());
    assertEquals("--write-timeout: '0s' must be between 1ms and 24h", assertThrows(
        IllegalArgumentException.class, () -> limits(null, null, null, "0s", null, null)).getMessage());
    assertEquals("max connections per address must be 0 (no limit) or more, got -1", assertThrows(
        IllegalArgumentException.class, () -> limits(null, null, null, null, -1, null)).getMessage());

    Files.writeString(dir.resolve("cairn.yaml"), "idle_timeout: 60\n");
    assertEquals(dir.resolve("cairn.yaml") + ": setting 'idle_timeout' must be a string", assertThrows(
        IllegalArgumentException.class, () -> limits(null, null, null, null, null, null)).getMessage());
    Files.writeString(dir.resolve("cairn.yaml"), "stall_timeout: soon\n");
    assertEquals(dir.resolve("cairn.yaml") + ": setting 'stall_timeout': 'soon' is not a duration like 500ms, 30s, 2m or 1h",
        assertThrows(IllegalArgumentException.class, () -> limits(null, null, null, null, null, null)).getMessage());
    Files.writeString(dir.resolve("cairn.yaml"), "max_connections_per_address: many\n");
    assertEquals(dir.resolve("cairn.yaml") + ": setting 'max_connections_per_address' must be a whole number, got 'many'",
        assertThrows(IllegalArgumentException.class, () -> limits(null, null, null, null, null, null)).getMessage());
  }

  @Test
  void serveHelp_namesEachLimit_withItsDefaultAndItsSetting() {
    String help = new CommandLine(new ServeMain()).getUsageMessage(CommandLine.Help.Ansi.OFF)
        .replaceAll("\\s+", " ");
    Limits d = Limits.DEFAULTS;
    for (String expected : new String[] {
        "--header-timeout=DURATION", "(default " + d.headers().toSeconds() + "s; header_timeout in cairn.yaml)",
        "--body-timeout=DURATION", "(default " + d.body().toSeconds() + "s; body_timeout)",
        "--idle-timeout=DURATION", "(default " + d.idle().toSeconds() + "s; idle_timeout)",
        "--write-timeout=DURATION", "(default " + d.write().toSeconds() + "s; write_timeout)",
        "--max-connections-per-address=N", "(default " + d.connectionsPerAddress() + "; max_connections_per_address)",
        "--stall-timeout=DURATION", "(default " + d.stall().toSeconds() + "s; stall_timeout)"}) {
      assertTrue(help.contains(expected), expected + " is not in: " + help);
    }
  }

  @Test
  void database_isSqliteInTheDataDirectory_unlessAUrlIsGiven() throws Exception {
    assertEquals(new ServerConfig.Sqlite(dir.resolve("cairn.db")), ServerConfig.database(null, null, null, dir,
        java.util.Map.of()));
  }

  @Test
  void database_flagWinsOverEnvironment_whichWinsOverCairnYaml_andThePasswordComesFromAFile() throws Exception {
    Path pw = dir.resolve("db.password");
    Files.writeString(pw, "from-file\nsecond line ignored\n");
    Files.writeString(dir.resolve("cairn.yaml"), "database: postgresql://yaml@db/cairn\ndatabase_pool: 4\n"
        + "database_password_file: " + pw + "\n");
    ServerConfig.Postgres fromFile = (ServerConfig.Postgres) ServerConfig.database(null, null, null, dir,
        java.util.Map.of());
    assertEquals("postgresql://yaml@db/cairn", fromFile.database().url());
    assertEquals("from-file", fromFile.database().password());
    assertEquals(4, fromFile.pool());
    ServerConfig.Postgres fromEnv = (ServerConfig.Postgres) ServerConfig.database(null, null, null, dir,
        java.util.Map.of("CAIRN_DATABASE_URL", "postgresql://env@db/cairn", "CAIRN_DATABASE_PASSWORD", "from-env"));
    assertEquals("postgresql://env@db/cairn", fromEnv.database().url());
    assertEquals("from-env", fromEnv.database().password());
    ServerConfig.Postgres fromFlag = (ServerConfig.Postgres) ServerConfig.database("postgresql://flag@db/cairn", null,
        12, dir, java.util.Map.of("CAIRN_DATABASE_URL", "postgresql://env@db/cairn"));
    assertEquals("postgresql://flag@db/cairn", fromFlag.database().url());
    assertEquals(12, fromFlag.pool());
  }

  @Test
  void database_badSettings_areRefused_namingThem() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.password"), "\n");
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.database("postgresql://db/cairn",
        empty.toString(), null, dir, java.util.Map.of())).getMessage().contains("empty.password: the database password"
        + " file is empty"));
    assertTrue(assertThrows(java.io.IOException.class, () -> ServerConfig.database("postgresql://db/cairn",
        dir.resolve("missing").toString(), null, dir, java.util.Map.of())).getMessage().contains("missing"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.database("postgresql://db/cairn",
        null, 0, dir, java.util.Map.of())).getMessage().contains("database pool must be 1 to 500 connections, got 0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> ServerConfig.database("/var/lib/cairn.db",
        null, null, dir, java.util.Map.of())).getMessage().contains("is not a postgresql:// URL"));
  }

  @Test
  void databasePassword_theFlagsFileWins_thenTheEnvironment_thenItsFile_thenCairnYaml() throws Exception {
    Path flag = Files.writeString(dir.resolve("flag.password"), "from-flag\n");
    Path envFile = Files.writeString(dir.resolve("env.password"), "from-env-file\n");
    Path yaml = Files.writeString(dir.resolve("yaml.password"), "from-yaml\n");
    java.util.Map<String, String> env = java.util.Map.of("CAIRN_DATABASE_PASSWORD", "from-env",
        "CAIRN_DATABASE_PASSWORD_FILE", envFile.toString());
    assertEquals("from-flag", ServerConfig.databasePassword(flag.toString(), env, yaml.toString()));
    assertEquals("from-env", ServerConfig.databasePassword(null, env, yaml.toString()));
    assertEquals("from-env-file", ServerConfig.databasePassword(null,
        java.util.Map.of("CAIRN_DATABASE_PASSWORD_FILE", envFile.toString()), yaml.toString()));
    assertEquals("from-yaml", ServerConfig.databasePassword(null, java.util.Map.of(), yaml.toString()));
    assertEquals(null, ServerConfig.databasePassword(null, java.util.Map.of(), null));
  }
}
