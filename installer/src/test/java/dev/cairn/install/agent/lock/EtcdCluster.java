package dev.cairn.install.agent.lock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * A real etcd ({@code /usr/bin/etcd}) for tests: one member or three, on 127.0.0.1, each on free
 * client and peer ports, data in a temporary directory, automatic compaction off (so every version
 * of a key stays readable for {@link #history}).
 *
 * <p>Each member's output goes to {@code target/etcd-logs/<name>/member-N.log}, which is kept;
 * register {@link PrintLogsOnFailure} to have the logs' tails printed when a test fails.
 *
 * <pre>{@code
 * static EtcdCluster etcd;
 * @RegisterExtension static final EtcdCluster.PrintLogsOnFailure logs = new EtcdCluster.PrintLogsOnFailure(() -> etcd);
 * @BeforeAll static void start() throws IOException { etcd = EtcdCluster.start("lock", 1); }
 * @AfterAll static void stop() { etcd.close(); }
 * }</pre>
 *
 * <p>{@link #etcdctl} and {@link #history} read through Debian's {@code etcdctl}, never through
 * Cairn's own client, so tests check Cairn's writes with a real peer's reading.
 */
public final class EtcdCluster implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

  private final String name;
  private final Path dataRoot;
  private final Path logDir;
  private final int[] clientPorts;
  private final int[] tlsPorts;
  private final Optional<Tls> tls;
  private final int[] peerPorts;
  private final Process[] processes;
  private final String initialCluster;
  private final String token;
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(2)).build();
  private volatile Optional<String> credentials = Optional.empty();

  private EtcdCluster(String name, int members, Optional<Tls> tls) throws IOException {
    this.name = name;
    this.tls = tls;
    this.dataRoot = Files.createTempDirectory("cairn-etcd-");
    this.logDir = Path.of("target", "etcd-logs", name + "-" + System.currentTimeMillis()).toAbsolutePath();
    Files.createDirectories(logDir);
    this.clientPorts = new int[members];
    this.tlsPorts = new int[tls.isPresent() ? members : 0];
    this.peerPorts = new int[members];
    this.processes = new Process[members];
    int[] ports = freePorts(3 * members); // all held at once, so no two are the same
    for (int i = 0; i < members; i++) {
      clientPorts[i] = ports[3 * i];
      peerPorts[i] = ports[3 * i + 1];
      if (tls.isPresent()) {
        tlsPorts[i] = ports[3 * i + 2];
      }
    }
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < members; i++) {
      peers.add("m" + i + "=http://127.0.0.1:" + peerPorts[i]);
    }
    this.initialCluster = String.join(",", peers);
    this.token = "cairn-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
  }

  /**
   * Starts {@code members} members (1 or 3) and waits until each answers {@code /health} and
   * the cluster has a leader.
   *
   * @param name names the log directory
   */
  public static EtcdCluster start(String name, int members) throws IOException {
    return start(name, members, Optional.empty());
  }

  /**
   * The server's certificate and key (PEM) for an {@code https://} client URL on each member,
   * besides the plain one, and optionally a CA whose certificates it requires of clients there
   * ({@code --client-cert-auth}).
   */
  public record Tls(Path certFile, Path keyFile, Optional<Path> clientCaFile) {}

  /**
   * As {@link #start(String, int)}, each member also serving {@code https://} with {@code tls}
   * ({@link #tlsEndpoint}); the plain URLs stay, for the fixture's own reading.
   */
  public static EtcdCluster start(String name, int members, Optional<Tls> tls) throws IOException {
    EtcdCluster c = new EtcdCluster(name, members, tls);
    try {
      for (int i = 0; i < members; i++) {
        c.launch(i);
      }
      for (int i = 0; i < members; i++) {
        c.awaitHealthy(i);
      }
      return c;
    } catch (IOException | RuntimeException e) {
      c.printLogs();
      c.close();
      throw e;
    }
  }

  /** How many members the cluster has (alive or not). */
  public int size() {
    return processes.length;
  }

  /** Every member's client URL, in member order. */
  public List<URI> endpoints() {
    return Stream.of(0, 1, 2).limit(size()).map(this::endpoint).toList();
  }

  /** Member {@code member}'s client URL. */
  public URI endpoint(int member) {
    return URI.create("http://127.0.0.1:" + clientPorts[member]);
  }

  /** Member {@code member}'s {@code https://} client URL, when started with {@link Tls}. */
  public URI tlsEndpoint(int member) {
    return URI.create("https://127.0.0.1:" + tlsPorts[member]);
  }

  /** The client URLs of the members running now. */
  public List<URI> liveEndpoints() {
    List<URI> out = new ArrayList<>();
    for (int i = 0; i < size(); i++) {
      if (processes[i] != null && processes[i].isAlive()) {
        out.add(endpoint(i));
      }
    }
    return out;
  }

  /**
   * The member that is leader now: the one whose {@code /v3/maintenance/status} names itself
   * ({@code leader} equal to its {@code header.member_id}). Waits (up to 30 s) while an election
   * is under way.
   */
  public int leader() throws IOException {
    long end = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < end) {
      for (int i = 0; i < size(); i++) {
        if (processes[i] == null || !processes[i].isAlive()) {
          continue;
        }
        try {
          JsonNode s = post(endpoint(i), "/v3/maintenance/status", "{}");
          String self = s.path("header").path("member_id").asText();
          if (!self.isEmpty() && self.equals(s.path("leader").asText())) {
            return i;
          }
        } catch (IOException e) {
          // not answering yet: ask the next one
        }
      }
      sleep(100);
    }
    throw new IOException("etcd cluster " + name + " has no leader after " + START_TIMEOUT);
  }

  /** Kills member {@code member} at once (SIGKILL): no shutdown, no goodbye to its peers. */
  public void kill(int member) throws InterruptedException {
    Process p = processes[member];
    if (p != null) {
      p.destroyForcibly();
      p.waitFor();
    }
  }

  /** Starts member {@code member} again on its ports and data directory, and waits until it is healthy. */
  public void start(int member) throws IOException {
    launch(member);
    awaitHealthy(member);
  }

  /**
   * Has {@link #etcdctl} log in as {@code user} from now on (after {@code etcdctl auth enable}).
   */
  public void useCredentials(String user, String password) {
    credentials = Optional.of(user + ":" + password);
  }

  /**
   * Runs {@code ETCDCTL_API=3 etcdctl --endpoints=<live members> args...} and returns its standard
   * output.
   *
   * @throws IOException when it exits non-zero, with its standard error
   */
  public String etcdctl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints="
        + liveEndpoints().stream().map(URI::toString).collect(Collectors.joining(","))));
    credentials.ifPresent(c -> cmd.add("--user=" + c));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("ETCDCTL_API", "3");
    Path err = Files.createTempFile(dataRoot, "etcdctl", ".err");
    pb.redirectError(err.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("etcdctl " + String.join(" ", args) + ": still running after 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException("etcdctl " + String.join(" ", args) + " exited " + p.exitValue() + ": "
          + Files.readString(err).strip());
    }
    return out;
  }

  /** One stored version of a key: the revision that wrote it and the value, empty for a delete. */
  public record Version(long modRevision, Optional<String> value) {}

  /**
   * Every version of {@code key} from its creation to now, deletes included, oldest first, as
   * {@code etcdctl watch --rev=1} replays them.
   *
   * <p>The replay is bounded by a marker: {@code <key>/~history} is put first (a key of its own,
   * inside the watched range {@code [key, key+"0")}), and the watch is read up to the marker's event,
   * so every change before the call is seen and the read ends without a timeout. Only events of
   * {@code key} itself are returned.
   */
  public List<Version> history(String key) throws IOException {
    String marker = key + "/~history";
    etcdctl("put", marker, Long.toString(System.nanoTime()));
    List<String> cmd = new ArrayList<>(List.of("etcdctl", "--endpoints="
        + liveEndpoints().stream().map(URI::toString).collect(Collectors.joining(","))));
    credentials.ifPresent(c -> cmd.add("--user=" + c));
    cmd.addAll(List.of("watch", "--rev=1", "-w", "json", key, key + "0"));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("ETCDCTL_API", "3");
    pb.redirectError(Files.createTempFile(dataRoot, "watch", ".err").toFile());
    Process p = pb.start();
    List<Version> out = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        JsonNode batch = JSON.readTree(line);
        for (JsonNode ev : batch.path("Events")) {
          JsonNode kv = ev.path("kv");
          String k = new String(Base64.getDecoder().decode(kv.path("key").asText()), StandardCharsets.UTF_8);
          if (k.equals(marker)) {
            return out;
          }
          if (!k.equals(key)) {
            continue;
          }
          boolean delete = "DELETE".equals(ev.path("type").asText());
          Optional<String> value = delete ? Optional.empty()
              : Optional.of(new String(Base64.getDecoder().decode(kv.path("value").asText("")), StandardCharsets.UTF_8));
          out.add(new Version(kv.path("mod_revision").asLong(), value));
        }
      }
      throw new IOException("etcdctl watch ended before the history marker of " + key);
    } finally {
      p.destroyForcibly();
    }
  }

  /** Stops every member (SIGTERM, then SIGKILL after 10 s) and deletes the data; the logs stay. */
  @Override
  public void close() {
    for (Process p : processes) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      if (p == null) {
        continue;
      }
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> all = Files.walk(dataRoot)) {
      all.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Prints the last lines of each member's log to standard error, with where the whole log is. */
  public void printLogs() {
    for (int i = 0; i < size(); i++) {
      Path log = logDir.resolve("member-" + i + ".log");
      try {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        System.err.println("---- etcd " + name + " member " + i + " (" + log + "), last lines:");
        lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.err::println);
      } catch (IOException e) {
        System.err.println("---- " + log + ": " + e);
      }
    }
  }

  /** A JUnit extension printing the cluster's logs when a test fails. */
  public static final class PrintLogsOnFailure implements TestWatcher {
    private final Supplier<EtcdCluster> cluster;

    public PrintLogsOnFailure(Supplier<EtcdCluster> cluster) {
      this.cluster = cluster;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      EtcdCluster c = cluster.get();
      if (c != null) {
        System.err.println("---- " + context.getDisplayName() + " failed: " + cause);
        c.printLogs();
      }
    }
  }

  private void launch(int i) throws IOException {
    Path data = dataRoot.resolve("m" + i);
    String client = "http://127.0.0.1:" + clientPorts[i];
    String peer = "http://127.0.0.1:" + peerPorts[i];
    String listen = client;
    List<String> tlsArgs = new ArrayList<>();
    if (tls.isPresent()) {
      listen = client + ",https://127.0.0.1:" + tlsPorts[i];
      tlsArgs.add("--cert-file=" + tls.get().certFile());
      tlsArgs.add("--key-file=" + tls.get().keyFile());
      tls.get().clientCaFile().ifPresent(ca -> {
        tlsArgs.add("--client-cert-auth");
        tlsArgs.add("--trusted-ca-file=" + ca);
      });
    }
    List<String> cmd = new ArrayList<>(List.of("etcd",
        "--name=m" + i,
        "--data-dir=" + data,
        "--listen-client-urls=" + listen,
        "--advertise-client-urls=" + client,
        "--listen-peer-urls=" + peer,
        "--initial-advertise-peer-urls=" + peer,
        "--initial-cluster=" + initialCluster,
        "--initial-cluster-state=new",
        "--initial-cluster-token=" + token,
        "--auto-compaction-retention=0",
        "--logger=zap",
        "--log-outputs=stderr"));
    cmd.addAll(tlsArgs);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.redirectErrorStream(true);
    pb.redirectOutput(ProcessBuilder.Redirect.appendTo(logDir.resolve("member-" + i + ".log").toFile()));
    processes[i] = pb.start();
  }

  private void awaitHealthy(int i) throws IOException {
    long end = System.nanoTime() + START_TIMEOUT.toNanos();
    String last = "no answer";
    while (System.nanoTime() < end) {
      if (!processes[i].isAlive()) {
        throw new IOException("etcd member " + i + " of " + name + " exited " + processes[i].exitValue()
            + "; log in " + logDir);
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint(i).resolve("/health"))
            .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
        last = r.statusCode() + " " + r.body();
        if (r.statusCode() == 200 && JSON.readTree(r.body()).path("health").asText().equals("true")) {
          return;
        }
      } catch (IOException e) {
        last = e.toString();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      sleep(50);
    }
    throw new IOException("etcd member " + i + " of " + name + " not healthy after " + START_TIMEOUT
        + " (" + last + "); log in " + logDir);
  }

  private JsonNode post(URI endpoint, String path, String body) throws IOException {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(endpoint.resolve(path))
          .timeout(Duration.ofSeconds(3)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException(endpoint + path + ": " + r.statusCode() + " " + r.body());
      }
      return JSON.readTree(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
