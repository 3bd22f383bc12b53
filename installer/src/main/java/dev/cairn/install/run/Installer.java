package dev.cairn.install.run;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import dev.cairn.gpt.Partition;
import dev.cairn.install.Finish;
import dev.cairn.install.ImageHead;
import dev.cairn.install.Progress;
import dev.cairn.install.ReleaseSource;
import dev.cairn.install.Request;
import dev.cairn.install.TargetFacts;
import dev.cairn.install.Units;
import dev.cairn.install.disk.Ext4Files;
import dev.cairn.install.disk.Inspect;
import dev.cairn.install.disk.Reread;
import dev.cairn.install.disk.TargetDisk;
import dev.cairn.install.net.Http;
import dev.cairn.install.net.ResumingDownload;
import dev.cairn.signing.ReleaseKeys;
import dev.cairn.signing.Verdict;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs one install: checks everything that can be checked before the disk is touched, then
 * streams download, signature hashing, decompression and writing as one pipeline with the image's
 * first MiB held back, and writes the partition table last, only once the signature verified.
 * Any failure after the first write wipes both GPT copies, so the disk cannot boot a half-written
 * or untrusted image.
 */
public final class Installer {
  /** Where the installed OS's coreos-cloudinit reads the install-time user data. */
  public static final String USER_DATA_DIR = "/var/lib/coreos-install";

  private static final int CONFIG_CAP = 16 << 20;
  private static final int SIG_CAP = 64 << 10;
  private static final int CHUNK = 1 << 20;
  private static final int WRITE = 4 << 20;

  private final Request request;
  private final ReleaseKeys keys;
  private final Unpacker unpacker;
  private final Http http;
  private final Inspect inspect;
  private final Ext4Files ext4;
  private final PrintWriter out;
  private final PrintWriter err;
  private final boolean terminal;

  public Installer(Request request, ReleaseKeys keys, Unpacker unpacker, Http http, Inspect inspect, Ext4Files ext4,
      PrintWriter out, PrintWriter err, boolean terminal) {
    this.request = request;
    this.keys = keys;
    this.unpacker = unpacker;
    this.http = http;
    this.inspect = inspect;
    this.ext4 = ext4;
    this.out = out;
    this.err = err;
    this.terminal = terminal;
  }

  /** Where the image comes from, found before anything is written. */
  private record Source(String version, String name, String location, long size, byte[] signature, String sigLocation) {}

  public void run() throws IOException {
    Path target = Path.of(request.device());
    try {
      prepareAndInstall(target);
    } catch (IOException e) {
      throw untouched(e, target) ? new IOException(e.getMessage() + "; nothing was written to " + target, e) : e;
    } catch (IllegalArgumentException e) {
      throw untouched(e, target) ? new IllegalArgumentException(e.getMessage() + "; nothing was written to " + target, e) : e;
    }
  }

  /** Whether a failure says nothing yet about the disk, so it happened before the disk was touched. */
  private static boolean untouched(Exception e, Path target) {
    String m = String.valueOf(e.getMessage());
    return !m.contains("nothing was written") && !m.contains("the disk was wiped") && !m.contains("wiping the disk failed");
  }

  private void prepareAndInstall(Path target) throws IOException {
    TargetFacts facts = inspect.facts(target);
    Optional<String> refusal = facts.refusal(request.yes());
    if (refusal.isPresent() && !request.dryRun()) {
      throw new IllegalArgumentException(refusal.get());
    }
    byte[] cloudConfig = request.cloudConfig() == null ? null : cloudConfig(request.cloudConfig());
    byte[] ignition = request.ignition() == null ? null : ignition(Path.of(request.ignition()));
    List<byte[]> keyring = List.of(readKeyring(Path.of(request.keyring())));
    Source source = resolve();
    ReleaseKeys.Check check = keys.check(keyring, source.signature());
    ReleaseKeys.Signed signer = check.signer();
    if (signer.rejected().isPresent()) {
      throw new IOException(source.sigLocation() + ": " + signer.rejected().get().message());
    }
    if (request.dryRun()) {
      plan(facts, source, signer.primaryFingerprint().orElseThrow(), cloudConfig, ignition);
      if (refusal.isPresent()) {
        out.flush();
        throw new IllegalArgumentException(refusal.get() + " (dry run: nothing was written)");
      }
      return;
    }
    install(facts, source, check, cloudConfig, ignition);
  }

  private void plan(TargetFacts facts, Source source, String fingerprint, byte[] cloudConfig, byte[] ignition) {
    out.println("Plan (dry run: nothing will be written)");
    out.println("  version:    " + source.version());
    out.println("  image:      " + source.location() + (source.size() >= 0 ? " (" + Units.bytes(source.size()) + ")" : ""));
    out.println("  signature:  " + source.sigLocation() + " (by trusted key " + fingerprint + ")");
    out.println("  target:     " + facts.name() + " (" + (facts.kind() == TargetFacts.Kind.FILE ? "image file" : "block device")
        + ", " + Units.bytes(facts.bytes()) + ", " + facts.sectorSize() + "-byte sectors)");
    out.println("  overwrites: " + (facts.contents().isEmpty() ? "nothing found on the target" : String.join("; ", facts.contents())));
    if (cloudConfig != null) {
      out.println("  cloud-config: " + request.cloudConfig() + " (" + cloudConfig.length + " bytes, valid) to ROOT:"
          + USER_DATA_DIR + "/user_data");
    }
    if (ignition != null) {
      out.println("  ignition:   " + request.ignition() + " (" + ignition.length + " bytes) to OEM:/config.ign");
    }
    if (request.oem() != null) {
      out.println("  oem:        " + request.oem() + " (OEM:/grub.cfg oem_id and OEM:/oem-release)");
    }
    out.println("  then:       the GPT fitted to the disk (backup at its end, ROOT grown), written last");
  }

  // ---- before the disk is touched

  private byte[] cloudConfig(String where) throws IOException {
    byte[] bytes;
    if (where.startsWith("http://") || where.startsWith("https://")) {
      try {
        bytes = http.get(where, CONFIG_CAP);
      } catch (IOException e) {
        throw new IOException("cloud-config " + e.getMessage(), e);
      }
    } else {
      bytes = readFile(Path.of(where), CONFIG_CAP, "cloud-config");
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(where + ": cloud-config is not UTF-8 text");
    }
    List<Diagnostic> errors = CloudConfig.validate(text, where).stream()
        .filter(d -> d.level() == Diagnostic.Level.ERROR).toList();
    if (!errors.isEmpty()) {
      throw new IllegalArgumentException(errors.get(0) + (errors.size() > 1 ? " (and " + (errors.size() - 1)
          + " more error" + (errors.size() > 2 ? "s" : "") + "; see cairn cloud-config validate)" : "")
          + "; invalid cloud-config");
    }
    return bytes;
  }

  private static byte[] ignition(Path p) throws IOException {
    byte[] bytes = readFile(p, CONFIG_CAP, "Ignition config");
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    if (!text.startsWith("{") || !text.endsWith("}")) {
      throw new IllegalArgumentException(p + ": an Ignition config is a JSON object ({...})");
    }
    return bytes;
  }

  private static byte[] readKeyring(Path p) throws IOException {
    try {
      byte[] ring = readFile(p, 16 << 20, "keyring");
      if (ring.length == 0) {
        throw new IllegalArgumentException(p + ": the keyring is empty; expected the trusted release keys, armored or binary");
      }
      return ring;
    } catch (NoSuchFileException e) {
      throw new IOException(p + ": no keyring there; give the trusted release keys with -k FILE", e);
    }
  }

  private static byte[] readFile(Path p, int cap, String what) throws IOException {
    try {
      long size = Files.size(p);
      if (size > cap) {
        throw new IllegalArgumentException(p + ": " + what + " of " + size + " bytes is larger than " + cap);
      }
      return Files.readAllBytes(p);
    } catch (NoSuchFileException e) {
      throw new NoSuchFileException(p.toString(), null, "no such " + what + " file");
    }
  }

  private Source resolve() throws IOException {
    if (request.imageFile() != null) {
      Path image = Path.of(request.imageFile());
      Path sig = Path.of(request.imageFile() + ".sig");
      if (!Files.isRegularFile(image)) {
        throw new NoSuchFileException(image.toString(), null, "no such image file");
      }
      if (!Files.isRegularFile(sig)) {
        throw new IOException(sig + ": no signature beside the image; Cairn installs only signed images");
      }
      return new Source("(local file)", image.getFileName().toString(), image.toString(), Files.size(image),
          readFile(sig, SIG_CAP, "signature"), sig.toString());
    }
    ReleaseSource rs = request.source();
    String version = request.version();
    if (version.equals("current")) {
      byte[] txt;
      try {
        txt = http.get(rs.versionTxt(), 64 << 10);
      } catch (Http.Fatal e) {
        throw new IOException(rs.versionTxt() + ": HTTP " + e.status + ": no current release for channel '"
            + request.channel() + "' and board '" + request.board() + "' there", e);
      }
      version = ReleaseSource.parseVersionTxt(new String(txt, StandardCharsets.UTF_8), rs.versionTxt());
    }
    List<String> tried = new ArrayList<>();
    for (String name : request.imageNames()) {
      String url = rs.file(version, name);
      Optional<Long> size = http.size(url);
      if (size.isEmpty()) {
        tried.add(url);
        continue;
      }
      byte[] sig;
      try {
        sig = http.get(url + ".sig", SIG_CAP);
      } catch (Http.Fatal e) {
        throw new IOException(url + ".sig: " + (e.notFound() ? "no signature beside the image" : "HTTP " + e.status)
            + "; Cairn installs only signed images", e);
      }
      return new Source(version, name, url, size.get(), sig, url + ".sig");
    }
    throw new IOException("no image for version " + version + ": tried " + String.join(", ", tried));
  }

  // ---- the pipeline

  private void install(TargetFacts facts, Source source, ReleaseKeys.Check check, byte[] cloudConfig, byte[] ignition)
      throws IOException {
    long started = System.nanoTime();
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    InputStream raw = request.imageFile() != null ? Files.newInputStream(Path.of(request.imageFile()))
        : http.download(source.location());
    AtomicLong downloaded = new AtomicLong();
    ChunkPipe pipe = new ChunkPipe(16);
    Thread reader = new Thread(() -> {
      try (InputStream in = raw) {
        while (true) {
          byte[] chunk = in.readNBytes(CHUNK);
          if (chunk.length == 0) {
            break;
          }
          check.update(chunk, 0, chunk.length);
          downloaded.addAndGet(chunk.length);
          pipe.put(chunk);
        }
        pipe.end();
      } catch (IOException e) {
        pipe.fail(e);
      } catch (RuntimeException e) {
        pipe.fail(new IOException("reading the image failed: " + e, e));
      }
    }, "cairn-install-read");
    reader.setDaemon(true);
    Ticker ticker = new Ticker(downloaded, source.size(), started);
    out.println("Installing " + (request.imageFile() != null ? "" : source.version() + " from ") + source.location() + " to "
        + facts.name());
    ticker.start();
    reader.start();
    ImageHead head = null;
    boolean touched = false;
    TargetDisk disk = null;
    InputStream image = null;
    long written;
    try {
      disk = TargetDisk.open(facts);
      image = unpacker.open(pipe, request.threads());
      byte[] first = image.readNBytes(ImageHead.HEAD_BYTES);
      sha.update(first);
      head = ImageHead.parse(first);
      Optional<String> small = facts.tooSmallFor(head.imageBytes());
      if (small.isPresent()) {
        throw new IllegalArgumentException(small.get());
      }
      Finish.Fitted fitted = Finish.fit(head, disk.sectorSize(), disk.sectorCount());
      touched = true;
      Finish.wipe(disk, null);
      written = stream(image, disk, head, sha);
      reader.join();
      Verdict verdict = check.conclude();
      if (!(verdict instanceof Verdict.Verified verified)) {
        throw new IOException(source.sigLocation() + ": " + verdict.message());
      }
      ticker.finish();
      disk.flush();
      List<String> placed = place(disk, head, cloudConfig, ignition);
      Optional<String> usrVersion = usrVersion(disk, head);
      Finish.commit(disk, head, fitted.table());
      String reread = facts.kind() == TargetFacts.Kind.BLOCK_DEVICE ? Reread.partitions(disk.path()) : null;
      double secs = (System.nanoTime() - started) / 1e9;
      String version = usrVersion.orElse(source.version());
      out.println("Installed " + version + " (" + source.name() + ") to " + facts.name() + " in "
          + String.format("%.1f s", secs));
      out.println("  signature: good, by " + "\"" + verified.signer().userId() + "\" (" + verified.signer().primaryFingerprint() + ")");
      out.println("  image:     " + Units.bytes(written) + " written, SHA-256 " + HexFormat.of().formatHex(sha.digest()));
      out.println("  table:     backup GPT at LBA " + fitted.table().alternateLba() + " (the disk's last sector); "
          + fitted.rootLine());
      usrVersion.ifPresent(v -> {
        if (!source.version().equals(v) && !source.version().startsWith("(")) {
          out.println("  warning:   the release is named " + source.version() + " but its USR-A says " + v);
        }
      });
      placed.forEach(p -> out.println("  " + p));
      if (reread != null) {
        out.println("  note:      the kernel has not read the new table (" + reread + "); it will at the next boot");
      }
      out.flush();
    } catch (Error e) {
      // Out of memory or the like: still make sure the disk cannot boot, then let it go on.
      pipe.close();
      if (touched) {
        try {
          Finish.wipe(disk, head);
        } catch (IOException | RuntimeException ignored) {
          // The error itself is what the operator must see.
        }
      }
      throw e;
    } catch (IOException | RuntimeException | InterruptedException e) {
      ticker.finish();
      pipe.close();
      String wiped = "";
      if (touched) {
        try {
          Finish.wipe(disk, head);
          wiped = "; the disk was wiped (both GPT copies cleared): it will not boot";
        } catch (IOException w) {
          wiped = "; wiping the disk failed too (" + w.getMessage() + "): do not boot it";
        }
      } else {
        wiped = "; nothing was written to " + facts.name();
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted" + wiped, e);
      }
      if (e instanceof IllegalArgumentException && !touched) {
        throw new IllegalArgumentException(e.getMessage() + wiped, e);
      }
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      throw new IOException(msg + wiped, e);
    } finally {
      if (image != null) {
        try {
          image.close();
        } catch (IOException ignored) {
          // Already failing or done.
        }
      }
      if (disk != null) {
        disk.close();
      }
    }
  }

  /** Writes everything after the head, in large aligned pieces; returns the image's total size. */
  private long stream(InputStream image, TargetDisk disk, ImageHead head, MessageDigest sha) throws IOException {
    long pos = head.bytes().length;
    long end = head.imageBytes();
    byte[] buf = new byte[WRITE];
    while (true) {
      int n = image.readNBytes(buf, 0, buf.length);
      if (n == 0) {
        break;
      }
      if (pos + n > end) {
        throw new IOException("the image goes on past byte " + end + ", where its own partition table says it ends");
      }
      sha.update(buf, 0, n);
      disk.writeAt(pos, ByteBuffer.wrap(buf, 0, n));
      pos += n;
    }
    if (pos < end) {
      throw new IOException("the image ends at byte " + pos + ", before byte " + end + " where its partition table says it ends");
    }
    return pos;
  }

  /** The cloud-config, Ignition config and OEM id, put into the image's filesystems before the table. */
  private List<String> place(TargetDisk disk, ImageHead head, byte[] cloudConfig, byte[] ignition) throws IOException {
    List<String> lines = new ArrayList<>();
    int ss = head.sectorSize();
    if (cloudConfig != null) {
      Partition root = partition(head, "ROOT", 9);
      ext4.put(disk.path(), root.firstLba() * ss, "ROOT (partition " + root.number() + ")", USER_DATA_DIR, "user_data",
          cloudConfig, 0600);
      lines.add("cloud-config: " + USER_DATA_DIR + "/user_data on ROOT (partition " + root.number() + "), "
          + cloudConfig.length + " bytes, mode 0600");
    }
    if (ignition != null || request.oem() != null) {
      Partition oem = partition(head, "OEM", 6);
      long offset = oem.firstLba() * ss;
      String what = "OEM (partition " + oem.number() + ")";
      if (ignition != null) {
        ext4.put(disk.path(), offset, what, "/", "config.ign", ignition, 0600);
        lines.add("ignition:  /config.ign on " + what + ", " + ignition.length + " bytes");
      }
      if (request.oem() != null) {
        String id = request.oem();
        byte[] grub = ("# Cairn GRUB settings\nset oem_id=\"" + id + "\"\n").getBytes(StandardCharsets.US_ASCII);
        ext4.put(disk.path(), offset, what, "/", "grub.cfg", grub, 0644);
        byte[] release = ("ID=" + id + "\nNAME=\"" + id + "\"\n").getBytes(StandardCharsets.US_ASCII);
        ext4.put(disk.path(), offset, what, "/", "oem-release", release, 0644);
        lines.add("oem:       " + id + " in /grub.cfg (oem_id) and /oem-release on " + what);
      }
    }
    return lines;
  }

  /** The version USR-A's {@code share/coreos/release} names, when it can be read. */
  private Optional<String> usrVersion(TargetDisk disk, ImageHead head) {
    Optional<Partition> usr = head.table().partitions().stream().filter(p -> p.label().equals("USR-A")).findFirst();
    if (usr.isEmpty()) {
      return Optional.empty();
    }
    try {
      String text = new String(ext4.cat(disk.path(), usr.get().firstLba() * head.sectorSize(), "/share/coreos/release"),
          StandardCharsets.UTF_8);
      for (String line : text.split("\n")) {
        for (String key : List.of("COREOS_RELEASE_VERSION=", "FLATCAR_RELEASE_VERSION=")) {
          if (line.startsWith(key)) {
            return Optional.of(ReleaseSource.checkName(line.substring(key.length()).strip(), "version"));
          }
        }
      }
    } catch (IOException | IllegalArgumentException e) {
      // A USR filesystem debugfs cannot read, or no release file: the version stays the release's.
    }
    return Optional.empty();
  }

  private static Partition partition(ImageHead head, String label, int number) {
    return head.table().partitions().stream().filter(p -> p.label().equals(label)).findFirst()
        .or(() -> head.table().partition(number))
        .orElseThrow(() -> new IllegalArgumentException("the image has no " + label + " partition (label " + label
            + " or number " + number + ")"));
  }

  /** Shows the download's progress: a bar on a terminal, a line every 5 s otherwise. */
  private final class Ticker {
    private final AtomicLong done;
    private final long total;
    private final long started;
    private Thread thread;
    private volatile boolean stop;

    Ticker(AtomicLong done, long total, long started) {
      this.done = done;
      this.total = total;
      this.started = started;
    }

    void start() {
      thread = new Thread(() -> {
        long last = System.nanoTime();
        while (!stop) {
          try {
            Thread.sleep(terminal ? 250 : 200);
          } catch (InterruptedException e) {
            return;
          }
          long now = System.nanoTime();
          double secs = (now - started) / 1e9;
          if (terminal) {
            err.print("\r" + Progress.bar(done.get(), total, secs, 30) + "  ");
            err.flush();
          } else if (now - last >= 5_000_000_000L) {
            last = now;
            err.println(Progress.line(done.get(), total, secs));
            err.flush();
          }
        }
      }, "cairn-install-progress");
      thread.setDaemon(true);
      thread.start();
    }

    void finish() {
      if (stop) {
        return;
      }
      stop = true;
      if (thread != null) {
        thread.interrupt();
        try {
          thread.join(1000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      double secs = (System.nanoTime() - started) / 1e9;
      if (terminal) {
        err.println("\r" + Progress.bar(done.get(), total, secs, 30) + "  ");
      } else {
        err.println(Progress.line(done.get(), total, secs));
      }
      err.flush();
    }
  }
}
