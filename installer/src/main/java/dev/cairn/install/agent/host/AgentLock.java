package dev.cairn.install.agent.host;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One agent at a time: an exclusive lock on {@code ROOT/run/cairn-agent.lock}, holding the pid of
 * its owner. The kernel drops the lock when the owner exits, however it exits, so a stale file
 * never blocks; a second agent is refused with the holder's pid.
 *
 * <p>The lock is a POSIX record lock, which belongs to the process and is dropped when the process
 * closes any descriptor of the file. So a second attempt from within this process is refused from
 * memory, without opening the file, or it would drop the lock it is refused by.
 */
public final class AgentLock implements Closeable {
  public static final String FILE = "run/cairn-agent.lock";

  private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

  private final Path path;
  private final Path key;
  private final FileChannel channel;
  private final FileLock lock;

  private AgentLock(Path path, Path key, FileChannel channel, FileLock lock) {
    this.path = path;
    this.key = key;
    this.channel = channel;
    this.lock = lock;
  }

  public static Path path(Path root) {
    return root.resolve(FILE);
  }

  /**
   * Takes the lock or refuses at once (it never waits).
   *
   * @throws IOException naming the lock file and the holder's pid when another agent holds it
   */
  public static AgentLock acquire(Path root) throws IOException {
    Path p = path(root);
    Path key;
    try {
      Files.createDirectories(p.getParent());
      key = p.getParent().toRealPath().resolve(p.getFileName());
    } catch (IOException e) {
      throw new IOException(p + ": cannot create its directory: " + e.getMessage(), e);
    }
    if (!HELD.add(key)) {
      throw new IOException("another cairn agent is running (pid " + ProcessHandle.current().pid()
          + ", holding " + p + ")");
    }
    try {
      return lock(p, key);
    } catch (IOException | RuntimeException e) {
      HELD.remove(key);
      throw e;
    }
  }

  private static AgentLock lock(Path p, Path key) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new IOException(p + ": cannot open the lock file: " + e.getMessage(), e);
    }
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException e) {
      ch.close();
      throw new IOException(p + ": already locked within this process", e);
    } catch (IOException e) {
      ch.close();
      throw new IOException(p + ": cannot lock: " + e.getMessage(), e);
    }
    if (lock == null) {
      String holder = holder(ch);
      ch.close();
      throw new IOException("another cairn agent is running (" + holder + ", holding " + p + ")");
    }
    try {
      ch.truncate(0);
      ch.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      ch.force(false);
    } catch (IOException e) {
      ch.close();
      throw new IOException(p + ": cannot write the pid: " + e.getMessage(), e);
    }
    return new AgentLock(p, key, ch, lock);
  }

  private static String holder(FileChannel ch) {
    try {
      ByteBuffer b = ByteBuffer.allocate(32);
      ch.read(b, 0);
      String pid = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
      return pid.matches("[0-9]+") ? "pid " + pid : "pid unknown";
    } catch (IOException e) {
      return "pid unknown";
    }
  }

  public Path path() {
    return path;
  }

  /** Releases the lock; the file stays (removing it would race with the next agent). */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      try {
        channel.close();
      } finally {
        HELD.remove(key);
      }
    }
  }
}
