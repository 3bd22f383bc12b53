package dev.cairn.pxe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.pxe.Finding;
import dev.cairn.pxe.Labels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link BootFiles#put} and {@link BootFiles#delete}, in-process on the example data: the whole set
 * as it would be is checked (files the edit does not touch included), the file goes where its id
 * already is, and a symbolic link in the way is replaced, never written through. The HTTP side,
 * behind the admin token of {@code cairn serve}, is tested in the cli module.
 */
class BootFilesEditTest {
  @TempDir Path dataDir;

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String role(BootFiles f, String mac) {
    var m = f.current().match(Labels.of(Map.of("mac", mac)));
    return m.group() == null ? null : m.group().id() + "/" + m.group().metadata().get("role");
  }

  @Test
  void aWrite_isCheckedWithTheFilesItDoesNotTouch_andOneThatRepairsThemIsServed() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      Path broken = dataDir.resolve("boot/groups/spare.yaml");
      Files.writeString(broken, "id: spare\nselector: [serial\n");

      BootFiles.Refused r = assertThrows(BootFiles.Refused.class, () -> f.put(BootFiles.Kind.GROUP, "other",
          bytes("id: other\nselector:\n  serial: O1\n"), "test"));
      assertEquals(BootFiles.Refused.Why.FINDINGS, r.why());
      assertEquals(List.of("boot/groups/spare.yaml"), r.findings().stream().map(Finding::file).toList());
      assertFalse(Files.exists(dataDir.resolve("boot/groups/other.yaml")));

      // spare.yaml holds no readable id: it is the file named for the id spare, and is replaced
      BootFiles.Change c = f.put(BootFiles.Kind.GROUP, "spare",
          bytes("id: spare\nselector:\n  mac: 52:54:00:00:00:0a\nmetadata:\n  role: spare\n"), "test");
      assertEquals("updated", c.action());
      assertEquals("boot/groups/spare.yaml", c.file());
      assertTrue(c.served());
      assertEquals("spare/spare", role(f, "52:54:00:00:00:0a"), "served before put returned");
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(broken)));
    }
  }

  @Test
  void aGroupInASubfolder_isWrittenAndDeletedWhereItIs() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      Path rack = dataDir.resolve("boot/groups/rack-7/n3.yaml");
      Files.createDirectories(rack.getParent());
      Files.writeString(rack, "id: node-3\nselector:\n  mac: 52:54:00:00:00:03\n");

      BootFiles.Change c = f.put(BootFiles.Kind.GROUP, "node-3",
          bytes("id: node-3\nselector:\n  mac: 52:54:00:00:00:03\nmetadata:\n  role: etcd\n"), "test");

      assertEquals("boot/groups/rack-7/n3.yaml", c.file());
      assertEquals("node-3/etcd", role(f, "52:54:00:00:00:03"));
      assertFalse(Files.exists(dataDir.resolve("boot/groups/node-3.yaml")));
      assertEquals("deleted", f.delete(BootFiles.Kind.GROUP, "node-3", "test").action());
      assertFalse(Files.exists(rack));
      assertEquals("default/null", role(f, "52:54:00:00:00:03"));
    }
  }

  @Test
  void aSymbolicLinkAtTheFile_isReplaced_andWhatItPointsAtIsLeftAlone() throws Exception {
    Path outside = dataDir.resolve("outside.yaml");
    String theirs = "id: linked\nselector:\n  mac: 52:54:00:00:00:0b\n";
    Files.writeString(outside, theirs);
    try (BootFiles f = BootFiles.open(dataDir.resolve("data"))) {
      Path link = dataDir.resolve("data/boot/groups/linked.yaml");
      Files.createSymbolicLink(link, outside);

      f.put(BootFiles.Kind.GROUP, "linked", bytes(theirs + "metadata:\n  role: mine\n"), "test");

      assertFalse(Files.isSymbolicLink(link));
      assertEquals(theirs + "metadata:\n  role: mine\n", Files.readString(link));
      assertEquals(theirs, Files.readString(outside));
    }
  }

  @Test
  void ids_areOneFileName_neverAPath() throws Exception {
    try (BootFiles f = BootFiles.open(dataDir)) {
      for (String id : new String[] {"../x", "..", "a/b", ".x", "X", "", "a\u0000", "a".repeat(65)}) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> f.put(BootFiles.Kind.TEMPLATE, id, bytes("#cloud-config\n"), "test"), id);
        assertTrue(e.getMessage().startsWith("template id \""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.delete(BootFiles.Kind.PROFILE, id, "test"), id);
      }
      try (var s = Files.walk(dataDir)) {
        assertEquals(9, s.count(), "nothing was written: the data directory, the example and its folders");
      }
    }
  }
}
