package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The initramfs as the kernel will unpack it, read back with commons-compress; the cpio(1) command agrees in {@link #cpioCommand_listsTheSameArchive()}. */
class InitramfsTest {
  @TempDir
  Path tmp;

  record Entry(long mode, long rdevMajor, long rdevMinor, byte[] content) {
  }

  @Test
  void netboot_holdsInitBusyboxConsoleAndTheNicDriver_parentsFirst() throws IOException {
    Kernel k = Kernel.fromCache();
    Path out = tmp.resolve("initrd.img");
    Initramfs.netboot(k).unreachable(List.of("http://10.0.2.3:1/")).write(out);
    Map<String, Entry> entries = read(out);

    assertEquals(0100755, entries.get("init").mode());
    assertTrue(new String(entries.get("init").content(), StandardCharsets.UTF_8).startsWith("#!/bin/busybox sh\n"));
    assertArrayEquals(Files.readAllBytes(Path.of("/bin/busybox")), entries.get("bin/busybox").content());
    assertEquals(0100755, entries.get("bin/busybox").mode());
    Entry console = entries.get("dev/console");
    assertEquals(List.of(020600L, 5L, 1L), List.of(console.mode(), console.rdevMajor(), console.rdevMinor()));
    assertArrayEquals(Files.readAllBytes(k.moduleWithDependencies("e1000").get(0)), entries.get("lib/modules/e1000.ko").content());
    assertEquals("e1000.ko\n", text(entries, "etc/cairn-vm/modules"));
    assertEquals("http://10.0.2.3:1/\n", text(entries, "etc/cairn-vm/unreachable"));
    assertEquals(0100755, entries.get("etc/cairn-vm/udhcpc.script").mode());
    for (String d : List.of("proc", "sys", "tmp", "etc/cairn-vm", "lib/modules")) {
      assertEquals(040755, entries.get(d).mode(), d);
    }
    List<String> names = List.copyOf(entries.keySet());
    for (String n : names) {
      int slash = n.lastIndexOf('/');
      if (slash > 0) {
        assertTrue(names.indexOf(n.substring(0, slash)) < names.indexOf(n), n + " comes before its folder");
      }
    }
    assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
  }

  @Test
  void sameInputs_giveTheSameBytes() throws IOException {
    Kernel k = Kernel.fromCache();
    Initramfs.netboot(k).write(tmp.resolve("one"));
    Initramfs.netboot(k).write(tmp.resolve("two"));
    assertArrayEquals(Files.readAllBytes(tmp.resolve("one")), Files.readAllBytes(tmp.resolve("two")));
  }

  @Test
  void cpioCommand_listsTheSameArchive() throws Exception {
    Path out = tmp.resolve("initrd.img");
    Initramfs.netboot(Kernel.fromCache()).write(out);
    Process p = new ProcessBuilder("sh", "-c", "gzip -dc \"$0\" | cpio -t --quiet", out.toString())
        .redirectErrorStream(true).start();
    String listing;
    try (InputStream in = p.getInputStream()) {
      listing = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertEquals(0, p.waitFor(), listing);
    assertEquals(List.copyOf(read(out).keySet()), List.of(listing.strip().split("\n")));
  }

  @Test
  void xzCompressedModule_isStoredDecompressed_underItsPlainName() throws Exception {
    Path tree = Files.createDirectories(tmp.resolve("k/modules/kernel/net"));
    Files.writeString(tmp.resolve("k/vmlinuz"), "not a kernel");
    KernelTest.module(tree, "needed", "");
    KernelTest.module(tree, "nic", "needed");
    byte[] nic = Files.readAllBytes(tree.resolve("nic.ko"));
    Process xz = new ProcessBuilder("xz", "--", tree.resolve("nic.ko").toString()).inheritIO().start();
    assertEquals(0, xz.waitFor());
    assertFalse(Files.exists(tree.resolve("nic.ko")));

    Path out = tmp.resolve("initrd.img");
    Initramfs.withInit(Kernel.at(tmp.resolve("k")), "#!/bin/busybox sh\n").module("nic").write(out);
    Map<String, Entry> entries = read(out);
    assertArrayEquals(nic, entries.get("lib/modules/nic.ko").content());
    assertEquals("needed.ko\nnic.ko\n", text(entries, "etc/cairn-vm/modules"));
  }

  @Test
  void dynamicallyLinkedBusybox_isRefusedNamingIt_andNothingIsWritten() throws IOException {
    Path dynamic = Path.of("/bin/sh").toRealPath();   // dash: dynamically linked on Debian
    Path out = tmp.resolve("initrd.img");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initramfs.netboot(Kernel.fromCache()).busybox(dynamic).write(out));
    assertEquals(dynamic + ": busybox is dynamically linked; the initramfs needs a static one (Debian package busybox-static)",
        e.getMessage());
    assertEquals(List.of(), List.of(tmp.toFile().list()));
  }

  @Test
  void pathOutsideTheRoot_isBadInput() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Initramfs.withInit(null, "").file("etc/../../x", new byte[0], 0644));
    assertEquals("initramfs path must name a file below the root, got etc/../../x", e.getMessage());
  }

  private static String text(Map<String, Entry> entries, String name) {
    return new String(entries.get(name).content(), StandardCharsets.UTF_8);
  }

  static Map<String, Entry> read(Path initrd) throws IOException {
    Map<String, Entry> out = new LinkedHashMap<>();
    try (InputStream file = Files.newInputStream(initrd);
         CpioArchiveInputStream cpio = new CpioArchiveInputStream(new GZIPInputStream(file))) {
      CpioArchiveEntry e;
      while ((e = cpio.getNextEntry()) != null) {
        out.put(e.getName(), new Entry(e.getMode(), e.getRemoteDeviceMaj(), e.getRemoteDeviceMin(), cpio.readAllBytes()));
      }
    }
    return out;
  }
}
