package dev.cairn.install;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReleaseSourceTest {
  @Test
  void aCairnServersTree_isReleaseChannelBoard() {
    ReleaseSource s = ReleaseSource.server("http://10.0.2.2:8080/", "stable", "amd64-usr");
    assertEquals("http://10.0.2.2:8080/release/stable/amd64-usr/current/version.txt", s.versionTxt());
    assertEquals("http://10.0.2.2:8080/release/stable/amd64-usr/1.0.0/coreos_production_image.bin.bz2",
        s.file("1.0.0", "coreos_production_image.bin.bz2"));
  }

  @Test
  void namesThatCouldClimbOutOfTheTree_areRefused() {
    for (String bad : List.of("..", "../x", "a/b", ".hidden", "", "a b", "x?y")) {
      assertThrows(IllegalArgumentException.class, () -> ReleaseSource.server("http://h", bad, "amd64-usr"), bad);
      assertThrows(IllegalArgumentException.class, () -> new ReleaseSource("http://h/x").file(bad, "img"), bad);
    }
  }

  @Test
  void aBaseUrl_mustBeHttpWithoutAQuery() {
    assertThrows(IllegalArgumentException.class, () -> new ReleaseSource("ftp://h/x"));
    assertThrows(IllegalArgumentException.class, () -> new ReleaseSource("http://h/x?y=1"));
    assertEquals("https://m/stable/amd64-usr/current/version.txt", new ReleaseSource("https://m/stable/amd64-usr//").versionTxt());
  }

  @Test
  void versionTxt_readsCoreosOrFlatcarVersion() {
    assertEquals("2.1.0", ReleaseSource.parseVersionTxt("COREOS_BUILD=2\nCOREOS_VERSION=2.1.0\nCOREOS_VERSION_ID=2.1.0\n", "v"));
    assertEquals("3602.2.0", ReleaseSource.parseVersionTxt("FLATCAR_VERSION=3602.2.0\n", "v"));
    assertEquals("1.0.0", ReleaseSource.parseVersionTxt("COREOS_VERSION_ID=1.0.0\n", "v"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReleaseSource.parseVersionTxt("<html>not found</html>", "http://h/current/version.txt"));
    assertTrue(e.getMessage().startsWith("http://h/current/version.txt: no COREOS_VERSION"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ReleaseSource.parseVersionTxt("COREOS_VERSION=../../etc\n", "v"));
  }

  @Test
  void anOemId_triesTheOemsImageFirst() {
    Request r = new Request("d", "stable", "current", "amd64-usr", "http://h", null, null, null, null, null, "packet",
        "k", false, false, 1);
    assertEquals(List.of("coreos_production_packet_image.bin.bz2", "flatcar_production_packet_image.bin.bz2",
        "coreos_production_image.bin.bz2", "flatcar_production_image.bin.bz2"), r.imageNames());
  }

  @Test
  void exactlyOneSource_isRequired() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Request("d", "stable", "current",
        "amd64-usr", "http://h", "http://m", null, null, null, null, null, "k", false, false, 1));
    assertTrue(e.getMessage().contains("exactly one of -s SERVER, -b BASEURL or -f IMAGE"), e.getMessage());
  }
}
