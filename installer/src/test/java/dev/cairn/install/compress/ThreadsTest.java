package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decoding threads: they stop on close, and a failing source's exception comes through as it was. */
class ThreadsTest {
  private static List<String> bzip2Threads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("cairn-bzip2-"))
        .map(Thread::getName)
        .sorted()
        .toList();
  }

  @Test
  void closedAfterOneRead_stopsTheScannerAndEveryWorker() throws IOException {
    byte[] bz = Tools.run(Tools.random(3 << 20, 1), "bzip2", "-1");
    try (DecompressedStream in = Decompress.open(new ByteArrayInputStream(bz), 3)) {
      assertTrue(in.read(new byte[1000]) > 0);
      assertFalse(bzip2Threads().isEmpty());
    }
    assertEquals(List.of(), bzip2Threads());
  }

  /** The installer gives up on another failure while the download stalls: close must not hang. */
  @Test
  void closedWhileTheSourceStalls_stopsEveryThread() throws Exception {
    byte[] bz = Tools.run(Tools.random(600_000, 2), "bzip2", "-1"); // six blocks
    Stalling source = new Stalling(Arrays.copyOf(bz, bz.length / 2));
    DecompressedStream in = Decompress.open(source, 2);
    assertTrue(in.read(new byte[1000]) > 0);
    source.stalled.await();
    in.close();
    assertEquals(List.of(), bzip2Threads());
  }

  @ParameterizedTest
  @ValueSource(strings = {"bzip2", "gzip", "xz", "zstd"})
  void sourceFailure_surfacesFromReadUnchanged(String tool) throws IOException {
    byte[] compressed = Tools.run(Tools.mixed(700_000, 3), tool, "-c");
    IOException failure = new IOException("connection reset");
    InputStream source = new Tools.FailsAfter(Arrays.copyOf(compressed, compressed.length / 2), failure);
    IOException thrown = assertThrows(IOException.class, () -> Tools.decode(source, 2));
    assertSame(failure, thrown);
    assertEquals(List.of(), bzip2Threads());
  }

  @Test
  void readAfterClose_fails() throws IOException {
    byte[] bz = Tools.run(Tools.mixed(10_000, 4), "bzip2", "-c");
    DecompressedStream in = Decompress.open(new ByteArrayInputStream(bz), 1);
    in.close();
    assertThrows(IOException.class, in::read);
  }

  /** Delivers its bytes, then blocks in read until closed, as a stalled download does. */
  private static final class Stalling extends InputStream {
    private final ByteArrayInputStream in;
    private final CountDownLatch closed = new CountDownLatch(1);
    final CountDownLatch stalled = new CountDownLatch(1);

    Stalling(byte[] data) {
      this.in = new ByteArrayInputStream(data);
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      if (n > 0) {
        return n;
      }
      stalled.countDown();
      try {
        closed.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new IOException("stream closed");
    }

    @Override
    public void close() {
      closed.countDown();
    }
  }
}
