package dev.cairn.install.agent.lock;

import dev.cairn.install.agent.LockChoice;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** Opens the reboot lock a {@link LockChoice} names. */
public final class Locks {
  /** How long one FleetLock request may take. */
  static final Duration FLEETLOCK_TIMEOUT = Duration.ofSeconds(10);
  /** How long one etcd call keeps trying the endpoints (an election takes a few seconds). */
  public static final Duration ETCD_DEADLINE = Duration.ofSeconds(20);

  private Locks() {}

  /**
   * The lock for {@code choice}. An etcd password may also come from the environment's
   * {@code LOCKSMITHD_ETCD_PASSWORD}, as locksmithd takes it; update.conf's wins.
   *
   * @throws IllegalArgumentException for a bad URL, file or credential, naming it
   * @throws IOException when a CA file cannot be read
   */
  public static RebootLock open(LockChoice choice, Map<String, String> env) throws IOException {
    return open(choice, env, ETCD_DEADLINE);
  }

  /** {@link #open(LockChoice, Map)} with etcd calls giving up after {@code etcdDeadline}. */
  public static RebootLock open(LockChoice choice, Map<String, String> env, Duration etcdDeadline) throws IOException {
    if (choice instanceof LockChoice.FleetLock f) {
      return new FleetLockClient(f.base(), f.group(), FLEETLOCK_TIMEOUT);
    }
    if (choice instanceof LockChoice.Etcd e) {
      return etcd(e, env, etcdDeadline);
    }
    throw new IllegalArgumentException("no lock to open: " + choice);
  }

  /** locksmith's semaphore in the etcd {@code e} names. */
  public static EtcdLock etcd(LockChoice.Etcd e, Map<String, String> env, Duration deadline) throws IOException {
    Optional<String> password = e.password().or(() -> Optional.ofNullable(env.get("LOCKSMITHD_ETCD_PASSWORD"))
        .filter(p -> !p.isEmpty()));
    EtcdLock.Options o = new EtcdLock.Options(EtcdLock.endpoints(String.join(",", e.endpoints())), e.group(),
        e.caFile().map(Path::of), e.certFile().map(Path::of), e.keyFile().map(Path::of), e.username(),
        e.username().isPresent() ? password : Optional.empty(), deadline);
    return EtcdLock.open(o);
  }
}
