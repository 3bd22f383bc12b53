package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code testdata/NAME.yaml} validated against {@code testdata/NAME.expected}: one line per
 * diagnostic, {@code LINE:COLUMN: level: message}; an empty file means no findings. To accept a
 * deliberate change, run with -Dgolden.update=true and review the diff.
 */
class GoldenTest {
  static final Path DIR = Path.of("src/test/resources/testdata");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(DIR)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length())).sorted().toList().stream();
    }
  }

  static String render(List<Diagnostic> found) {
    return found.stream().map(d -> d.line() + ":" + d.column() + ": " + d.level().word() + ": " + d.message() + "\n")
        .collect(Collectors.joining());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void validate_matchesGoldenFile(String name) throws IOException {
    String text = Files.readString(DIR.resolve(name + ".yaml"), StandardCharsets.UTF_8);
    String actual = render(CloudConfig.validate(text, name + ".yaml"));
    Path expected = DIR.resolve(name + ".expected");
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(expected, actual);
    }
    assertTrue(Files.exists(expected), "missing " + expected);
    assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual);
  }

  @Test
  void thereAreAtLeastSixtyPairs() throws IOException {
    assertTrue(cases().count() >= 60, "golden pairs: " + cases().count());
  }
}
