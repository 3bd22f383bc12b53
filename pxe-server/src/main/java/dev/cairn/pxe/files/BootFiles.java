package dev.cairn.pxe.files;

import dev.cairn.pxe.BootCheck;
import dev.cairn.pxe.BootData;
import dev.cairn.pxe.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The boot data of a data directory ({@code DATA_DIR/boot/}), loaded, checked and kept current.
 *
 * <p>{@link #open} writes the worked example on first start, loads and checks everything
 * ({@link BootCheck}), and watches the folder: every {@value #POLL_MILLIS} ms it takes a
 * fingerprint of every file and folder under it (path, size, modification time, inode); when that
 * changes and then holds still for one more poll (a {@code git pull} is one change, not ten), the
 * whole set is read again, and the fingerprint taken again: if files changed while they were read,
 * the load is thrown away and tried on the next poll. A set without findings replaces the served
 * one in one step ({@link #current}); a set with findings is never served, not even in part: the
 * last good set stays, one log line gives the findings, and {@link #problem} says so until the
 * files are fixed. A change is served within about a second, plus the time to read and check it.
 */
public final class BootFiles implements AutoCloseable {
  public static final long POLL_MILLIS = 500;
  private static final System.Logger LOG = System.getLogger(BootFiles.class.getName());
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);
  private static final int LOGGED_FINDINGS = 10;

  /** How a reload ended: served, refused for its findings, or not readable. */
  public enum Result { OK, FINDINGS, ERROR }

  /**
   * What is served and why: the set, when it was loaded (null: nothing has loaded without
   * findings), and since when the files on disk are not that set (null: they are), with the count
   * of findings or the reason they cannot be read.
   */
  private record State(BootData data, Instant loadedAt, Instant badSince, int findings, String failure) {}

  private final Path dataDir;
  private final Path bootDir;
  private final AssetFolder assets;
  private final ScheduledExecutorService watcher;
  private final AtomicLong[] reloads = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private volatile State state = new State(BootData.EMPTY, null, null, 0, null);
  /** The fingerprint of the files last loaded (or tried), and one seen since that waits to hold still. */
  private String loaded;
  private String pending;

  private BootFiles(Path dataDir) {
    this.dataDir = dataDir;
    this.bootDir = dataDir.resolve("boot");
    this.assets = new AssetFolder(bootDir.resolve("assets"), "boot/assets/");
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "cairn-boot-files");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Opens the boot data of {@code dataDir}: writes the example when {@code DATA_DIR/boot/} does not
   * exist, loads it, and starts watching. Findings at start leave nothing served (every machine
   * misses) and are reported by {@link #problem}. IOException when the folder cannot be made.
   */
  public static BootFiles open(Path dataDir) throws IOException {
    BootFiles f = new BootFiles(dataDir);
    if (!Files.exists(f.bootDir, LinkOption.NOFOLLOW_LINKS)) {
      OwnerOnly.directories(dataDir);
      Example.write(f.bootDir);
      LOG.log(System.Logger.Level.INFO, "wrote the boot data example into " + f.bootDir);
    }
    f.loaded = f.fingerprint();
    f.reload(f.loaded);
    f.watcher.scheduleWithFixedDelay(f::poll, POLL_MILLIS, POLL_MILLIS, TimeUnit.MILLISECONDS);
    return f;
  }

  /**
   * Reads and checks {@code DATA_DIR/boot/} once, as {@link #open} does, without writing or
   * watching anything ({@code cairn boot check}). IllegalArgumentException when there is no such
   * folder; IOException when it cannot be read.
   */
  public static BootCheck.Checked check(Path dataDir) throws IOException {
    BootFiles f = new BootFiles(dataDir);
    try {
      if (!Files.isDirectory(f.bootDir)) {
        throw new IllegalArgumentException(f.bootDir + ": no such directory (cairn serve --data-dir "
            + dataDir + " creates it, with an example, on first start)");
      }
      return f.read();
    } finally {
      f.watcher.shutdownNow();
    }
  }

  /** The set being served: the last one loaded without findings (empty before there is one). */
  public BootData current() {
    return state.data();
  }

  /** The assets folder, {@code DATA_DIR/boot/assets/}. */
  public AssetFolder assets() {
    return assets;
  }

  /** {@code DATA_DIR/boot/}. */
  public Path bootDir() {
    return bootDir;
  }

  /** Whether the files on disk are the set being served. */
  public boolean ok() {
    return state.badSince() == null;
  }

  /** How many loads (the first included) ended with {@code result}. */
  public long reloads(Result result) {
    return reloads[result.ordinal()].get();
  }

  /**
   * Empty when the files on disk are the set being served; otherwise one line for {@code /healthz}:
   * {@code boot data in DIR has N findings since HH:MM:SS UTC; serving the set loaded at HH:MM:SS UTC}.
   */
  public Optional<String> problem() {
    State s = state;
    if (s.badSince() == null) {
      return Optional.empty();
    }
    String what = s.failure() != null ? "cannot be read since " + TIME.format(s.badSince()) + " (" + s.failure() + ")"
        : "has " + s.findings() + " finding" + (s.findings() == 1 ? "" : "s") + " since " + TIME.format(s.badSince());
    String serving = s.loadedAt() != null ? "serving the set loaded at " + TIME.format(s.loadedAt())
        : "serving no boot data (none has loaded without findings yet)";
    return Optional.of("boot data in " + bootDir + " " + what + "; " + serving);
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    try {
      watcher.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One tick of the watcher: reload once a change has held still for a poll. */
  private void poll() {
    try {
      String now = fingerprint();
      if (now.equals(loaded)) {
        pending = null;
        return;
      }
      if (!now.equals(pending)) {
        pending = now;
        return;
      }
      pending = null;
      reload(now);
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "watching " + bootDir + " failed; trying again", e);
    }
  }

  /** Loads the set the files with fingerprint {@code before} hold, and serves it if it is clean. */
  private void reload(String before) {
    Instant at = Instant.now();
    BootCheck.Checked checked;
    try {
      checked = read();
    } catch (IOException | UncheckedIOException e) {
      String why = e instanceof NoSuchFileException ? "no such directory" : String.valueOf(e.getMessage());
      String after = fingerprint();
      if (!after.equals(before)) {
        return;    // changed while being read: the next poll sees it
      }
      loaded = before;
      reloads[Result.ERROR.ordinal()].incrementAndGet();
      State s = state;
      state = new State(s.data(), s.loadedAt(), s.badSince() != null ? s.badSince() : at, 0, why);
      LOG.log(System.Logger.Level.WARNING, "boot data in " + bootDir + " cannot be read (" + why + "); "
          + serving(s));
      return;
    }
    if (!fingerprint().equals(before)) {
      return;    // changed while being read: never serve a mix
    }
    loaded = before;
    State s = state;
    if (checked.clean()) {
      reloads[Result.OK.ordinal()].incrementAndGet();
      state = new State(checked.data(), at, null, 0, null);
      LOG.log(System.Logger.Level.INFO, "boot data in " + bootDir + " loaded: " + checked.data().summary());
      return;
    }
    reloads[Result.FINDINGS.ordinal()].incrementAndGet();
    List<Finding> f = checked.findings();
    state = new State(s.data(), s.loadedAt(), s.badSince() != null && s.failure() == null ? s.badSince() : at,
        f.size(), null);
    String shown = f.stream().limit(LOGGED_FINDINGS).map(Finding::toString).collect(Collectors.joining("; "));
    LOG.log(System.Logger.Level.WARNING, "boot data in " + bootDir + " has " + f.size() + " finding"
        + (f.size() == 1 ? "" : "s") + "; " + serving(s) + ": " + shown
        + (f.size() > LOGGED_FINDINGS ? "; and " + (f.size() - LOGGED_FINDINGS) + " more (cairn boot check lists them)"
            : ""));
  }

  private static String serving(State s) {
    return s.loadedAt() != null ? "still serving the set loaded at " + TIME.format(s.loadedAt())
        : "serving no boot data";
  }

  private BootCheck.Checked read() throws IOException {
    if (!Files.isDirectory(bootDir)) {
      throw new NoSuchFileException(bootDir.toString());
    }
    BootDataReader.Read r = BootDataReader.read(dataDir, bootDir);
    return BootCheck.check(r.profiles(), r.groups(), r.templates(), assets, r.findings());
  }

  /**
   * A digest of every path under the boot folder with its type, size, modification time and inode
   * (what a symbolic link points at, for links), and of where the folder itself leads. Files that
   * vanish while it is taken make it unique, so it never holds still until they are done.
   */
  String fingerprint() {
    MessageDigest d;
    try {
      d = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    try {
      d.update(bootDir.toRealPath().toString().getBytes(StandardCharsets.UTF_8));
      List<Path> all;
      try (Stream<Path> s = Files.walk(bootDir)) {
        all = s.sorted().toList();
      }
      for (Path p : all) {
        BasicFileAttributes a;
        try {
          a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException broken) {
          a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        d.update((bootDir.relativize(p) + "\0" + (a.isDirectory() ? "d" : a.isRegularFile() ? "f" : "o") + a.size()
            + "\0" + a.lastModifiedTime().toInstant() + "\0" + a.fileKey() + "\n").getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchFileException e) {
      return Files.isDirectory(bootDir) ? "in flux " + System.nanoTime() : "missing";
    } catch (UncheckedIOException e) {
      return e.getCause() instanceof NoSuchFileException ? "in flux " + System.nanoTime()
          : "unreadable: " + e.getCause().getMessage();
    } catch (IOException e) {
      return "unreadable: " + e.getMessage();
    }
  }
}
