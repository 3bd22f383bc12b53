package dev.cairn.install.cli;

import dev.cairn.install.Request;
import dev.cairn.install.disk.Ext4Files;
import dev.cairn.install.disk.Inspect;
import dev.cairn.install.net.Http;
import dev.cairn.install.run.Installer;
import dev.cairn.install.run.Unpacker;
import dev.cairn.signing.ReleaseKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn install}: coreos-install's job, verifying before it trusts. */
@Command(name = "install", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Install a signed CoreOS-style disk image to a disk or image file.",
        "Downloads the channel's image and its .sig (with retries and resume), checks the signature",
        "while it decompresses and writes, and writes the partition table last, only once the",
        "signature verified; any failure after the disk was touched wipes both GPT copies.",
        "The cloud-config (-c) is validated before the disk is touched and placed in ROOT at",
        "/var/lib/coreos-install/user_data; an Ignition config (-i) goes to OEM as config.ign."})
public final class InstallCommand implements Callable<Integer> {
  /** The keyring installed with Cairn, used when -k is not given. */
  public static final String DEFAULT_KEYRING = "/usr/share/cairn/release-keys.asc";

  @Spec CommandSpec spec;

  @Option(names = "-d", required = true, paramLabel = "DEVICE", description = "Target: a whole block device or an image file.")
  String device;

  @Option(names = "-C", paramLabel = "CHANNEL", defaultValue = "stable", description = "Release channel (default: ${DEFAULT-VALUE}).")
  String channel;

  @Option(names = "-V", paramLabel = "VERSION", defaultValue = "current",
      description = "Version to install (default: ${DEFAULT-VALUE}, the channel's version.txt).")
  String version;

  @Option(names = "-B", paramLabel = "BOARD", defaultValue = "amd64-usr", description = "Board (default: ${DEFAULT-VALUE}).")
  String board;

  @Option(names = "-s", paramLabel = "SERVER", description = "A Cairn server: images from SERVER/release/CHANNEL/BOARD/.")
  String server;

  @Option(names = "-b", paramLabel = "BASEURL",
      description = "A mirror laid out like a release server: BASEURL/current/version.txt, BASEURL/VERSION/IMAGE.")
  String baseUrl;

  @Option(names = "-f", paramLabel = "IMAGE", description = "Install a local image (offline); its signature is IMAGE.sig.")
  String imageFile;

  @Option(names = "-c", paramLabel = "CLOUD_CONFIG", description = "cloud-config (a file or an http(s) URL) for the installed OS.")
  String cloudConfig;

  @Option(names = "-i", paramLabel = "IGNITION", description = "Ignition config, placed in OEM as config.ign.")
  String ignition;

  @Option(names = "-o", paramLabel = "OEM",
      description = "OEM id: prefers the OEM's image, and sets oem_id in OEM's grub.cfg and oem-release.")
  String oem;

  @Option(names = "-k", paramLabel = "KEYRING", defaultValue = DEFAULT_KEYRING,
      description = "Trusted release keys, armored or binary (default: ${DEFAULT-VALUE}).")
  String keyring;

  @Option(names = "--image-name", paramLabel = "NAME",
      description = "Image file name (default: coreos_production_image.bin.bz2, else flatcar_production_image.bin.bz2).")
  String imageName;

  @Option(names = "--dry-run", description = "Print the plan (version, URLs, sizes, target, what is overwritten); touch nothing.")
  boolean dryRun;

  @Option(names = "--yes", description = "Overwrite a target that holds partitions or a filesystem.")
  boolean yes;

  @Option(names = "--threads", paramLabel = "N", description = "Decompression threads (default: the number of cores).")
  int threads = Runtime.getRuntime().availableProcessors();

  @Mixin RetryOptions retry;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s",
      description = "A connection that sends nothing for this long is dropped and resumed (default: ${DEFAULT-VALUE}).")
  String timeout;

  private final ReleaseKeys keys;
  private final Unpacker unpacker;

  public InstallCommand(ReleaseKeys keys, Unpacker unpacker) {
    this.keys = keys;
    this.unpacker = unpacker;
  }

  @Override
  public Integer call() throws IOException {
    Request r = new Request(device, channel, version, board, server, baseUrl, imageFile, imageName, cloudConfig,
        ignition, oem, keyring, dryRun, yes, threads);
    Duration read = duration(timeout, "--timeout");
    Http.Policy policy = retry.policy(read);
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Http http = new Http(policy, m -> {
      err.println("cairn install: " + m);
      err.flush();
    });
    new Installer(r, keys, unpacker, http, Inspect.system(), Ext4Files.system(), out, err, System.console() != null).run();
    return 0;
  }

  /** {@code 500ms}, {@code 30s}, {@code 2m}. */
  public static Duration duration(String text, String option) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,6})(ms|s|m)").matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(option + " must be a number with ms, s or m (like 500ms, 30s, 2m), got '" + text + "'");
    }
    long n = Long.parseLong(m.group(1));
    Duration d = switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
    if (d.isZero() && option.equals("--timeout")) {
      throw new IllegalArgumentException(option + " must be more than 0");
    }
    return d;
  }
}
