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
import java.util.regex.Pattern;
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
 *
 * <p>The admin API edits the files through {@link #put} and {@link #delete}: one at a time, each
 * checked with the whole set as it would be, written atomically, and loaded before it returns.
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
    f.reload(f.loaded, false);
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
  private synchronized boolean check(boolean reported) {
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
    return reload(now, false);
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
   * false when the files changed while they were read (nothing is served or counted then). A
   * {@code quiet} load logs nothing when it is served (an edit logs its own line).
   */
  private synchronized boolean reload(String before, boolean quiet) {
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
      if (!quiet) {
        LOG.log(System.Logger.Level.INFO, "boot data in " + bootDir + " loaded: " + checked.data().summary());
      }
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

  /** What the admin API edits: profiles, groups and templates, each in its folder under {@code boot/}. */
  public enum Kind {
    PROFILE("profiles", "profile"), GROUP("groups", "group"), TEMPLATE("templates", "template");

    private final String folder;
    private final String word;

    Kind(String folder, String word) {
      this.folder = folder;
      this.word = word;
    }

    /** The folder under {@code boot/}: {@code profiles}, {@code groups}, {@code templates}. */
    public String folder() {
      return folder;
    }

    /** {@code profile}, {@code group}, {@code template}. */
    public String word() {
      return word;
    }

    /** The kind kept in {@code folder}, or empty. */
    public static Optional<Kind> ofFolder(String folder) {
      for (Kind k : values()) {
        if (k.folder.equals(folder)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The ids the admin API writes and deletes: lower-case letters, digits, {@code .}, {@code _} and
   * {@code -}, starting with a letter or digit, at most 64; so a file name {@code ID.yaml} in its
   * folder, never a path.
   */
  public static final Pattern EDITABLE_ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  /**
   * A change made: what, its file (relative to the data directory), whether the set served now is
   * the one with the change ({@code served}; false only when other files changed at the same time
   * and have findings), and the served set's summary.
   */
  public record Change(Kind kind, String id, String action, String file, boolean served, String summary) {}

  /** An edit that was refused; nothing was changed. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why: the set would have findings, there is no such id, or the file it would go to holds something else. */
    public enum Why { FINDINGS, NOT_FOUND, CONFLICT }

    private final Why why;
    private final transient List<Finding> findings;

    public Refused(Why why, String message, List<Finding> findings) {
      super(message);
      this.why = why;
      this.findings = List.copyOf(findings);
    }

    public Why why() {
      return why;
    }

    /** The findings of the set as it would have been (empty unless {@link Why#FINDINGS}). */
    public List<Finding> findings() {
      return findings;
    }
  }

  /** {@code id} when the admin API may write it ({@link #EDITABLE_ID}); IllegalArgumentException otherwise. */
  public static String checkId(Kind kind, String id) {
    if (id == null || !EDITABLE_ID.matcher(id).matches()) {
      String shown = id == null ? "" : id.length() > 80 ? id.substring(0, 80) + "..." : id;
      throw new IllegalArgumentException(kind.word() + " id \"" + shown + "\": expected lower-case letters, digits, '.', '_' and '-', starting with a letter or digit (at most 64)");
    }
    return id;
  }

  /**
   * Writes the {@code kind} {@code id}: {@code content} is its file (for a template, its text).
   * The file is the one that holds {@code id} now, else {@code KIND/ID.yaml}. The whole set is read
   * and checked as it would be with the file written, as a load checks it ({@link BootCheck}); with
   * findings nothing is written. Otherwise the file is replaced atomically (a 0600 temporary file
   * in the same folder, synced, renamed over it, the folder synced), the set is loaded at once
   * (not {@value #QUIET_MILLIS} ms later), and one log line says who changed what.
   *
   * <p>IllegalArgumentException for a bad id, or when the file names another id than {@code id};
   * {@link Refused} with the findings, or when {@code KIND/ID.yaml} holds another id; IOException
   * naming the path when the file cannot be written.
   */
  public synchronized Change put(Kind kind, String id, byte[] content, String actor) throws IOException, Refused {
    checkId(kind, id);
    Path dir = bootDir.resolve(kind.folder());
    BootDataReader.Read now = readOrEmpty(Map.of());
    Optional<Path> existing = fileOf(kind, id, now);
    Path target = existing.orElse(dir.resolve(id + ".yaml"));
    if (existing.isEmpty() && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isRegularFile(target)) {
        throw new Refused(Refused.Why.CONFLICT, name(target) + " is not a regular file", List.of());
      }
      Optional<String> other = idIn(kind, target, now);
      if (other.isPresent()) {
        throw new Refused(Refused.Why.CONFLICT, name(target) + " holds " + kind.word() + " " + other.get()
            + ", not " + id + "; change it under its own id", List.of());
      }
    }
    BootDataReader.Read after = readOrEmpty(Map.of(target, content));
    if (kind != Kind.TEMPLATE) {
      Optional<String> written = idIn(kind, target, after);
      if (written.isPresent() && !written.get().equals(id)) {
        throw new IllegalArgumentException("the file's id is " + written.get() + ", the path's is " + id
            + " (the id in the path must be the file's)");
      }
    }
    refuseFindings(after, kind.word() + " " + id);
    boolean created = !Files.exists(target, LinkOption.NOFOLLOW_LINKS);
    OwnerOnly.directories(dir);
    OwnerOnly.replace(target, content);
    return changed(kind, id, created ? "created" : "updated", target, actor);
  }

  /**
   * Deletes the file that holds the {@code kind} {@code id}, once the set without it checks clean
   * (a group naming a deleted profile, a profile naming a deleted template, are findings), and
   * loads the set at once. {@link Refused} when there is no such id or with the findings.
   */
  public synchronized Change delete(Kind kind, String id, String actor) throws IOException, Refused {
    checkId(kind, id);
    BootDataReader.Read now = readOrEmpty(Map.of());
    Path target = fileOf(kind, id, now).orElseThrow(() -> new Refused(Refused.Why.NOT_FOUND, "no " + kind.word()
        + " " + id + " in " + name(bootDir.resolve(kind.folder())) + "/", List.of()));
    Map<Path, byte[]> without = new HashMap<>();
    without.put(target, null);
    refuseFindings(readOrEmpty(without), "deleting " + kind.word() + " " + id);
    Files.delete(target);
    OwnerOnly.syncDirectory(target.getParent());
    return changed(kind, id, "deleted", target, actor);
  }

  /**
   * The text of {@code file}, a file of the set as its {@link dev.cairn.pxe.Source} names it
   * (relative to the data directory), as it is on disk now. IllegalArgumentException for a path
   * outside {@code boot/}.
   */
  public String text(String file) throws IOException {
    Path p = dataDir.resolve(file).normalize();
    if (!p.startsWith(bootDir.normalize())) {
      throw new IllegalArgumentException(file + ": not a file of the boot data");
    }
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }

  /** The set read with {@code overlay}; an absent boot folder reads as empty. */
  private BootDataReader.Read readOrEmpty(Map<Path, byte[]> overlay) throws IOException {
    try {
      return BootDataReader.read(dataDir, bootDir, overlay);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  private void refuseFindings(BootDataReader.Read read, String what) throws Refused {
    BootCheck.Checked checked = BootCheck.check(read.profiles(), read.groups(), read.templates(), assets,
        read.findings());
    if (!checked.clean()) {
      int n = checked.findings().size();
      throw new Refused(Refused.Why.FINDINGS, what + " would leave the boot data with " + n + " finding"
          + (n == 1 ? "" : "s") + "; nothing was changed", checked.findings());
    }
  }

  /** The file that holds the {@code kind} {@code id} in {@code read}. */
  private Optional<Path> fileOf(Kind kind, String id, BootDataReader.Read read) {
    Optional<String> file = switch (kind) {
      case PROFILE -> read.profiles().stream().filter(p -> p.id().equals(id)).map(p -> p.source().file()).findFirst();
      case GROUP -> read.groups().stream().filter(g -> g.id().equals(id)).map(g -> g.source().file()).findFirst();
      case TEMPLATE -> read.templates().stream().filter(t -> t.name().equals(id)).map(t -> t.file()).findFirst();
    };
    return file.map(dataDir::resolve);
  }

  /** The id of the profile or group read from {@code file}, or empty (none could be read; a template). */
  private Optional<String> idIn(Kind kind, Path file, BootDataReader.Read read) {
    String name = name(file);
    return switch (kind) {
      case PROFILE -> read.profiles().stream().filter(p -> p.source().file().equals(name)).map(p -> p.id()).findFirst();
      case GROUP -> read.groups().stream().filter(g -> g.source().file().equals(name)).map(g -> g.id()).findFirst();
      case TEMPLATE -> Optional.empty();
    };
  }

  /** {@code file} relative to the data directory, as findings name files. */
  private String name(Path file) {
    return dataDir.relativize(file).toString().replace('\\', '/');
  }

  /** Loads the set with the change at once and logs the change; what the answer says. */
  private Change changed(Kind kind, String id, String action, Path file, String actor) {
    boolean loaded = false;
    for (int i = 0; i < 10 && !loaded; i++) {
      loaded = reload(fingerprint(), true);     // false only while other files change under it
    }
    boolean served = loaded && ok();
    String summary = current().summary();
    LOG.log(System.Logger.Level.INFO, "boot data: " + actor + " " + action + " " + kind.word() + " " + id + " ("
        + name(file) + "); " + (served ? "serving " + summary
            : "not served yet: " + problem().orElse("the files are still changing")));
    return new Change(kind, id, action, name(file), served, summary);
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
