package dev.cairn.omaha.db;

import dev.cairn.omaha.Store;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Group records and known app ids for checks, read once and kept until something changes them.
 *
 * <p>On SQLite this server makes every change, and clears the cache after each. On PostgreSQL
 * other replicas make changes too: every admin change (and a pause by the failure brake) adds one
 * to the database's {@code config} generation in its own transaction, and a check reads that number
 * before it reads the cache. A cache is kept per generation, so what a check read under an older
 * generation never lands in the cache of a newer one.
 */
final class GroupCache {
  /** The most entries one generation keeps. */
  static final int MAX_ENTRIES = 10_000;

  /** The records read under one generation. */
  record Snapshot(long generation, Map<String, Optional<Store.GroupRecord>> groups) {
    void put(String key, Optional<Store.GroupRecord> value) {
      if (groups.size() < MAX_ENTRIES) {
        groups.put(key, value);
      }
    }
  }

  private final AtomicReference<Snapshot> current = new AtomicReference<>(new Snapshot(-1, new ConcurrentHashMap<>()));

  /** The snapshot in use (SQLite: the only one). */
  Snapshot current() {
    return current.get();
  }

  /**
   * The snapshot of generation {@code n}: the current one when it is of {@code n}; else a new empty
   * one, which becomes current when {@code n} is newer (an older one is used by its check alone).
   */
  Snapshot of(long n) {
    while (true) {
      Snapshot s = current.get();
      if (s.generation() == n) {
        return s;
      }
      Snapshot fresh = new Snapshot(n, new ConcurrentHashMap<>());
      if (n < s.generation() || current.compareAndSet(s, fresh)) {
        return fresh;
      }
    }
  }

  /** Forgets everything read so far (a change made through this server). */
  void clear() {
    Snapshot s = current.get();
    current.compareAndSet(s, new Snapshot(s.generation(), new ConcurrentHashMap<>()));
  }
}
