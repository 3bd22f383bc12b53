package dev.cairn.vms;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Publishes a {@link ReleaseImage.Release} on a running {@code cairn serve} with {@code cairn
 * admin}, each step a command an operator would type, against {@code --server
 * http://127.0.0.1:PORT --token-file DATA/admin.token} (run through the cli's entry point in the
 * test's JVM, {@link CairnServe#cairnInProcess}, so a publish takes a fraction of a second rather
 * than a JVM start per command):
 *
 * <ol>
 *   <li>{@code key list --format json}, and {@code key add release.pub.asc} unless the key is
 *       trusted already (the server refuses a key twice, and refuses uploads signed by a key it
 *       does not trust);
 *   <li>{@code package add --version V --board B --file coreos_production_update.bin.bz2
 *       --signature ...sig}: the payload a channel points at (a channel can point only at a
 *       version that has a package);
 *   <li>{@code package add-image --version V --board B --file coreos_production_image.bin.bz2
 *       --signature ...sig}: served as {@code /release/CHANNEL/B/V/NAME} (and {@code NAME.sig})
 *       for every channel;
 *   <li>{@code channel list --format json}, {@code channel create C} unless it exists (a new
 *       server has alpha, beta and stable), and {@code channel set C V}: from then on
 *       {@code /release/C/B/current/version.txt} names V.
 * </ol>
 *
 * <p>{@link #upload} does 1-3 once per version, {@link #point} does 4 for each channel, and
 * {@link #publish} both. Every command must exit 0; the commands run are kept in order
 * ({@link #commands()}).
 */
final class ReleasePublisher {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final CairnServe serve;
  private final List<CairnServe.Run> commands = java.util.Collections.synchronizedList(new ArrayList<>());

  ReleasePublisher(CairnServe serve) {
    this.serve = serve;
  }

  /** Uploads {@code release} and points {@code channel} at its version. */
  void publish(ReleaseImage.Release release, String channel) throws IOException {
    upload(release);
    point(channel, release.version());
  }

  /** Trusts the release's key unless the server does already, then uploads the update payload and the image. */
  void upload(ReleaseImage.Release release) throws IOException {
    boolean trusted = false;
    for (JsonNode k : json("key", "list", "--format", "json")) {
      trusted |= k.path("fingerprint").asText().equalsIgnoreCase(release.fingerprint());
    }
    if (!trusted) {
      admin("key", "add", release.publicKey().toString());
    }
    admin("package", "add", "--version", release.version(), "--board", release.board(),
        "--file", release.update().toString(), "--signature", release.updateSignature().toString());
    admin("package", "add-image", "--version", release.version(), "--board", release.board(),
        "--file", release.compressed().toString(), "--signature", release.signature().toString());
  }

  /** Points {@code channel} at {@code version}, creating the channel first when the server has none of that name. */
  void point(String channel, String version) throws IOException {
    boolean exists = false;
    for (JsonNode c : json("channel", "list", "--format", "json")) {
      exists |= c.path("name").asText().equals(channel);
    }
    if (!exists) {
      admin("channel", "create", channel);
    }
    admin("channel", "set", channel, version);
  }

  /** The commands run so far, in order, with what each printed. */
  List<CairnServe.Run> commands() {
    synchronized (commands) {
      return List.copyOf(commands);
    }
  }

  /** {@code cairn admin --server URL --token-file TOKEN ARGS}, which must exit 0. */
  CairnServe.Run admin(String... args) throws IOException {
    List<String> all = new ArrayList<>(List.of("admin", "--server", "http://127.0.0.1:" + serve.bootServer().hostPort(),
        "--token-file", serve.dataDir().resolve("admin.token").toString()));
    all.addAll(List.of(args));
    CairnServe.Run r = CairnServe.cairnInProcess(all.toArray(String[]::new));
    commands.add(r);
    if (r.code() != 0) {
      throw new IOException(r.describe());
    }
    return r;
  }

  private JsonNode json(String... args) throws IOException {
    return JSON.readTree(admin(args).output());
  }
}
