package dev.cairn.vms;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for Cairn's boot server, serving its contract from a fixed table of machines, on
 * 127.0.0.1 at a free port. It writes {@link BootServer#guestBaseUrl()} into every URL it hands
 * out, as the boot server does with its public URL.
 * <ul>
 * <li>{@code GET /boot.ipxe}: chain to {@code /ipxe} with the machine's UUID and MAC, retrying on failure;
 * <li>{@code GET /ipxe?uuid=..&mac=..}: the kernel, its command line and the initramfs of the MAC's group;
 * <li>{@code GET /cloud-config?mac=..}: {@code #cloud-config} with the MAC's hostname;
 * <li>{@code GET /assets/NAME}: a file of the assets folder.
 * </ul>
 * A MAC not in the table gets 404. Every request's path and query is recorded in order.
 */
final class StaticBootServer implements AutoCloseable {
  /** What the table says of one machine. */
  record Host(String group, String hostname) {
  }

  private final HttpServer http;
  private final Path assets;
  private final Map<String, Host> byMac;
  private final List<String> requests = new ArrayList<>();

  /** Starts serving; {@code byMac} is keyed by MAC in {@code ${mac:hexhyp}} form. */
  StaticBootServer(Path assets, Map<String, Host> byMac) throws IOException {
    this.assets = assets;
    this.byMac = new HashMap<>(byMac);
    http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    http.createContext("/", this::handle);
    http.start();
  }

  /** Where machines find it. */
  BootServer bootServer() {
    return BootServer.at(http.getAddress().getPort());
  }

  /** The path and query of every request since the last call, in order. */
  synchronized List<String> takeRequests() {
    List<String> out = List.copyOf(requests);
    requests.clear();
    return out;
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      String query = ex.getRequestURI().getRawQuery();
      synchronized (this) {
        requests.add(query == null ? path : path + "?" + query);
      }
      Map<String, String> params = params(query);
      String base = bootServer().guestBaseUrl();
      Host host = byMac.get(params.getOrDefault("mac", ""));
      if (path.equals("/boot.ipxe")) {
        send(ex, "#!ipxe\n"
            + ":retry\n"
            + "chain " + base + "/ipxe?uuid=${uuid}&mac=${mac:hexhyp} || goto failed\n"
            + ":failed\n"
            + "echo chain failed, retrying\n"
            + "sleep 1 ||\n"
            + "goto retry\n");
      } else if (path.equals("/ipxe") && host != null) {
        // initrd=initrd.img: iPXE's UEFI build hands the initramfs to the kernel's EFI stub by name.
        send(ex, "#!ipxe\n"
            + "kernel " + base + "/assets/vmlinuz initrd=initrd.img console=ttyS0 cairn.group=" + host.group()
            + " cairn.config=" + base + "/cloud-config?mac=${mac:hexhyp}\n"
            + "initrd " + base + "/assets/initrd.img\n"
            + "boot\n");
      } else if (path.equals("/cloud-config") && host != null) {
        send(ex, "#cloud-config\nhostname: " + host.hostname() + "\n");
      } else if (path.matches("/assets/[A-Za-z0-9._-]+") && Files.isRegularFile(assets.resolve(path.substring(8)))) {
        Path file = assets.resolve(path.substring(8));
        ex.sendResponseHeaders(200, Files.size(file));
        try (OutputStream out = ex.getResponseBody()) {
          Files.copy(file, out);
        }
      } else {
        ex.sendResponseHeaders(404, -1);
      }
    }
  }

  private static void send(HttpExchange ex, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Map<String, String> params(String query) {
    Map<String, String> m = new HashMap<>();
    if (query != null) {
      for (String kv : query.split("&")) {
        int eq = kv.indexOf('=');
        if (eq > 0) {
          m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
    }
    return m;
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
