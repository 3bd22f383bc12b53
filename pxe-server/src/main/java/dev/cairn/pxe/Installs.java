package dev.cairn.pxe;

import java.time.Instant;
import java.util.Optional;

/**
 * The machines recorded installed ({@code POST /installed}), for install-once profiles: a machine
 * recorded installed whose group's profile is install-once is sent to its local disk instead of
 * its profile. {@link #of} is asked on the I/O thread of each {@code /ipxe} and {@code /grub}
 * request: it must answer from memory, never wait. {@link #record} may write to a database.
 */
public interface Installs {
  /** One machine's mark: its machine key (MAC, else {@code uuid:UUID}), when, and the profile it installed. */
  record Installed(String machine, Instant at, String profile) {}

  /** The mark of the machine that sent {@code labels} (by its MAC, else its UUID), if any; never blocks. */
  Optional<Installed> of(Labels labels);

  /**
   * Records the machine that sent {@code labels} (from {@code address}) installed with {@code profile}
   * now, and returns its mark; IllegalArgumentException when the labels name no MAC and no UUID,
   * IllegalStateException when it cannot be recorded now. May block.
   */
  Installed record(Labels labels, String profile, String address);

  /** No machine is ever installed, and none can be recorded: a server without a machine inventory. */
  Installs NONE = new Installs() {
    @Override
    public Optional<Installed> of(Labels labels) {
      return Optional.empty();
    }

    @Override
    public Installed record(Labels labels, String profile, String address) {
      throw new IllegalStateException("this server keeps no machine inventory, so it records no installs");
    }
  };
}
