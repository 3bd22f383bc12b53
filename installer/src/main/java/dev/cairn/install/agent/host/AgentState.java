package dev.cairn.install.agent.host;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The agent's own state, kept in {@code ROOT/var/lib/cairn-agent/state} (directory 0700, file
 * 0600) as {@code key=value} lines, replaced atomically: written to a temporary file, synced,
 * renamed over the old one, and the directory synced, so a power cut leaves the old state or the
 * new one, never a mix.
 *
 * @param previousVersion the version that ran before an update was written, reported with the
 *     3/2 event after the reboot (update_engine's {@code previous-version})
 * @param pendingEvent an event not yet delivered because the server was unreachable, in the
 *     agent's own one-line form
 * @param lastCheck when the last update check ran
 * @param lastResult what the last check gave, one line
 * @param updateWaiting the version written to the other slot and waiting for a reboot
 * @param rebootLock the reboot lock this machine took a slot of before rebooting (described, as
 *     {@code etcd http://...}), held until the next healthy boot gives it back
 * @param rebootLockBoot the boot id of the boot that took the slot: the slot goes back only from a
 *     later boot (empty when the boot id could not be read)
 */
public record AgentState(
    Optional<String> previousVersion,
    Optional<String> pendingEvent,
    Optional<Instant> lastCheck,
    Optional<String> lastResult,
    Optional<String> updateWaiting,
    Optional<String> rebootLock,
    Optional<String> rebootLockBoot) {

  public static final AgentState EMPTY = new AgentState(
      Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
      Optional.empty());

  public static final String DIR = "var/lib/cairn-agent";
  public static final String FILE = "state";

  public AgentState {
    check("previous_version", previousVersion);
    check("pending_event", pendingEvent);
    check("last_result", lastResult);
    check("update_waiting", updateWaiting);
    check("reboot_lock", rebootLock);
    check("reboot_lock_boot", rebootLockBoot);
  }

  private static void check(String key, Optional<String> value) {
    if (value.isPresent() && (value.get().contains("\n") || value.get().contains("\r"))) {
      throw new IllegalArgumentException(key + " must be one line, got '" + value.get() + "'");
    }
  }

  public AgentState withPreviousVersion(Optional<String> v) {
    return new AgentState(v, pendingEvent, lastCheck, lastResult, updateWaiting, rebootLock, rebootLockBoot);
  }

  public AgentState withPendingEvent(Optional<String> v) {
    return new AgentState(previousVersion, v, lastCheck, lastResult, updateWaiting, rebootLock, rebootLockBoot);
  }

  public AgentState withLastCheck(Instant at, String result) {
    return new AgentState(previousVersion, pendingEvent, Optional.of(at), Optional.of(result), updateWaiting,
        rebootLock, rebootLockBoot);
  }

  public AgentState withUpdateWaiting(Optional<String> v) {
    return new AgentState(previousVersion, pendingEvent, lastCheck, lastResult, v, rebootLock, rebootLockBoot);
  }

  /** The slot taken from {@code lock} by the boot {@code boot}; both empty once it is given back. */
  public AgentState withRebootLock(Optional<String> lock, Optional<String> boot) {
    return new AgentState(previousVersion, pendingEvent, lastCheck, lastResult, updateWaiting, lock,
        lock.isPresent() ? boot : Optional.empty());
  }

  /** The state file under {@code root}. */
  public static Path path(Path root) {
    return root.resolve(DIR).resolve(FILE);
  }

  /** The state under {@code root}, or {@link #EMPTY} when the agent never wrote one. */
  public static AgentState load(Path root) throws IOException {
    Path p = path(root);
    String text;
    try {
      text = Files.readString(p, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return EMPTY;
    } catch (IOException e) {
      throw new IOException(p + ": cannot read: " + e.getMessage(), e);
    }
    return parse(p.toString(), text);
  }

  /**
   * Parses the state text; unknown keys are ignored (a newer agent's), a line without {@code =}
   * or a bad time is refused naming {@code source:line}.
   */
  public static AgentState parse(String source, String text) {
    Map<String, String> kv = new LinkedHashMap<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(source + ":" + (i + 1) + ": expected key=value, got '" + line + "'");
      }
      kv.put(line.substring(0, eq), line.substring(eq + 1));
    }
    Optional<Instant> at = Optional.empty();
    if (kv.containsKey("last_check")) {
      try {
        at = Optional.of(Instant.parse(kv.get("last_check")));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(source + ": last_check must be a UTC time like "
            + "2026-01-02T03:04:05Z, got '" + kv.get("last_check") + "'", e);
      }
    }
    return new AgentState(opt(kv, "previous_version"), opt(kv, "pending_event"), at,
        opt(kv, "last_result"), opt(kv, "update_waiting"), opt(kv, "reboot_lock"),
        opt(kv, "reboot_lock_boot"));
  }

  private static Optional<String> opt(Map<String, String> kv, String key) {
    return Optional.ofNullable(kv.get(key));
  }

  /** The text {@link #parse} reads back; absent values are left out. */
  public String render() {
    StringBuilder sb = new StringBuilder("# cairn agent state\n");
    previousVersion.ifPresent(v -> sb.append("previous_version=").append(v).append('\n'));
    pendingEvent.ifPresent(v -> sb.append("pending_event=").append(v).append('\n'));
    lastCheck.ifPresent(v -> sb.append("last_check=").append(v).append('\n'));
    lastResult.ifPresent(v -> sb.append("last_result=").append(v).append('\n'));
    updateWaiting.ifPresent(v -> sb.append("update_waiting=").append(v).append('\n'));
    rebootLock.ifPresent(v -> sb.append("reboot_lock=").append(v).append('\n'));
    rebootLockBoot.ifPresent(v -> sb.append("reboot_lock_boot=").append(v).append('\n'));
    return sb.toString();
  }

  /** Replaces the state under {@code root} atomically, creating the directory 0700 if missing. */
  public void save(Path root) throws IOException {
    Path dir = root.resolve(DIR);
    try {
      Files.createDirectories(dir.getParent());
      Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      // kept as it is
    } catch (IOException e) {
      throw new IOException(dir + ": cannot create: " + e.getMessage(), e);
    }
    Path target = dir.resolve(FILE);
    Path tmp = dir.resolve(FILE + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
        ByteBuffer b = ByteBuffer.wrap(render().getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(dir + ": cannot rename atomically: " + e.getMessage(), e);
      }
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e.getMessage() != null && e.getMessage().startsWith(dir.toString()) ? e
          : new IOException(target + ": cannot write: " + e.getMessage(), e);
    }
  }
}
