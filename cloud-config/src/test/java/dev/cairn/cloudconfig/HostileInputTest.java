package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Input built to hurt a YAML reader: alias bombs, nesting millions deep, documents far over the
 * size limit. Each must come back as an error, fast, without a StackOverflowError or an
 * OutOfMemoryError, and without the validator allocating much. The time bound is a safety net
 * against a hang, not a benchmark.
 */
class HostileInputTest {
  private static final Duration BOUND = Duration.ofSeconds(5);
  /** Several times what any of these inputs needs (at most some 40 MiB); far less than a runaway would take. */
  private static final long ALLOCATION_BOUND = 128L << 20;
  private static final String TOO_LARGE = "larger than 4194304 bytes; cloud-config is refused unread";

  /** The 100 MB document, built once for every test that wants it. */
  private static final class Huge {
    static final String DOCUMENT = "#cloud-config\n" + "hostname: x\n".repeat(100_000_000 / 12);
  }

  /** Validates within the time bound and checks what the validating thread allocated. */
  private static List<Diagnostic> validateBounded(String text) {
    return assertTimeoutPreemptively(BOUND, () -> {
      long before = allocatedByThisThread();
      List<Diagnostic> found = CloudConfig.validate(text, "hostile.yaml");
      long used = allocatedByThisThread() - before;
      assertTrue(used < ALLOCATION_BOUND, "validation allocated " + (used >> 20) + " MiB");
      return found;
    });
  }

  /** Bytes allocated so far by the current thread, or 0 where the JVM cannot tell. */
  private static long allocatedByThisThread() {
    if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
        && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()) {
      return t.getCurrentThreadAllocatedBytes();
    }
    return 0;
  }

  private static void assertSingleError(List<Diagnostic> found, int line, int column, String message) {
    assertEquals(1, found.size(), () -> "expected one error, got " + found);
    Diagnostic d = found.get(0);
    assertEquals(Diagnostic.Level.ERROR, d.level(), d::toString);
    assertEquals(message, d.message());
    assertEquals(line, d.line(), d::toString);
    assertEquals(column, d.column(), d::toString);
  }

  @Test
  void billionLaughs_nineLevelsOfTenAliases_isRefused() {
    StringBuilder b = new StringBuilder("#cloud-config\nl0: &l0 lol\n");
    for (int level = 1; level <= 9; level++) {
      b.append('l').append(level).append(": &l").append(level).append(" [");
      for (int i = 0; i < 10; i++) {
        b.append(i == 0 ? "" : ", ").append("*l").append(level - 1);
      }
      b.append("]\n");
    }
    List<Diagnostic> found = validateBounded(b.toString());
    // l1..l4 expand to 11,110 nodes in all; the first alias of l5 would pass 100,000.
    assertSingleError(found, 7, 45, "aliases expand to more than 100000 nodes; refusing the document");
  }

  @Test
  void billionLaughs_throughMergeKeys_isRefused() {
    StringBuilder b = new StringBuilder("#cloud-config\nusers:\n  - &u0 {name: lol}\n");
    for (int level = 1; level <= 9; level++) {
      b.append("  - &u").append(level).append(" {<<: [");
      for (int i = 0; i < 10; i++) {
        b.append(i == 0 ? "" : ", ").append("*u").append(level - 1);
      }
      b.append("]}\n");
    }
    List<Diagnostic> found = validateBounded(b.toString());
    assertEquals(1, found.size(), found::toString);
    assertEquals("aliases expand to more than 100000 nodes; refusing the document", found.get(0).message());
  }

  @Test
  void tenMebibytesOfOpenBrackets_isRefusedUnread() {
    assertSingleError(validateBounded("#cloud-config\n" + "[".repeat(10 << 20)), 1, 1, TOO_LARGE);
  }

  @Test
  void openBracketsUpToTheSizeLimit_stopAtTheDepthLimit() {
    String text = "#cloud-config\n" + "[".repeat(CloudConfig.MAX_BYTES - 14);
    assertEquals(CloudConfig.MAX_BYTES, text.length());
    assertSingleError(validateBounded(text), 2, 65, "nesting deeper than 64 levels");
  }

  @Test
  void openBracesUpToTheSizeLimit_stopAtTheDepthLimit() {
    String text = "#cloud-config\n" + "{a: ".repeat((CloudConfig.MAX_BYTES - 14) / 4);
    assertSingleError(validateBounded(text), 2, 257, "nesting deeper than 64 levels");
  }

  @Test
  void millionsOfNestedBlockSequences_stopAtTheDepthLimit() {
    String text = "#cloud-config\n" + "- ".repeat(2_000_000) + "x\n";
    assertSingleError(validateBounded(text), 2, 129, "nesting deeper than 64 levels");
  }

  @Test
  void deeplyIndentedBlockMappings_stopAtTheDepthLimit() {
    StringBuilder b = new StringBuilder("#cloud-config\n");
    for (int depth = 0; depth < 2000; depth++) {
      b.append(" ".repeat(depth)).append("a:\n");
    }
    // Line 2 holds depth 0, so depth 64 (the 65th mapping) starts on line 66, column 65.
    assertSingleError(validateBounded(b.toString()), 66, 65, "nesting deeper than 64 levels");
  }

  @Test
  void deeplyNestedJson_withoutHeader_isNotMistakenForIgnition() {
    String text = "{\"ignition\": ".repeat(280_000) + "1" + "}".repeat(280_000);
    assertTrue(text.length() < CloudConfig.MAX_BYTES);
    assertSingleError(validateBounded(text), 1, 1, "must be \"#cloud-config\" or begin with \"#!\"");
  }

  @Test
  void hundredMegabyteDocument_isRefusedUnread() {
    assertSingleError(validateBounded(Huge.DOCUMENT), 1, 1, TOO_LARGE);
  }

  @Test
  void hundredMegabyteDocument_hasNoUpdateConf() {
    Optional<String> conf = assertTimeoutPreemptively(BOUND, () -> CloudConfig.updateConf(Huge.DOCUMENT));
    assertEquals(Optional.empty(), conf);
  }

  @Test
  void sizeLimit_countsUtf8Bytes() {
    String header = "#cloud-config\nhostname: ";
    String exactly = header + "a".repeat(CloudConfig.MAX_BYTES - header.length());
    assertEquals(List.of(), validateBounded(exactly));
    assertSingleError(validateBounded(exactly + "a"), 1, 1, TOO_LARGE);
    // 2.1 million two-byte characters: fewer chars than the limit, more bytes.
    String wide = header + "\u00e9".repeat(2_100_000);
    assertTrue(wide.length() < CloudConfig.MAX_BYTES);
    assertSingleError(validateBounded(wide), 1, 1, TOO_LARGE);
  }

  @Test
  void longValues_atTheSizeLimit_areReadInTime() {
    String plain = "#cloud-config\nhostname: ";
    assertEquals(List.of(), validateBounded(plain + "a".repeat(CloudConfig.MAX_BYTES - plain.length())));
    String quoted = "#cloud-config\nhostname: \"";
    assertEquals(List.of(), validateBounded(quoted + "a".repeat(CloudConfig.MAX_BYTES - quoted.length() - 1) + "\""));
    String block = "#cloud-config\nwrite_files:\n  - path: /etc/big\n    content: |\n";
    String line = "      " + "a".repeat(73) + "\n";
    assertEquals(List.of(), validateBounded(block + line.repeat((CloudConfig.MAX_BYTES - block.length()) / line.length())));
  }

  @Test
  void render_ofAnAliasBomb_isInvalid() {
    String template = "#cloud-config\nhostname: $name\na: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        + "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        + "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
    CloudConfig.Rendered r = assertTimeoutPreemptively(BOUND,
        () -> CloudConfig.render(template, Map.of("name", "node1"), "t.yaml"));
    assertTrue(!r.valid(), r.diagnostics()::toString);
    assertTrue(r.text().startsWith("#cloud-config\nhostname: node1\n"), r.text());
  }
}
