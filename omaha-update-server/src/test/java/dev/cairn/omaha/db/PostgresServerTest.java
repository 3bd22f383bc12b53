package dev.cairn.omaha.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tests' PostgreSQL: databases of their own, passwords that matter, and a server that stops. */
class PostgresServerTest {
  @TempDir
  Path dir;

  private static Connection connect(PostgresServer.Database db, String password) throws SQLException {
    return DriverManager.getConnection(db.jdbcUrl(), db.user(), password);
  }

  @Test
  void newDatabases_areOwnedByTheirRole_andSeeOnlyTheirOwnTables() throws Exception {
    PostgresServer pg = PostgresServer.shared();
    PostgresServer.Database a = pg.newDatabase();
    PostgresServer.Database b = pg.newDatabase();
    assertNotEquals(a.user(), b.user());
    assertEquals("postgresql://127.0.0.1:" + pg.port() + "/" + a.user(), a.url());
    try (Connection c = connect(a, a.password()); Statement s = c.createStatement()) {
      s.executeUpdate("create table only_in_a (x bigint)");
      s.executeUpdate("insert into only_in_a values (1)");
      try (ResultSet r = s.executeQuery("select current_database(), current_user, "
          + "(select datcollate from pg_database where datname = current_database()), "
          + "pg_encoding_to_char((select encoding from pg_database where datname = current_database()))")) {
        r.next();
        assertEquals(a.user(), r.getString(1));
        assertEquals(a.user(), r.getString(2));
        assertEquals("C", r.getString(3));
        assertEquals("UTF8", r.getString(4));
      }
    }
    try (Connection c = connect(b, b.password()); Statement s = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> s.executeQuery("select x from only_in_a"));
      assertEquals("42P01", e.getSQLState(), e.getMessage());  // undefined_table
    }
    // b's role may not even connect to a's database.
    SQLException e = assertThrows(SQLException.class,
        () -> DriverManager.getConnection(a.jdbcUrl(), b.user(), b.password()).close());
    assertEquals("42501", e.getSQLState(), e.getMessage());  // insufficient_privilege
  }

  @Test
  void wrongPassword_isRefused_rightOneConnects() throws Exception {
    PostgresServer.Database db = PostgresServer.shared().newDatabase();
    SQLException e = assertThrows(SQLException.class, () -> connect(db, db.password() + "x").close());
    assertEquals("28P01", e.getSQLState(), e.getMessage());  // invalid_password
    SQLException none = assertThrows(SQLException.class, () -> connect(db, "").close());
    assertTrue(none.getSQLState().startsWith("08") || none.getSQLState().equals("28P01"), none.getSQLState());
    try (Connection c = connect(db, db.password()); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("select 1")) {
      assertTrue(r.next());
    }
  }

  @Test
  void closedPrivateServer_acceptsNoMoreConnections() throws Exception {
    PostgresServer pg = PostgresServer.start(dir.resolve("pg"));
    PostgresServer.Database db = pg.newDatabase();
    Connection open = connect(db, db.password());
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", pg.port()));
    }
    pg.close();  // a fast shutdown: the open session does not keep it up
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", pg.port()));
      }
    });
    assertThrows(SQLException.class, () -> open.createStatement().executeQuery("select 1"));
    open.close();
  }

  @Test
  void killedPrivateServer_acceptsNoMoreConnections() throws Exception {
    PostgresServer pg = PostgresServer.start(dir.resolve("pg"));
    int port = pg.port();
    pg.kill();
    assertThrows(ConnectException.class, () -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port));
      }
    });
  }
}
