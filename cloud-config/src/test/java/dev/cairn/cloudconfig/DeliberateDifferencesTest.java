package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Where Cairn's validator deliberately differs from coreos-cloudinit, docs/cloud-config.md says
 * so under "Beyond coreos-cloudinit", with the reason: the differences the validator shows here
 * must each be listed there.
 */
class DeliberateDifferencesTest {
  static String beyondSection() throws IOException {
    String doc = Files.readString(Path.of("../docs/cloud-config.md"), StandardCharsets.UTF_8);
    int start = doc.indexOf("\n## Beyond coreos-cloudinit\n");
    assertTrue(start >= 0, "docs/cloud-config.md has no 'Beyond coreos-cloudinit' section");
    int end = doc.indexOf("\n## ", start + 1);
    return doc.substring(start, end < 0 ? doc.length() : end);
  }

  @Test
  void invalidDiscoveryUrl_isAnErrorHere_aWarningUpstream_andTheDocsSayWhy() throws IOException {
    List<Diagnostic> found = CloudConfig.validate("#cloud-config\ncoreos:\n  etcd:\n    discovery: disco\n", "d.yaml");
    assertEquals(1, found.size(), found.toString());
    assertEquals(Diagnostic.Level.ERROR, found.get(0).level());

    String beyond = beyondSection();
    assertTrue(beyond.contains("invalid etcd discovery URL") && beyond.contains("**error**")
        && beyond.contains("coreos-cloudinit only warns"), beyond);
  }

  @Test
  void typeFindingOfAValueBelowItsKey_isOnTheKeysLine_asUpstream_andTheDocsSaySo() throws IOException {
    List<Diagnostic> found = CloudConfig.validate("#cloud-config\nusers:\n  true\n", "u.yaml");
    assertEquals(1, found.size(), found.toString());
    assertEquals(2, found.get(0).line(), "coreos-cloudinit reports it on the key's line");
    assertEquals(1, found.get(0).column());

    assertTrue(beyondSection().contains("starts below its key"), beyondSection());
  }
}
