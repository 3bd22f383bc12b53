package dev.cairn.pxe;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongBiFunction;

/**
 * A memo of at most {@code maxEntries} entries whose weights (about the characters they hold) add
 * up to at most {@code maxWeight}; safe to use from any thread, without a lock on reads. When a new
 * entry takes it past either bound, other entries are dropped until it is within both again, in the
 * map's own order (as good as random for a cache whose misses cost the same). An entry heavier than
 * a sixteenth of {@code maxWeight} is not kept at all. A dropped entry is only made again: what is
 * kept never changes what is answered.
 */
final class BoundedCache<K, V> {
  private final ConcurrentHashMap<K, V> map = new ConcurrentHashMap<>();
  private final AtomicLong weight = new AtomicLong();
  private final int maxEntries;
  private final long maxWeight;
  private final ToLongBiFunction<K, V> weigher;

  BoundedCache(int maxEntries, long maxWeight, ToLongBiFunction<K, V> weigher) {
    if (maxEntries < 1 || maxWeight < 1) {
      throw new IllegalArgumentException("a cache needs room for an entry, got " + maxEntries + " entries and weight "
          + maxWeight);
    }
    this.maxEntries = maxEntries;
    this.maxWeight = maxWeight;
    this.weigher = weigher;
  }

  /** The value kept for {@code key}, or null. */
  V get(K key) {
    return map.get(key);
  }

  /**
   * Keeps {@code value} for {@code key} unless a value is kept for it already; returns the value
   * kept (or {@code value} when it is too heavy to keep).
   */
  V put(K key, V value) {
    long w = weigher.applyAsLong(key, value);
    if (w > maxWeight / 16) {
      return value;
    }
    V old = map.putIfAbsent(key, value);
    if (old != null) {
      return old;
    }
    weight.addAndGet(w);
    if (map.size() > maxEntries || weight.get() > maxWeight) {
      shrink();
    }
    return value;
  }

  private void shrink() {
    Iterator<Map.Entry<K, V>> it = map.entrySet().iterator();
    while ((map.size() > maxEntries || weight.get() > maxWeight) && it.hasNext()) {
      Map.Entry<K, V> e = it.next();
      if (map.remove(e.getKey(), e.getValue())) {
        weight.addAndGet(-weigher.applyAsLong(e.getKey(), e.getValue()));
      }
    }
  }

  /** How many entries are kept. */
  int size() {
    return map.size();
  }

  /** The weight of the entries kept. */
  long weight() {
    return weight.get();
  }
}
