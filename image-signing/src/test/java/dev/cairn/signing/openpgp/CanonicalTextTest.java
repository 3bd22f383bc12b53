package dev.cairn.signing.openpgp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The text-signature canonical form, on the cases checked against gpg 2.2 (which texts one
 * {@code gpg --textmode} signature covers; GpgInteropTest checks the same against gpg itself),
 * and its independence from how the data is cut into reads.
 */
class CanonicalTextTest {
  private static String canonical(String text, int... cuts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CanonicalText c = new CanonicalText(out::write);
    byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
    int from = 0;
    for (int cut : cuts) {
      c.update(b, from, cut - from);
      from = cut;
    }
    c.update(b, from, b.length - from);
    c.finish();
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', value = {
      "a\\nb|a\\r\\nb", "a\\r\\nb|a\\r\\nb", "a\\r\\r\\nb|a\\r\\nb", "a\\rb|a\\rb", "x\\r|x", "x\\r\\n|x\\r\\n",
      "a \\nb|a \\r\\nb", "a\\t\\n|a\\t\\r\\n", "\\n|\\r\\n", "''|''", "\\r\\r|''", "a\\r\\rb|a\\r\\rb"})
  void lineEndingsAsGpgHashesThem(String in, String expected) {
    assertEquals(unescape(expected), canonical(unescape(in)));
  }

  private static String unescape(String s) {
    return s.equals("''") ? "" : s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
  }

  @Test
  void anyCutIntoReads_givesTheSameBytes() {
    Random random = new Random(1);
    char[] alphabet = {'a', ' ', '\r', '\n'};
    for (int round = 0; round < 2000; round++) {
      StringBuilder b = new StringBuilder();
      for (int i = random.nextInt(12); i > 0; i--) {
        b.append(alphabet[random.nextInt(alphabet.length)]);
      }
      String text = b.toString();
      String whole = canonical(text);
      int[] cuts = random.ints(random.nextInt(4), 0, text.length() + 1).sorted().toArray();
      assertEquals(whole, canonical(text, cuts), () -> "text " + text.replace("\r", "\\r").replace("\n", "\\n"));
      int[] every = new int[text.length()];
      for (int i = 0; i < every.length; i++) {
        every[i] = i;
      }
      assertEquals(whole, canonical(text, every));
    }
  }
}
