package dev.cairn.install.agent;

import java.util.List;
import java.util.Optional;

/**
 * Which reboot lock a machine takes before rebooting into an update, from its reboot strategy and
 * update.conf, as locksmithd chose and as Cairn extends it:
 * <ul>
 *   <li>{@code reboot} and {@code off}: none.
 *   <li>{@code etcd-lock}: {@code LOCK_SERVER} when set (a FleetLock server); else etcd at
 *       {@code LOCKSMITHD_ENDPOINT}; else {@code cairn serve} itself, the FleetLock server at the
 *       origin of {@code SERVER}.
 *   <li>{@code best-effort}: {@code LOCK_SERVER} or etcd when one is configured, else none; and
 *       when the configured lock cannot be reached, none (the caller reboots without it).
 * </ul>
 */
public sealed interface LockChoice permits LockChoice.None, LockChoice.Etcd, LockChoice.FleetLock {
  /** Reboot without a lock. */
  record None() implements LockChoice {}

  /**
   * locksmith's semaphore in etcd, with locksmithd's TLS files and credentials
   * ({@code LOCKSMITHD_ETCD_CAFILE}, {@code _CERTFILE}, {@code _KEYFILE}, {@code _USERNAME},
   * {@code _PASSWORD}).
   */
  record Etcd(List<String> endpoints, Optional<String> group, Optional<String> caFile, Optional<String> certFile,
      Optional<String> keyFile, Optional<String> username, Optional<String> password) implements LockChoice {
    public Etcd {
      endpoints = List.copyOf(endpoints);
      if (endpoints.isEmpty()) {
        throw new IllegalArgumentException("etcd needs at least one endpoint");
      }
    }

    @Override
    public String toString() {
      return "Etcd[" + endpoints + ", group " + group.orElse("(none)") + (password.isPresent() ? ", password set" : "") + "]";
    }
  }

  /**
   * A FleetLock server at {@code base} (its {@code /v1/pre-reboot} and {@code /v1/steady-state}).
   *
   * @param source the setting it came from, for messages
   */
  record FleetLock(String base, String group, String source) implements LockChoice {}

  /**
   * The lock {@code strategy} takes with {@code conf}.
   *
   * @throws IllegalArgumentException for etcd-lock with no lock configured at all, naming the
   *     settings that would give one
   */
  static LockChoice of(UpdateConf conf, UpdateConf.RebootStrategy strategy) {
    if (strategy == UpdateConf.RebootStrategy.REBOOT || strategy == UpdateConf.RebootStrategy.OFF) {
      return new None();
    }
    String fleetGroup = conf.lockGroup().orElse(conf.group());
    if (conf.lockServer().isPresent()) {
      return new FleetLock(conf.lockServer().get(), fleetGroup, "LOCK_SERVER (" + conf.where("LOCK_SERVER").orElse("") + ")");
    }
    if (!conf.etcdEndpoints().isEmpty()) {
      return new Etcd(conf.etcdEndpoints(), conf.lockGroup(), set(conf, "LOCKSMITHD_ETCD_CAFILE"),
          set(conf, "LOCKSMITHD_ETCD_CERTFILE"), set(conf, "LOCKSMITHD_ETCD_KEYFILE"),
          set(conf, "LOCKSMITHD_ETCD_USERNAME"), set(conf, "LOCKSMITHD_ETCD_PASSWORD"));
    }
    if (strategy == UpdateConf.RebootStrategy.BEST_EFFORT) {
      return new None();
    }
    String server = conf.server().orElseThrow(() -> new IllegalArgumentException(
        "REBOOT_STRATEGY=etcd-lock needs a lock: set LOCKSMITHD_ENDPOINT (etcd), LOCK_SERVER (a FleetLock server)"
            + " or SERVER (cairn serve is then the lock) in update.conf"));
    return new FleetLock(origin(server), fleetGroup, "SERVER (" + conf.where("SERVER").orElse("") + ")");
  }

  private static Optional<String> set(UpdateConf conf, String key) {
    return conf.get(key).filter(v -> !v.isEmpty());
  }

  /**
   * {@code scheme://authority} of a URL: the FleetLock endpoints live at the root of the server
   * that answers Omaha at {@code SERVER}.
   */
  static String origin(String url) {
    int scheme = url.indexOf("://");
    if (scheme <= 0) {
      throw new IllegalArgumentException("SERVER is not a URL: '" + url + "'");
    }
    int path = url.indexOf('/', scheme + 3);
    return path < 0 ? url : url.substring(0, path);
  }
}
