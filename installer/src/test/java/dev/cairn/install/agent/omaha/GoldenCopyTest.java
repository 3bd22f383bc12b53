package dev.cairn.install.agent.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The copies in {@link Golden} are the update server's golden files, character for character. */
class GoldenCopyTest {
  static final Path ORIGINALS = Path.of("..", "omaha-update-server", "src", "test", "resources", "omaha");

  @Test
  void everyCopy_equalsTheServerModulesGoldenFile() throws IOException {
    assertEquals(13, Golden.ALL.size());
    for (Map.Entry<String, String> e : Golden.ALL.entrySet()) {
      String original = Files.readString(ORIGINALS.resolve(e.getKey()), StandardCharsets.UTF_8);
      assertEquals(original, e.getValue(), e.getKey());
    }
  }
}
