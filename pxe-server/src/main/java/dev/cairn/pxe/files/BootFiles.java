package dev.cairn.pxe.files;

import dev.cairn.pxe.BootCheck;
import dev.cairn.pxe.BootData;
import dev.cairn.pxe.Finding;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The boot data of a data directory ({@code DATA_DIR/boot/}), loaded, checked and kept current.
 *
 * <p>{@link #open} writes the worked example on first start, loads and checks everything
 * ({@link BootCheck}), and watches the folder. The watch is the kernel's (inotify, through a
 * {@link WatchService} on every folder under {@code boot/}, and on the data directory for
 * {@code boot} itself): nothing is read while nothing changes. Once changes stop for
 * {@value #QUIET_MILLIS} ms (a {@code git pull} is one change, not ten), a fingerprint of every
 * file and folder (path, size, modification time, inode) is compared with the one loaded; if it
 * differs, the whole set is read and checked, and the fingerprint taken again: if files changed
 * while they were read, that load is thrown away and the next quiet moment tries again. Every
 * {@value #BACKSTOP_MILLIS} ms the fingerprint is compared anyway, for changes the kernel does not
 * report (some network filesystems); such a change is loaded once two fingerprints in a row agree.
 *
 * <p>A set without findings replaces the served one in one step ({@link #current}); a set with
 * findings is never served, not even in part: the last good set stays, one log line gives the
 * findings, and {@link #problem} says so until the files are fixed. A change is served about
 * {@value #QUIET_MILLIS} ms after the last write, plus the time to read and check the set (a few
 * milliseconds for tens of groups; about two seconds for 10,000 group files on two cores).
 */
public final class BootFiles implements AutoCloseable {
  /** How long the folder must be still after a change before it is read. */
  public static final long QUIET_MILLIS = 250;
  /**
   * How often, at least, the fingerprint is compared without a change reported; for a large tree,
   * fifty times as long as the last fingerprint took (so it never costs more than 2% of a core).
   */
  public static final long BACKSTOP_MILLIS = 2_000;
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
  private final AtomicLong[] reloads = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private volatile State state = new State(BootData.EMPTY, null, null, 0, null);
  private final Thread watcher;
  private final Map<Path, WatchKey> watched = new HashMap<>();
  private WatchService watch;
  private volatile boolean closed;
  /** The fingerprint of the files last loaded (or tried), and one the backstop saw that waits to hold still. */
  private String loaded;
  private String pending;
  /** How long the last fingerprint took. */
  private volatile long fingerprintNanos;

  private BootFiles(Path dataDir) {
    this.dataDir = dataDir;
    this.bootDir = dataDir.resolve("boot");
    this.assets = new AssetFolder(bootDir.resolve("assets"), "boot/assets/");
    this.watcher = new Thread(this::watch, "cairn-boot-files");
    this.watcher.setDaemon(true);
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
    f.watch = dataDir.getFileSystem().newWatchService();
    f.register();
    f.loaded = f.fingerprint();
    f.reload(f.loaded);
    f.watcher.start();
    return f;
  }

  /**
   * Reads and checks {@code DATA_DIR/boot/} once, as {@link #open} does, without writing or
   * watching anything ({@code cairn boot check}). IllegalArgumentException when there is no such
   * folder; IOException when it cannot be read.
   */
  public static BootCheck.Checked check(Path dataDir) throws IOException {
    BootFiles f = new BootFiles(dataDir);
    if (!Files.isDirectory(f.bootDir)) {
      throw new IllegalArgumentException(f.bootDir + ": no such directory (cairn serve --data-dir "
          + dataDir + " creates it, with an example, on first start)");
    }
    return f.read();
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
    closed = true;
    try {
      if (watch != null) {
        watch.close();
      }
      watcher.join(5_000);
    } catch (IOException e) {
      // the kernel's watch could not be closed: the thread ends on the flag
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The watcher thread: waits for the kernel to report changes, then for quiet after them. */
  private void watch() {
    boolean dirty = false;
    long lastCheck = System.nanoTime();
    while (!closed) {
      try {
        WatchKey key = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS);
        if (key != null) {
          dirty |= relevant(key);
          continue;
        }
        long now = System.nanoTime();
        if (dirty || now - lastCheck >= Math.max(BACKSTOP_MILLIS * 1_000_000, 50 * fingerprintNanos)) {
          lastCheck = now;
          dirty = !check(dirty);
          register();
        }
      } catch (ClosedWatchServiceException | InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "watching " + bootDir + " failed; trying again", e);
      }
    }
  }

  /** Whether {@code key}'s events concern the boot data (in the data directory only {@code boot} does). */
  private boolean relevant(WatchKey key) {
    boolean relevant = false;
    Path dir = (Path) key.watchable();
    for (WatchEvent<?> e : key.pollEvents()) {
      relevant |= !dir.equals(dataDir) || e.kind() == StandardWatchEventKinds.OVERFLOW
          || bootDir.getFileName().equals(e.context());
    }
    key.reset();
    return relevant;
  }

  /**
   * Compares the fingerprint with the one loaded and reloads on a difference: at once after a
   * reported change (the quiet has passed), after two agreeing fingerprints otherwise. False when a
   * load was thrown away because files changed while it read them.
   */
  private boolean check(boolean reported) {
    String now = fingerprint();
    if (now.equals(loaded)) {
      pending = null;
      return true;
    }
    if (!reported && !now.equals(pending)) {
      pending = now;
      return true;
    }
    pending = null;
    return reload(now);
  }

  /** Watches every folder under the boot folder (new ones too) and the data directory. */
  private void register() {
    watched.values().removeIf(k -> !k.isValid());
    List<Path> dirs = new ArrayList<>();
    dirs.add(dataDir);
    try (Stream<Path> s = Files.walk(bootDir)) {
      s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(dirs::add);
    } catch (IOException | UncheckedIOException e) {
      // gone or changing: registered again after the next change or backstop
    }
    for (Path d : dirs) {
      if (!watched.containsKey(d)) {
        try {
          watched.put(d, d.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE,
              StandardWatchEventKinds.ENTRY_MODIFY));
        } catch (IOException e) {
          // gone meanwhile
        }
      }
    }
  }

  /**
   * Loads the set the files with fingerprint {@code before} hold, and serves it if it is clean;
   * false when the files changed while they were read (nothing is served or counted then).
   */
  private boolean reload(String before) {
    Instant at = Instant.now();
    BootCheck.Checked checked;
    try {
      checked = read();
    } catch (IOException | UncheckedIOException e) {
      String why = e instanceof NoSuchFileException ? "no such directory" : String.valueOf(e.getMessage());
      String after = fingerprint();
      if (!after.equals(before)) {
        return false;    // changed while being read: tried again when they are still
      }
      loaded = before;
      reloads[Result.ERROR.ordinal()].incrementAndGet();
      State s = state;
      state = new State(s.data(), s.loadedAt(), s.badSince() != null ? s.badSince() : at, 0, why);
      LOG.log(System.Logger.Level.WARNING, "boot data in " + bootDir + " cannot be read (" + why + "); "
          + serving(s));
      return true;
    }
    if (!fingerprint().equals(before)) {
      return false;    // changed while being read: never serve a mix
    }
    loaded = before;
    State s = state;
    if (checked.clean()) {
      reloads[Result.OK.ordinal()].incrementAndGet();
      state = new State(checked.data(), at, null, 0, null);
      LOG.log(System.Logger.Level.INFO, "boot data in " + bootDir + " loaded: " + checked.data().summary());
      return true;
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
    return true;
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
    long start = System.nanoTime();
    try {
      return fingerprintNow();
    } finally {
      fingerprintNanos = System.nanoTime() - start;
    }
  }

  private String fingerprintNow() {
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
