package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.vms.ReleaseImage.Image;
import dev.cairn.vms.ReleaseImage.Partition;
import dev.cairn.vms.ReleaseImage.Release;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn install} against a real {@code cairn serve} on loopback that publishes signed
 * release images through {@code cairn admin}, as an operator's would, writing to image files and
 * (for the mounted case) a real loop device. The results are checked by peers: sgdisk, cgpt,
 * e2fsck, debugfs. Faults are caused for real where they can be: files changed in the server's
 * data directory (tampered, truncated, with trailing bytes, signature removed), another key,
 * the server killed mid-download; only the moment of the kill is chosen through a relay ({@link
 * HoldingRelay}).
 *
 * <p>A failure after the target was touched must leave it with no GPT that sgdisk or cgpt can
 * find; one before must leave every byte as it was. Each target starts as a finished install of
 * 1.0.0, so "as it was" is a bootable disk, and the failing runs give {@code --yes}.
 */
class InstallTest {
  private static final long MIB = 1 << 20;

  @TempDir static Path shared;
  @TempDir Path tmp;

  static ReleaseKey key;
  static ReleaseKey stranger;
  static Release release;
  static CairnServe serve;
  static ReleasePublisher publisher;
  static Path data;
  static int port;
  static Path cloudConfig;

  @BeforeAll
  static void publish() throws Exception {
    key = ReleaseKey.generate(shared.resolve("key"));
    stranger = ReleaseKey.generate(shared.resolve("stranger"), "Someone Else <else@example.invalid>");
    Path usr = Files.createDirectories(shared.resolve("usr-files"));
    byte[] noise = new byte[6 << 20];
    new Random(13).nextBytes(noise);
    Files.write(usr.resolve("noise.bin"), noise);
    Image image = ReleaseImage.of("1.0.0").usrFiles(usr).build(shared.resolve("1.0.0"));
    release = image.release(key);
    data = shared.resolve("cairn-data");
    port = CairnServe.freePort();
    serve = CairnServe.start(data, port, shared.resolve("cairn-serve.log"));
    publisher = new ReleasePublisher(serve);
    publisher.publish(release, "stable");
    cloudConfig = shared.resolve("cloud-config.yaml");
    Files.writeString(cloudConfig, "#cloud-config\nhostname: node-1\ncoreos:\n  update:\n    group: canary\n");
  }

  @AfterAll
  static void stop() throws Exception {
    if (serve != null) {
      serve.close();
    }
    if (key != null) {
      key.close();
    }
    if (stranger != null) {
      stranger.close();
    }
  }

  private static String server() {
    return "http://127.0.0.1:" + port;
  }

  private Path target(long bytes) throws IOException {
    Path t = tmp.resolve("disk-" + System.nanoTime() + ".img");
    try (RandomAccessFile f = new RandomAccessFile(t.toFile(), "rw")) {
      f.setLength(bytes);
    }
    return t;
  }

  private static CairnServe.Run install(String... args) {
    List<String> all = new ArrayList<>(List.of("install"));
    if (!List.of(args).contains("--retry-delay")) {
      all.addAll(List.of("--retry-delay", "100ms"));
    }
    all.addAll(List.of(args));
    return CairnServe.cairnInProcess(all.toArray(String[]::new));
  }

  /** A 2 GiB target that already holds a finished install of 1.0.0. */
  /**
   * A finished install of 1.0.0 on a 256 MiB target: the refusal tests hash it whole before and
   * after, which on the 2 GiB target of the acceptance test cost each of them seconds.
   */
  private Path installedTarget() throws IOException {
    Path t = target(256 * MIB);
    CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString());
    assertEquals(0, r.code(), r::describe);
    return t;
  }

  private static String sha256(Path p) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (var in = Files.newInputStream(p)) {
      byte[] buf = new byte[1 << 20];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String sha256(Path p, long offset, long bytes) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "r")) {
      f.seek(offset);
      byte[] buf = new byte[1 << 20];
      long left = bytes;
      while (left > 0) {
        int n = f.read(buf, 0, (int) Math.min(buf.length, left));
        md.update(buf, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static void assertNoGpt(Path t, CairnServe.Run r) throws Exception {
    Peer.Result cgpt = Peer.run("cgpt", "show", t.toString());
    assertNotEquals(0, cgpt.code(), () -> "cgpt still finds a GPT after:\n" + r.describe() + "\n" + cgpt.out());
    Peer.Result sg = Peer.run("sgdisk", "-p", t.toString());
    assertTrue(!sg.out().contains("USR-A") && !sg.out().contains("ROOT"), () -> "sgdisk still finds partitions:\n" + sg.out());
  }

  /** One line on stderr, naming the failure and what became of the disk. */
  private static void assertOneLineFailure(CairnServe.Run r, String what, String disk) {
    assertNotEquals(0, r.code(), r::describe);
    List<String> lines = r.output().lines().filter(l -> l.startsWith("cairn install: ")).toList();
    List<String> failures = lines.stream().filter(l -> !l.contains("; retry ")).toList();
    assertEquals(1, failures.size(), r::describe);
    assertTrue(failures.get(0).contains(what), () -> "expected '" + what + "' in:\n" + r.describe());
    assertTrue(failures.get(0).contains(disk), () -> "expected '" + disk + "' in:\n" + r.describe());
  }

  private static Path stored(String name) throws IOException {
    try (Stream<Path> s = Files.walk(data.resolve("images"))) {
      return s.filter(p -> p.getFileName().toString().equals(name) && p.toString().contains(release.version()))
          .findFirst().orElseThrow(() -> new AssertionError("no stored " + name + " under " + data));
    }
  }

  /** Changes a file in the server's store for one test, then puts it back. */
  private interface Change {
    void apply(Path stored) throws Exception;
  }

  private static void withStored(String name, Change change, Change test) throws Exception {
    Path p = stored(name);
    byte[] before = Files.readAllBytes(p);
    try {
      change.apply(p);
      test.apply(p);
    } finally {
      Files.write(p, before);
    }
  }

  // ---- the acceptance run

  @Test
  void installFromCairnServe_toA2GiBFile_isCleanGrownAndHoldsTheCloudConfig() throws Exception {
    Path t = target(2L << 30);
    CairnServe.Run r = CairnServe.cairn("install", "-d", t.toString(), "-s", server(), "-C", "stable",
        "-k", release.publicKey().toString(), "-c", cloudConfig.toString());
    assertEquals(0, r.code(), r::describe);
    assertTrue(r.output().contains("Installed 1.0.0 (coreos_production_image.bin.bz2) to " + t), r::describe);

    String v = Peer.run("sgdisk", "-v", t.toString()).out();
    assertTrue(v.contains("No problems found"), v);
    long sectors = (2L << 30) / 512;
    String root = Peer.run("sgdisk", "-i", "9", t.toString()).out();
    assertTrue(root.contains("Last sector: " + (sectors - 34) + " "), "ROOT must reach the last usable sector:\n" + root);
    Peer.Result cgpt = Peer.run("cgpt", "show", t.toString());
    assertTrue(cgpt.out().contains((sectors - 1) + "           1         Sec GPT header")
        || cgpt.out().matches("(?s).*\\b" + (sectors - 1) + "\\s+1\\s+Sec GPT header.*"), cgpt.out());

    Image image = release.image();
    Partition usrA = image.partition("USR-A");
    assertEquals(image.usrSha256(), sha256(t, usrA.offset(), usrA.bytes()), "USR-A must be the image's, byte for byte");

    Partition rootPart = image.partition("ROOT");
    Path rootFs = tmp.resolve("root.ext4");
    try (var in = Files.newByteChannel(t); var out = Files.newByteChannel(rootFs, StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE)) {
      in.position(rootPart.offset());
      java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate((int) rootPart.bytes());
      while (b.hasRemaining() && in.read(b) > 0) {
        // reading ROOT's filesystem as the image made it
      }
      b.flip();
      out.write(b);
    }
    Peer.Result fsck = Peer.run("e2fsck", "-fn", rootFs.toString());
    assertEquals(0, fsck.code(), () -> "ROOT's filesystem must be intact:\n" + fsck.out() + fsck.err());

    Peer.Result cat = Peer.run("debugfs", "-R", "cat /var/lib/coreos-install/user_data",
        t + "?offset=" + rootPart.offset());
    assertEquals(Files.readString(cloudConfig), cat.out());
  }

  @Test
  void dryRun_printsThePlan_andTouchesNothing() throws Exception {
    Path t = installedTarget();
    String before = sha256(t);
    CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--dry-run",
        "--yes");
    assertEquals(0, r.code(), r::describe);
    String url = server() + "/release/stable/amd64-usr/1.0.0/coreos_production_image.bin.bz2";
    assertTrue(r.output().contains("version:    1.0.0"), r::describe);
    assertTrue(r.output().contains("image:      " + url + " ("), r::describe);
    assertTrue(r.output().contains("overwrites: a GPT with 7 partitions: 1 EFI-SYSTEM"), r::describe);
    assertEquals(before, sha256(t));
    CairnServe.Run refused = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--dry-run");
    assertEquals(2, refused.code(), refused::describe);
    assertTrue(refused.output().contains("give --yes to overwrite it (dry run: nothing was written)"), refused::describe);
    assertEquals(before, sha256(t));
  }

  @Test
  void aLocalImage_withABinaryKeyring_installsOffline_withIgnitionAndOemId() throws Exception {
    Path t = target(256 * MIB);
    Path binary = tmp.resolve("keyring.gpg");
    Peer.Result dearmor = Peer.run("gpg", "--batch", "--yes", "--dearmor", "-o", binary.toString(),
        release.publicKey().toString());
    assertEquals(0, dearmor.code(), dearmor::toString);
    Path ign = tmp.resolve("config.ign");
    Files.writeString(ign, "{\"ignition\": {\"version\": \"2.3.0\"}}\n");
    CairnServe.Run r = install("-d", t.toString(), "-f", release.compressed().toString(), "-k", binary.toString(),
        "-i", ign.toString(), "-o", "qemu");
    assertEquals(0, r.code(), r::describe);
    assertTrue(r.output().contains("Installed 1.0.0 (coreos_production_image.bin.bz2) to " + t), r::describe);
    long oem = release.image().partition("OEM").offset();
    assertEquals(Files.readString(ign), Peer.run("debugfs", "-R", "cat /config.ign", t + "?offset=" + oem).out());
    assertTrue(Peer.run("debugfs", "-R", "cat /grub.cfg", t + "?offset=" + oem).out().contains("set oem_id=\"qemu\""));
    assertTrue(Peer.run("debugfs", "-R", "cat /oem-release", t + "?offset=" + oem).out().contains("ID=qemu"));
    assertTrue(Peer.run("sgdisk", "-v", t.toString()).out().contains("No problems found"));
  }

  @Test
  void aMirrorBaseUrl_findsAFlatcarNamedImage() throws Exception {
    Image flatcar = ReleaseImage.of("1.1.0").distro(ReleaseImage.Distro.FLATCAR).build(tmp.resolve("flatcar"));
    publisher.upload(flatcar.release(key));
    Path t = target(256 * MIB);
    CairnServe.Run r = install("-d", t.toString(), "-b", server() + "/release/stable/amd64-usr", "-V", "1.1.0",
        "-k", release.publicKey().toString());
    assertEquals(0, r.code(), r::describe);
    assertTrue(r.output().contains("Installed 1.1.0 (flatcar_production_image.bin.bz2) to " + t), r::describe);
  }

  /**
   * The install as it runs in an installer initramfs: on a jlink runtime of only {@link
   * TrimmedRuntime#MODULES}, with only the machine-side jars, so a module or jar the installer
   * needs and the list lacks fails here.
   */
  @Test
  void onTheTrimmedRuntime_anInstallFromTheServerWorks() throws Exception {
    TrimmedRuntime rt = TrimmedRuntime.build(tmp.resolve("runtime"), TrimmedRuntime.currentClassPath());
    Path t = target(256 * MIB);
    Process p = new ProcessBuilder(rt.command("install", "-d", t.toString(), "-s", server(), "-k",
        release.publicKey().toString(), "-c", cloudConfig.toString())).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("Installed 1.0.0 (coreos_production_image.bin.bz2) to " + t), out);
    long root = release.image().partition("ROOT").offset();
    assertEquals(Files.readString(cloudConfig),
        Peer.run("debugfs", "-R", "cat /var/lib/coreos-install/user_data", t + "?offset=" + root).out());

    // zstd's decoder needs jdk.unsupported: a local zstd image, signed, through the same runtime.
    Path zst = tmp.resolve("coreos_production_image.bin.zst");
    assertEquals(0, Peer.run("zstd", "-q", "-19", release.image().file().toString(), "-o", zst.toString()).code());
    key.sign(zst);
    Path t2 = target(256 * MIB);
    Process z = new ProcessBuilder(rt.command("install", "-d", t2.toString(), "-f", zst.toString(), "-k",
        release.publicKey().toString())).redirectErrorStream(true).start();
    String zout = new String(z.getInputStream().readAllBytes());
    assertTrue(z.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, z.exitValue(), zout);
    Partition usrA = release.image().partition("USR-A");
    assertEquals(release.image().usrSha256(), sha256(t2, usrA.offset(), usrA.bytes()));
  }

  /** Under a terminal (a pty made by util-linux's {@code script}) the progress is a bar redrawn with CR. */
  @Test
  void onATerminal_theProgressIsABarRedrawnInPlace() throws Exception {
    Path t = target(256 * MIB);
    String cmd = String.join(" ", CairnServe.command("install", "-d", t.toString(), "-s", server(), "-k",
        release.publicKey().toString()));
    Process p = new ProcessBuilder("script", "-qec", cmd, "/dev/null").redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.matches("(?s).*\\r\\[#{30}\\] 100%  6\\.\\d\\d MiB / 6\\.\\d\\d MiB  .*/s  done.*"), out);
    assertTrue(!out.contains("downloaded "), "no log lines on a terminal:\n" + out);
  }

  // ---- failures before the disk is touched: every byte stays

  @Test
  void signatureByAnUntrustedKey_isRefusedBeforeWriting() throws Exception {
    Path t = installedTarget();
    String before = sha256(t);
    CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", stranger.publicKey().toString(), "--yes");
    assertOneLineFailure(r, "coreos_production_image.bin.bz2.sig: ", "nothing was written to " + t);
    assertEquals(before, sha256(t));
  }

  @Test
  void anEmptyKeyring_isRefusedBeforeWriting_namingTheFile() throws Exception {
    Path t = target(256 * MIB);
    String before = sha256(t);
    Path empty = Files.createFile(tmp.resolve("empty.asc"));
    CairnServe.Run r = install("-d", t.toString(), "-f", release.compressed().toString(), "-k", empty.toString());
    assertEquals(2, r.code(), r::describe);
    assertOneLineFailure(r, empty + ": the keyring is empty", "nothing was written to " + t);
    assertEquals(before, sha256(t));
  }

  @Test
  void aMissingSignature_isRefusedBeforeWriting() throws Exception {
    Path t = installedTarget();
    String before = sha256(t);
    Path sig = stored("coreos_production_image.bin.bz2.sig");
    byte[] saved = Files.readAllBytes(sig);
    Files.delete(sig);
    try {
      CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--yes");
      assertOneLineFailure(r, ".sig: no signature beside the image; Cairn installs only signed images",
          "nothing was written to " + t);
    } finally {
      Files.write(sig, saved);
    }
    assertEquals(before, sha256(t));
  }

  @Test
  void anInvalidCloudConfig_isRefusedBeforeWriting_namingItsLine() throws Exception {
    Path t = installedTarget();
    String before = sha256(t);
    Path bad = tmp.resolve("bad.yaml");
    Files.writeString(bad, "#cloud-config\nhostname: node-1\ncoreos:\n  update:\n    reboot-strategy: sometimes\n");
    CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--yes",
        "-c", bad.toString());
    assertEquals(2, r.code(), r::describe);
    assertOneLineFailure(r, bad + ":5:", "invalid cloud-config; nothing was written to " + t);
    assertEquals(before, sha256(t));
  }

  @Test
  void aTargetTooSmall_isRefusedBeforeWriting() throws Exception {
    Path t = target(32 * MIB);
    String before = sha256(t);
    CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString());
    assertEquals(2, r.code(), r::describe);
    assertOneLineFailure(r, t + " is too small: it has 32.0 MiB", "nothing was written to " + t);
    assertEquals(before, sha256(t));
  }

  @Test
  void aMountedTarget_isRefusedEvenWithYes() throws Exception {
    Path t = target(64 * MIB);
    String loop = Peer.run("losetup", "-f", "--show", t.toString()).out().strip();
    Path mnt = Files.createDirectory(tmp.resolve("mnt"));
    try {
      assertEquals(0, Peer.run("mke2fs", "-q", "-F", "-t", "ext4", loop).code());
      assertEquals(0, Peer.run("mount", loop, mnt.toString()).code());
      try {
        String before = sha256(t);
        CairnServe.Run r = install("-d", loop, "-s", server(), "-k", release.publicKey().toString(), "--yes");
        assertOneLineFailure(r, loop + " is in use: " + loop + " is mounted at " + mnt, "nothing was written");
        assertEquals(before, sha256(t));
      } finally {
        Peer.run("umount", mnt.toString());
      }
    } finally {
      Peer.run("losetup", "-d", loop);
    }
  }

  // ---- failures after the disk was touched: no GPT is left

  @Test
  void aTamperedImage_failsItsSignature_andTheDiskIsWiped() throws Exception {
    Path t = installedTarget();
    Path other = Files.createDirectories(tmp.resolve("other-usr"));
    Files.writeString(other.resolve("payload"), "not what was signed\n");
    Image forged = ReleaseImage.of("1.0.0").usrFiles(other).build(tmp.resolve("forged"));
    Path forgedBz2 = forged.compress();
    withStored("coreos_production_image.bin.bz2", p -> Files.copy(forgedBz2, p,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING), p -> {
          CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--yes");
          assertOneLineFailure(r, "coreos_production_image.bin.bz2.sig: ", "the disk was wiped");
          assertTrue(r.output().contains("does not match") || r.output().contains("bad signature")
              || r.output().contains("BAD"), r::describe);
          assertNoGpt(t, r);
        });
  }

  @Test
  void aTruncatedDownload_isCaught_andTheDiskIsWiped() throws Exception {
    Path t = installedTarget();
    withStored("coreos_production_image.bin.bz2", p -> {
      byte[] b = Files.readAllBytes(p);
      Files.write(p, java.util.Arrays.copyOf(b, b.length * 2 / 3));
    }, p -> {
      CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--yes");
      assertOneLineFailure(r, "truncated", "the disk was wiped");
      assertNoGpt(t, r);
    });
  }

  @Test
  void trailingGarbageAfterTheBzip2Stream_isRejected_andTheDiskIsWiped() throws Exception {
    Path t = installedTarget();
    withStored("coreos_production_image.bin.bz2", p -> Files.write(p, "garbage".getBytes(),
        StandardOpenOption.APPEND), p -> {
          CairnServe.Run r = install("-d", t.toString(), "-s", server(), "-k", release.publicKey().toString(), "--yes");
          assertOneLineFailure(r, "trailing data after the end of the bzip2 stream", "the disk was wiped");
          assertNoGpt(t, r);
        });
  }

  // ---- the server dies mid-download

  @Test
  void theServerDiesMidDownload_andComesBackWithinTheRetries_theInstallResumes() throws Exception {
    Path t = target(2L << 30);
    try (HoldingRelay relay = new HoldingRelay(port, 2 * MIB)) {
      java.util.concurrent.CompletableFuture<CairnServe.Run> run = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> install("-d", t.toString(), "-s", "http://127.0.0.1:" + relay.port(), "-k",
              release.publicKey().toString(), "--retries", "8", "--retry-delay", "200ms"));
      assertTrue(relay.awaitHolding(60), "the download never got 2 MiB in");
      serve.kill();
      relay.dropHeld();
      Thread.sleep(1000);
      serve = CairnServe.start(data, port, shared.resolve("cairn-serve-2.log"));
      publisher = new ReleasePublisher(serve);
      CairnServe.Run r = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
      assertEquals(0, r.code(), r::describe);
      assertTrue(r.output().contains("; retry 1 of 8 in 200 ms"), r::describe);
    }
    assertTrue(Peer.run("sgdisk", "-v", t.toString()).out().contains("No problems found"));
    Partition usrA = release.image().partition("USR-A");
    assertEquals(release.image().usrSha256(), sha256(t, usrA.offset(), usrA.bytes()),
        "the resumed download must give USR-A byte for byte");
  }

  @Test
  void theServerDiesMidDownload_andStaysDown_theInstallGivesUp_andTheDiskIsWiped() throws Exception {
    Path t = installedTarget();
    try (HoldingRelay relay = new HoldingRelay(port, 2 * MIB)) {
      java.util.concurrent.CompletableFuture<CairnServe.Run> run = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> install("-d", t.toString(), "-s", "http://127.0.0.1:" + relay.port(), "-k",
              release.publicKey().toString(), "--yes", "--retries", "2", "--retry-delay", "100ms"));
      assertTrue(relay.awaitHolding(60), "the download never got 2 MiB in");
      serve.kill();
      relay.dropHeld();
      CairnServe.Run r;
      try {
        r = run.get(120, java.util.concurrent.TimeUnit.SECONDS);
      } finally {
        serve = CairnServe.start(data, port, shared.resolve("cairn-serve-3.log"));
        publisher = new ReleasePublisher(serve);
      }
      assertOneLineFailure(r, "gave up after 3 attempts", "the disk was wiped");
      assertNoGpt(t, r);
    }
  }
}
