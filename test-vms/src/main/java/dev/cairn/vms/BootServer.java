package dev.cairn.vms;

/**
 * The HTTP server machines boot from, listening on the host's loopback at {@code hostPort}. Who
 * serves does not matter to the harness. A machine sees it at {@link #guestBaseUrl()},
 * {@code http://10.0.2.2:PORT}, and can reach nothing else: qemu's user network runs with
 * {@code restrict=on} and forwards only that address and port to {@code 127.0.0.1:PORT}. The
 * server must therefore write {@link #guestBaseUrl()} into the URLs it hands out.
 *
 * @param hostPort the port on 127.0.0.1
 * @param bootPath what DHCP names as the boot file, below the base URL: {@code /boot.ipxe}
 */
public record BootServer(int hostPort, String bootPath) {
  /** Where a machine finds the host's server. */
  public static final String GUEST_ADDRESS = "10.0.2.2";

  public BootServer {
    if (hostPort < 1 || hostPort > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, got " + hostPort);
    }
    if (bootPath == null || !bootPath.matches("/[A-Za-z0-9._~/?=&%-]*")) {
      throw new IllegalArgumentException("boot path must start with / and hold no spaces or commas, got " + bootPath);
    }
  }

  /** The server on {@code 127.0.0.1:hostPort}, booting machines with {@code /boot.ipxe}. */
  public static BootServer at(int hostPort) {
    return new BootServer(hostPort, "/boot.ipxe");
  }

  /** The server's address as a machine sees it: {@code http://10.0.2.2:PORT}. */
  public String guestBaseUrl() {
    return "http://" + GUEST_ADDRESS + ":" + hostPort;
  }

  /** The boot file URL DHCP hands to iPXE. */
  public String bootfileUrl() {
    return guestBaseUrl() + bootPath;
  }
}
