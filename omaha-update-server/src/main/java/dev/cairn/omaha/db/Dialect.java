package dev.cairn.omaha.db;

/**
 * Where the two databases' SQL differs. Everything else the store says is the SQL both accept:
 * upserts with {@code on conflict}, {@code returning}, {@code coalesce}, integer flags.
 */
enum Dialect {
  /** One file, one writer at a time: units of work are serialized by the store itself. */
  SQLITE("sqlite/"),
  /**
   * Several servers on one database, each with a pool of connections, every unit of work in a
   * transaction of its own at read committed: what must not interleave takes a row lock.
   */
  POSTGRESQL("postgresql/");

  /** Where its migration scripts are, beside this class on the class path. */
  final String scripts;

  Dialect(String scripts) {
    this.scripts = scripts;
  }

  /** The larger of two values: SQLite's two-argument {@code max}, PostgreSQL's {@code greatest}. */
  String greatest(String a, String b) {
    return (this == SQLITE ? "max(" : "greatest(") + a + ", " + b + ")";
  }

  /** The smaller of two values. */
  String least(String a, String b) {
    return (this == SQLITE ? "min(" : "least(") + a + ", " + b + ")";
  }

  /** SQLite's index hint after a table name; PostgreSQL's planner takes none. */
  String indexedBy(String index) {
    return this == SQLITE ? " indexed by " + index : "";
  }

  /** The order apps were created in, to break a tie of created_at: SQLite's rowid, else the id. */
  String appInsertOrder(String alias) {
    return this == SQLITE ? alias + ".rowid" : alias + ".id";
  }

  /** A row lock on what a select reads, held to the end of the transaction (SQLite holds the whole file). */
  String forUpdate() {
    return this == SQLITE ? "" : " for update";
  }
}
