package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.pxe.GrubConfigs;
import dev.cairn.pxe.Group;
import dev.cairn.pxe.Profile;
import dev.cairn.pxe.Selector;
import dev.cairn.pxe.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The GRUB configs Cairn serves, read by GRUB's own parser ({@code grub-script-check}, from
 * grub-common, which {@code ./test.sh} installs): every golden {@code /grub} answer, and a profile
 * whose arguments hold everything GRUB's script language treats specially.
 */
class GrubScriptCheckTest {
  private static String check(String config) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("grub-script-check").redirectErrorStream(true).start();
    p.getOutputStream().write(config.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return p.waitFor() == 0 ? "ok" : out;
  }

  @Test
  void everyGoldenGrubConfig_parses() throws Exception {
    List<Path> goldens;
    try (Stream<Path> s = Files.list(GoldenHttpTest.DIR)) {
      goldens = s.filter(p -> p.getFileName().toString().matches("grub-.*\\.expected")).sorted().toList();
    }
    int configs = 0;
    for (Path g : goldens) {
      String text = Files.readString(g);
      if (text.startsWith("200 ")) {
        configs++;
        assertEquals("ok", check(text.substring(text.indexOf("\n\n") + 2)), g.toString());
      }
    }
    assertTrue(configs >= 3, "golden GRUB configs: " + configs);
  }

  @Test
  void argumentsWithGrubsSpecialCharacters_parseAsOneWordEach() throws Exception {
    List<String> args = List.of("a'b", "$root", "${x}", "a;b", "a|b", "a&&b", "{x}", "\"q\"", "a\\b", "#x", "a\tb");
    Profile p = new Profile("p", "p", "vmlinuz", List.of("initrd.img"), args, null, Source.of("p.yaml"));
    Group g = new Group("g", "g", "p", Selector.DEFAULT, new TreeMap<>(), null, Source.of("g.yaml"));
    String config = GrubConfigs.profile(g, p, "http://boot.example.com:8080/");
    assertEquals("ok", check(config), config);
    // and exactly these words: the kernel line is 'linux', the file, then one quoted word per argument
    String linux = config.lines().filter(l -> l.startsWith("linux ")).findFirst().orElseThrow();
    assertEquals("linux '(http,boot.example.com:8080)/assets/vmlinuz' 'a'\\''b' '$root' '${x}' 'a;b' 'a|b' 'a&&b'"
        + " '{x}' '\"q\"' 'a\\b' '#x' 'a\tb'", linux);
  }
}
