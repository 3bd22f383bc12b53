package dev.cairn.install.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Asks the kernel to read a block device's new partition table, as coreos-install does after writing. */
public final class Reread {
  private Reread() {}

  /** Runs {@code blockdev --rereadpt}; returns null when done, else why not (the table is on disk either way). */
  public static String partitions(Path device) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        Process p = new ProcessBuilder("blockdev", "--rereadpt", device.toString()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          return "blockdev --rereadpt did not finish";
        }
        if (p.exitValue() == 0) {
          return null;
        }
        if (attempt == 4) {
          return out.isEmpty() ? "blockdev --rereadpt exited " + p.exitValue() : out;
        }
        Thread.sleep(200L << attempt);
      } catch (IOException e) {
        return "cannot run blockdev: " + e.getMessage();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted";
      }
    }
    return null;
  }
}
