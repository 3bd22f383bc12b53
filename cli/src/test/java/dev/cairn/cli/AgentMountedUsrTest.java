package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.GIB;
import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.CliHarness.sparseImage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn agent status --root} on a machine whose initramfs chose the USR slot itself: no
 * usr= on the kernel command line, USR-B (vda4) mounted at /usr. The tree has the kernel's
 * mountinfo, a relative /sys/dev/block symlink into sys/devices/.../vda/vda4, and ROOT/dev/vda is
 * a sparse image made with {@code cairn gpt create --layout coreos}.
 */
class AgentMountedUsrTest {
  private static final String VDA = "sys/devices/pci0000:00/0000:00:05.0/virtio2/block/vda";

  @TempDir Path root;

  @BeforeEach
  void machine() throws IOException {
    Files.createDirectories(root.resolve("dev"));
    Path disk = sparseImage(root.resolve("dev"), "vda", 8 * GIB);
    cairnOk("gpt", "create", "--layout", "coreos", disk.toString());
    write("usr/share/coreos/release", "COREOS_RELEASE_VERSION=1.0.0\nCOREOS_RELEASE_BOARD=amd64-usr\n");
    write(VDA + "/vda4/partition", "4\n");
    write(VDA + "/size", "16777216\n");
    Files.createDirectories(root.resolve("sys/dev/block"));
    Files.createSymbolicLink(root.resolve("sys/dev/block/254:4"),
        Path.of("../../devices/pci0000:00/0000:00:05.0/virtio2/block/vda/vda4"));
  }

  private void write(String path, String text) throws IOException {
    Path p = root.resolve(path);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  @Test
  void noUsrOnCmdline_statusShowsTheSlotMountedAtUsr() throws IOException {
    write("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=LABEL=ROOT console=ttyS0\n");
    write("proc/self/mountinfo", "22 1 254:9 / / rw,relatime shared:1 - ext4 /dev/vda9 rw\n"
        + "25 22 254:4 / /usr ro,relatime shared:4 - ext4 /dev/vda4 ro\n");
    Result r = cairn("agent", "status", "--root", root.toString()).ok();
    assertTrue(r.out().contains("running:  USR-B (partition 4) "), r.out());
    assertTrue(r.out().contains("other:    USR-A (partition 3) "), r.out());
  }

  @Test
  void usrOnCmdline_winsOverTheMount() throws IOException {
    write("proc/cmdline", "BOOT_IMAGE=/vmlinuz mount.usr=/dev/vda3 root=LABEL=ROOT\n");
    write("proc/self/mountinfo", "25 22 254:4 / /usr ro,relatime shared:4 - ext4 /dev/vda4 ro\n");
    Result r = cairn("agent", "status", "--root", root.toString(), "--disk", root.resolve("dev/vda").toString()).ok();
    assertTrue(r.out().contains("running:  USR-A (partition 3) "), r.out());
  }

  @Test
  void nothingAtUsr_exit2_namingCmdlineAndMountinfo() throws IOException {
    write("proc/cmdline", "BOOT_IMAGE=/vmlinuz root=LABEL=ROOT\n");
    write("proc/self/mountinfo", "22 1 254:9 / / rw,relatime shared:1 - ext4 /dev/vda9 rw\n");
    Result r = cairn("agent", "status", "--root", root.toString());
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertEquals("cairn agent status: no mount.usr=, verity.usr= or usr= on the kernel command line ("
        + root.resolve("proc/cmdline") + ") and nothing mounted at /usr in " + root.resolve("proc/self/mountinfo"),
        r.errLines().get(0));
  }
}
