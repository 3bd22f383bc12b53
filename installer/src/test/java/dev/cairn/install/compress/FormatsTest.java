package dev.cairn.install.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * gzip, xz and zstd images written by the real {@code gzip}, {@code xz} and {@code zstd}, decoded
 * by Cairn: the data comes back, concatenated members are one image, and damage (a cut, a flipped
 * bit, anything after the last member) is one {@link CorruptImageException} of one line.
 */
class FormatsTest {
  enum Tool {
    GZIP(CompressionFormat.GZIP, "gzip"),
    XZ(CompressionFormat.XZ, "xz"),
    ZSTD(CompressionFormat.ZSTD, "zstd");

    final CompressionFormat format;
    final String command;

    Tool(CompressionFormat format, String command) {
      this.format = format;
      this.command = command;
    }

    byte[] compress(byte[] data) {
      return Tools.run(data, command, "-c");
    }
  }

  private static CorruptImageException refused(byte[] image) {
    CorruptImageException e = assertThrows(CorruptImageException.class, () -> Tools.decode(image, 1));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e;
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void randomZerosMixedAndTiny_decodeToTheInput(Tool tool) throws IOException {
    for (byte[] data : List.of(Tools.random(512 << 10, 1), new byte[2 << 20], Tools.mixed(1 << 20, 2), new byte[0],
        new byte[] {7})) {
      byte[] c = tool.compress(data);
      try (DecompressedStream in = Decompress.open(new ByteArrayInputStream(c), 1)) {
        assertEquals(tool.format, in.format());
        assertArrayEquals(data, in.readAllBytes(), tool + ", " + data.length + " bytes");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void concatenatedMembers_areOneImage(Tool tool) throws IOException {
    byte[] a = Tools.mixed(300_000, 3);
    byte[] b = Tools.random(1000, 4);
    byte[] image = Tools.concat(tool.compress(a), tool.compress(new byte[0]), tool.compress(b));
    assertArrayEquals(Tools.concat(a, b), Tools.decode(image, 1));
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void oneByteReads_fromTheSourceAndByTheCaller(Tool tool) throws IOException {
    byte[] data = Tools.mixed(100_000, 5);
    byte[] c = Tools.concat(tool.compress(data), tool.compress(data));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DecompressedStream in = Decompress.open(new Tools.OneByteReads(c), 1)) {
      int x;
      while ((x = in.read()) >= 0) {
        out.write(x);
      }
    }
    assertArrayEquals(Tools.concat(data, data), out.toByteArray());
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void trailingBytesOrZeros_areRefusedAtTheEndOfTheLastMember(Tool tool) {
    byte[] c = tool.compress(Tools.mixed(200_000, 6));
    for (byte[] tail : List.of("<html>".getBytes(), new byte[1], new byte[4], new byte[1024])) {
      CorruptImageException e = refused(Tools.concat(c, tail));
      assertEquals("trailing data after the end of the " + tool.format + " stream at byte " + c.length,
          e.getMessage());
      assertEquals(c.length, e.offset());
    }
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void partialSecondMember_endsEarly(Tool tool) {
    byte[] c = tool.compress(Tools.mixed(200_000, 7));
    byte[] second = tool.compress(Tools.mixed(50_000, 8));
    for (int len : new int[] {1, 3, 20, second.length / 2, second.length - 1}) {
      byte[] image = Tools.concat(c, Arrays.copyOf(second, len));
      assertEquals("the " + tool.format + " stream ends early at byte " + image.length + ": truncated download?",
          refused(image).getMessage(), "second member cut to " + len + " bytes");
    }
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void truncatedAnywhere_endsEarlyAtTheCut(Tool tool) {
    byte[] c = tool.compress(Tools.mixed(300_000, 9));
    List<String> wrong = new ArrayList<>();
    for (int cut = 6; cut < c.length; cut += cut < 64 || cut > c.length - 64 ? 1 : 997) {
      String m = refused(Arrays.copyOf(c, cut)).getMessage();
      if (!m.equals("the " + tool.format + " stream ends early at byte " + cut + ": truncated download?")) {
        wrong.add(cut + ": " + m);
      }
    }
    assertEquals(List.of(), wrong);
  }

  @ParameterizedTest
  @EnumSource(Tool.class)
  void flippedBitInTheData_isRefused(Tool tool) {
    byte[] c = tool.compress(Tools.mixed(300_000, 10));
    byte[] bad = c.clone();
    bad[c.length / 2] ^= 0x08;
    CorruptImageException e = refused(bad);
    assertTrue(e.getMessage().startsWith("the " + tool.format + " stream is corrupt"), e.getMessage());
  }

  @Test
  void unknownFormat_namesTheFirstBytesAndWhatWasExpected() {
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> Decompress.open(new ByteArrayInputStream("<!DOCTYPE html>".getBytes()), 2));
    assertEquals("the image is not in a known compression format: it starts with 3c 21 44 4f 43 54, expected"
        + " bzip2 (42 5a 68 31..39, \"BZh1\"..\"BZh9\"), gzip (1f 8b), xz (fd 37 7a 58 5a 00) or zstd (28 b5 2f fd)",
        e.getMessage());
  }

  @Test
  void shortUnknownInput_saysHowShort() {
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> Decompress.open(new ByteArrayInputStream(new byte[] {'B', 'Z'}), 2));
    assertTrue(e.getMessage().startsWith("the image is not in a known compression format: it is only 2 bytes long"
        + " (42 5a), expected"), e.getMessage());
  }

  @Test
  void emptyInput_isRefused() {
    CorruptImageException e = assertThrows(CorruptImageException.class,
        () -> Decompress.open(new ByteArrayInputStream(new byte[0]), 2));
    assertTrue(e.getMessage().startsWith("the image is empty: expected bzip2"), e.getMessage());
  }

  @Test
  void zstdSkippableFrame_isSkipped() throws IOException {
    byte[] data = Tools.mixed(50_000, 11);
    byte[] skippable = {0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 'a', 'b', 'c'};
    byte[] image = Tools.concat(Tool.ZSTD.compress(data), skippable, Tool.ZSTD.compress(data));
    assertArrayEquals(Tools.concat(data, data), Tools.decode(image, 1));
  }

  @Test
  void zeroThreads_isBadInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Decompress.open(new ByteArrayInputStream(new byte[10]), 0));
    assertEquals("threads must be at least 1, got 0", e.getMessage());
  }
}
