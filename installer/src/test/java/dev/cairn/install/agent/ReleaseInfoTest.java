package dev.cairn.install.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ReleaseInfoTest {
  @Test
  void coreosReleaseFile_givesVersionBoardAndAppId() {
    ReleaseInfo r = ReleaseInfo.fromRelease("/usr/share/coreos/release",
        "COREOS_RELEASE_VERSION=2512.3.0\nCOREOS_RELEASE_BOARD=amd64-usr\n"
            + "COREOS_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}\n");
    assertEquals(new ReleaseInfo("2512.3.0", "amd64-usr", ReleaseInfo.COREOS_APP_ID, "coreos",
        "/usr/share/coreos/release"), r);
  }

  @Test
  void flatcarKeys_areRead_andMissingAppIdIsCoreosDefault() {
    ReleaseInfo r = ReleaseInfo.fromRelease("release", "FLATCAR_RELEASE_VERSION=3815.2.0\nFLATCAR_RELEASE_BOARD=arm64-usr\n");
    assertEquals("3815.2.0", r.version());
    assertEquals("arm64-usr", r.board());
    assertEquals(ReleaseInfo.COREOS_APP_ID, r.appId());
    assertEquals("flatcar", r.id());
  }

  @Test
  void releaseFileWithoutVersion_isRefused_namingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> ReleaseInfo.fromRelease("/usr/share/coreos/release", "COREOS_RELEASE_BOARD=amd64-usr\n"));
    assertEquals("/usr/share/coreos/release: expected COREOS_RELEASE_VERSION= or FLATCAR_RELEASE_VERSION=, found neither",
        e.getMessage());
  }

  @Test
  void osRelease_withShellQuotes_givesVersionAndId() {
    ReleaseInfo r = ReleaseInfo.fromOsRelease("/usr/lib/os-release",
        "NAME=\"Flatcar Container Linux by Kinvolk\"\nID=flatcar\nVERSION_ID=3815.2.0\n"
            + "PRETTY_NAME=\"Flatcar \\\"LTS\\\" 3815.2.0\"\nFLATCAR_BOARD=\"amd64-usr\"\n");
    assertEquals(new ReleaseInfo("3815.2.0", "amd64-usr", ReleaseInfo.COREOS_APP_ID, "flatcar", "/usr/lib/os-release"), r);
  }

  @Test
  void osReleaseWithoutVersionId_isRefused() {
    assertEquals("os-release: expected VERSION_ID=, found none",
        assertThrows(IllegalArgumentException.class, () -> ReleaseInfo.fromOsRelease("os-release", "ID=debian\n")).getMessage());
  }
}
