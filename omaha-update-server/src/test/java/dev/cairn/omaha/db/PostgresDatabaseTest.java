package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The database URL as operators write it, and what never leaks from it. */
class PostgresDatabaseTest {
  @Test
  void aFullUrl_isTakenApart_andShownWithoutThePassword() {
    PostgresDatabase d = PostgresDatabase.parse(
        "postgresql://deploy@db.example.com:6543/cairn?sslmode=verify-full&sslrootcert=/etc/cairn/ca.pem", "s3cret");
    assertEquals("db.example.com", d.host());
    assertEquals(6543, d.port());
    assertEquals("cairn", d.database());
    assertEquals("deploy", d.user());
    assertEquals(Map.of("sslmode", "verify-full", "sslrootcert", "/etc/cairn/ca.pem"), d.options());
    assertEquals("postgresql://deploy@db.example.com:6543/cairn?sslmode=verify-full&sslrootcert=/etc/cairn/ca.pem",
        d.url());
    assertEquals(d.url(), d.toString());
    assertFalse(d.toString().contains("s3cret"));
    assertEquals("jdbc:postgresql://db.example.com:6543/cairn", d.jdbcUrl());
    assertEquals("s3cret", d.properties().getProperty("password"));
    assertEquals("verify-full", d.properties().getProperty("sslmode"));
    assertEquals("10", d.properties().getProperty("connectTimeout"));
  }

  @Test
  void theShortestUrl_getsTheDefaultUserAndPort() {
    PostgresDatabase d = PostgresDatabase.parse("postgres://db/cairn", null);
    assertEquals(PostgresDatabase.DEFAULT_USER, d.user());
    assertEquals(PostgresDatabase.DEFAULT_PORT, d.port());
    assertEquals("postgresql://cairn@db/cairn", d.url());
    assertEquals(null, d.properties().getProperty("password"));
  }

  @Test
  void aPasswordInTheUrl_isRefused_withoutRepeatingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> PostgresDatabase.parse("postgresql://cairn:hunter2@db/cairn", null));
    assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    assertTrue(e.getMessage().contains("postgresql://cairn:(hidden)@db/cairn"), e.getMessage());
    assertTrue(e.getMessage().contains("CAIRN_DATABASE_PASSWORD"), e.getMessage());
  }

  @Test
  void badUrls_areRefused_namingWhatIsWrong() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PostgresDatabase.parse("mysql://db/cairn", null))
        .getMessage().contains("must look like postgresql://"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PostgresDatabase.parse("postgresql://db/", null))
        .getMessage().contains("must name one database"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> PostgresDatabase.parse("postgresql:///cairn", null))
        .getMessage().contains("names no host"));
    assertTrue(assertThrows(IllegalArgumentException.class,
        () -> PostgresDatabase.parse("postgresql://db/cairn?socketFactory=x", null))
        .getMessage().contains("option 'socketFactory' is not one of"));
  }
}
