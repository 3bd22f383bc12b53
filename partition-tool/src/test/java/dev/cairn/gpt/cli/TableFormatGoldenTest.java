package dev.cairn.gpt.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.gpt.Fixtures;
import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.PartitionAttributes;
import dev.cairn.gpt.PartitionTable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code gpt show} output for fixed tables against testdata/NAME.expected. To accept a deliberate
 * change, run with -Dgolden.update=true and review the diff.
 */
class TableFormatGoldenTest {

  static Stream<Arguments> cases() {
    PartitionTable coreos = Fixtures.coreos();
    PartitionTable updated = Fixtures.abTable(
        PartitionAttributes.NONE.withPriority(1).withSuccessful(true).withLegacyBoot(true),
        PartitionAttributes.NONE.withPriority(2).withTries(1).withRequired(true));
    GptRead clean = new GptRead(coreos, GptRead.Source.PRIMARY, 16777216, null, null, null, List.of());
    GptRead damaged = new GptRead(updated, GptRead.Source.BACKUP, 16777216,
        "header at LBA 1 has a bad CRC (stored 0x00000000, computed 0x1234abcd)", null, null,
        List.of("the primary GPT is damaged; using the backup at LBA 16777215"));
    return Stream.of(
        Arguments.of("coreos-8g.show", (Function<GptRead, String>) TableFormat::table, clean),
        Arguments.of("coreos-8g.json", (Function<GptRead, String>) r -> TableFormat.json("disk.img", r), clean),
        Arguments.of("updated-damaged.show", (Function<GptRead, String>) TableFormat::table, damaged),
        Arguments.of("updated-damaged.json", (Function<GptRead, String>) r -> TableFormat.json("disk.img", r), damaged));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void output_matchesGoldenFile(String name, Function<GptRead, String> render, GptRead read) throws IOException {
    String actual = render.apply(read);
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(Path.of("src/test/resources/testdata", name + ".expected"), actual);
    }
    try (InputStream in = getClass().getResourceAsStream("/testdata/" + name + ".expected")) {
      String expected = in == null ? "(missing testdata/" + name + ".expected)" : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(expected, actual);
    }
  }
}
