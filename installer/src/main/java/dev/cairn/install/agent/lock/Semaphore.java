package dev.cairn.install.agent.lock;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * locksmith's reboot semaphore: how many slots are free, how many there are, and the machines
 * holding one. It is kept as one JSON value ({@code {"semaphore":1,"max":2,"holders":["a"]}}) so a
 * fleet moving from locksmith keeps its semaphore as it is. {@code available} is kept as stored,
 * not recomputed: after a lowered max it may be below zero until enough holders leave, as in
 * locksmith.
 *
 * @param available free slots (locksmith's {@code semaphore}); may be negative
 * @param max how many machines may hold a slot at once, 0 or more
 * @param holders the machine ids holding a slot, sorted, each once
 */
public record Semaphore(int available, int max, List<String> holders) {
  /** The longest machine id Cairn keeps: a systemd machine id is 32, a UUID 36. */
  public static final int MAX_ID = 256;

  public Semaphore {
    if (max < 0) {
      throw new IllegalArgumentException("max must be 0 or more, got " + max);
    }
    Objects.requireNonNull(holders, "holders");
    TreeSet<String> sorted = new TreeSet<>();
    for (String h : holders) {
      checkId(h);
      if (!sorted.add(h)) {
        throw new IllegalArgumentException("holder '" + h + "' is listed twice");
      }
    }
    holders = List.copyOf(sorted);
  }

  /** A semaphore as locksmith creates it when none exists: {@code max} slots, all free. */
  public static Semaphore fresh(int max) {
    return new Semaphore(max, max, List.of());
  }

  /**
   * A machine id as a holder: 1 to {@value #MAX_ID} printable ASCII characters.
   *
   * @throws IllegalArgumentException naming the id and what is expected
   */
  public static String checkId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID) {
      throw new IllegalArgumentException("a machine id must be 1 to " + MAX_ID + " characters, got '" + id + "'");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("a machine id must be printable ASCII without spaces, got '" + id + "'");
      }
    }
    return id;
  }

  public boolean holds(String id) {
    return holders.contains(id);
  }

  /** What taking a slot gives: the next value to store, or why there is none to take. */
  public sealed interface Take permits Take.Taken, Take.AlreadyHeld, Take.Full {
    /** {@code next} is to be stored in place of the value read. */
    record Taken(Semaphore next) implements Take {}

    /** The machine holds a slot already: nothing to store, and the caller holds it. */
    record AlreadyHeld() implements Take {}

    /** No slot is free: nothing to store; try again later. */
    record Full(Semaphore now) implements Take {}
  }

  /**
   * Takes a slot for {@code id}, as locksmith's {@code Lock}: the free count is checked first, so
   * a machine not holding a slot is told the semaphore is full before the holders are looked at; a
   * holder is told it holds one, and anyone else takes one. Unlike locksmith (which answers
   * "semaphore is at 0" there), a holder asking again on a full semaphore is told it holds its
   * slot, so a take whose answer was lost is not refused ever after.
   */
  public Take take(String id) {
    checkId(id);
    if (available <= 0) {
      return holds(id) ? new Take.AlreadyHeld() : new Take.Full(this);
    }
    if (holds(id)) {
      return new Take.AlreadyHeld();
    }
    List<String> next = new ArrayList<>(holders);
    next.add(id);
    return new Take.Taken(new Semaphore(available - 1, max, next));
  }

  /**
   * The value after {@code id} gives its slot back, or empty when it holds none (locksmith's
   * {@code ErrNotExist}, which the releasing machine counts as done).
   */
  public java.util.Optional<Semaphore> release(String id) {
    checkId(id);
    if (!holds(id)) {
      return java.util.Optional.empty();
    }
    List<String> next = new ArrayList<>(holders);
    next.remove(id);
    return java.util.Optional.of(new Semaphore(available + 1, max, next));
  }

  /** The value with a new max, the free count moved by the same amount (locksmith's set-max). */
  public Semaphore withMax(int newMax) {
    if (newMax < 0) {
      throw new IllegalArgumentException("max must be 0 or more, got " + newMax);
    }
    return new Semaphore(available + (newMax - max), newMax, holders);
  }
}
