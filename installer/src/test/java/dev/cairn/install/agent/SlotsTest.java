package dev.cairn.install.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.gpt.AbSlots;
import dev.cairn.gpt.GptRead;
import dev.cairn.gpt.GptStore;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionTable;
import dev.cairn.install.Sh;
import dev.cairn.install.TargetFacts;
import dev.cairn.install.agent.UsrSelector.Kind;
import dev.cairn.install.disk.TargetDisk;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The running and other /usr slot found on a CoreOS layout made by sgdisk (with Flatcar's slot
 * GUIDs), and the agent's two flag steps written by Cairn to the image and read back by cgpt;
 * each step is also run by cgpt itself ({@code cgpt add} + {@code cgpt prioritize}, as CoreOS's
 * postinstall and set-good-root scripts do) on a copy and the attribute bits compared.
 */
class SlotsTest {
  private static final long MIB = 1 << 20;
  static final String USR_A = "7130c94a-213a-4e5a-8e26-6cce9662f132";
  static final String USR_B = "e03dd35c-7c2d-4a47-b3fe-27f15780a57c";
  private static final String USR_TYPE = "5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6";

  @TempDir static Path shared;
  static Path template;
  @TempDir Path dir;
  Path image;

  /** One layout for the class, as installed: USR-A priority 1, successful; USR-B priority 0. */
  @BeforeAll
  static void layout() throws Exception {
    template = shared.resolve("disk.img");
    try (RandomAccessFile f = new RandomAccessFile(template.toFile(), "rw")) {
      f.setLength(24 * MIB);
    }
    Sh.ok("sgdisk", "-o", "-n1:2048:+2M", "-c1:EFI-SYSTEM", "-t1:ef00",
        "-n3:0:+4M", "-c3:USR-A", "-t3:" + USR_TYPE, "-u3:" + USR_A,
        "-n4:0:+4M", "-c4:USR-B", "-t4:" + USR_TYPE, "-u4:" + USR_B,
        "-n6:0:+2M", "-c6:OEM", "-n9:0:0", "-c9:ROOT", "-t9:3884dd41-8582-4404-b9a8-e9b84f2df50e",
        template.toString());
    Sh.ok("cgpt", "add", "-i", "3", "-P", "1", "-T", "0", "-S", "1", template.toString());
  }

  @BeforeEach
  void copy() throws Exception {
    image = Files.copy(template, dir.resolve("disk.img"));
  }

  private static TargetDisk open(Path p) throws Exception {
    return TargetDisk.open(new TargetFacts(p.toString(), TargetFacts.Kind.FILE, 512, Files.size(p), List.of(), List.of()));
  }

  private static PartitionTable read(Path p) throws Exception {
    try (TargetDisk d = open(p)) {
      return GptStore.read(d).table();
    }
  }

  /** Reads the table, applies {@code step}, writes it back; returns what was written. */
  private static PartitionTable edit(Path p, UnaryOperator<PartitionTable> step) throws Exception {
    try (TargetDisk d = open(p)) {
      GptRead r = GptStore.read(d);
      PartitionTable next = step.apply(r.table());
      GptStore.write(d, r, next);
      d.flush();
      return next;
    }
  }

  private static String cgpt(Path p, int number, String field) throws Exception {
    return Sh.ok("cgpt", "show", "-i", Integer.toString(number), field, p.toString()).strip();
  }

  /**
   * Upstream cgpt prioritizes only chromeos-kernel partitions (CoreOS's fork also coreos-usr ones);
   * the peer's copy has USR-A and USR-B retyped so it applies the same rule to them.
   */
  private static void asKernelSlots(Path p) throws Exception {
    Sh.ok("cgpt", "add", "-i", "3", "-t", "kernel", p.toString());
    Sh.ok("cgpt", "add", "-i", "4", "-t", "kernel", p.toString());
  }

  /** The -A bits of USR-A and USR-B as cgpt reads them. */
  private static List<String> usrBits(Path p) throws Exception {
    return List.of(cgpt(p, 3, "-A"), cgpt(p, 4, "-A"));
  }

  @Test
  void flatcarPartuuid_findsUsrA_andTheOtherIsUsrB() throws Exception {
    Slots s = Slots.find(read(image), KernelCmdline.parse("mount.usr=PARTUUID=" + USR_A.toUpperCase()).usr());
    assertEquals(3, s.running().number());
    assertEquals(4, s.other().number());
    assertEquals("USR-B", s.other().label());
  }

  @Test
  void partlabelAndDeviceNode_findTheSameSlots() throws Exception {
    PartitionTable t = read(image);
    Slots byLabel = Slots.find(t, new UsrSelector(Kind.PARTLABEL, "USR-B", "mount.usr=PARTLABEL=USR-B"));
    Slots byDevice = Slots.find(t, new UsrSelector(Kind.DEVICE, "/dev/nvme0n1p4", "mount.usr=/dev/nvme0n1p4"));
    assertEquals(4, byLabel.running().number());
    assertEquals(3, byLabel.other().number());
    assertEquals(byLabel, byDevice);
  }

  @Test
  void afterUpdate_newSlotHasTriesOneNotSuccessful_andTopPriority_asCgptReadsIt_andAsCgptWouldSetIt() throws Exception {
    Path peer = Files.copy(image, dir.resolve("peer.img"));
    Slots s = Slots.find(read(image), new UsrSelector(Kind.PARTUUID, USR_A, "mount.usr=PARTUUID=" + USR_A));
    edit(image, s::afterUpdate);
    assertEquals("2", cgpt(image, 4, "-P"));
    assertEquals("1", cgpt(image, 4, "-T"));
    assertEquals("0", cgpt(image, 4, "-S"));
    assertEquals("1", cgpt(image, 3, "-P"));
    assertEquals("1", cgpt(image, 3, "-S"));

    asKernelSlots(peer);
    Sh.ok("cgpt", "add", "-i", "4", "-S", "0", "-T", "1", peer.toString());
    Sh.ok("cgpt", "prioritize", "-i", "4", peer.toString());
    assertEquals(usrBits(peer), usrBits(image));
  }

  @Test
  void gptprioBootsTheNewSlotOnce_thenFallsBackToTheOldWhenItWasNeverMarkedGood() throws Exception {
    Slots s = Slots.find(read(image), new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A"));
    edit(image, s::afterUpdate);

    AbSlots.Selection first = AbSlots.next(read(image));
    AbSlots.Selection.Chosen c1 = assertInstanceOf(AbSlots.Selection.Chosen.class, first);
    assertEquals(4, c1.chosen().number());
    assertTrue(c1.triesDecremented());
    edit(image, t -> c1.table());
    assertEquals("0", cgpt(image, 4, "-T"));

    AbSlots.Selection.Chosen c2 = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(read(image)));
    assertEquals(3, c2.chosen().number());
    assertFalse(c2.triesDecremented());
  }

  @Test
  void markGood_afterBootingTheNewSlot_setsSuccessfulTriesZero_andKeepsItOnTop_asCgptWould() throws Exception {
    Slots old = Slots.find(read(image), new UsrSelector(Kind.PARTUUID, USR_A, "mount.usr=PARTUUID=" + USR_A));
    edit(image, old::afterUpdate);
    AbSlots.Selection.Chosen boot = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(read(image)));
    edit(image, t -> boot.table());
    Path peer = Files.copy(image, dir.resolve("peer.img"));

    Slots now = Slots.find(read(image), new UsrSelector(Kind.PARTUUID, USR_B, "mount.usr=PARTUUID=" + USR_B));
    assertEquals(4, now.running().number());
    edit(image, now::markGood);
    assertEquals("1", cgpt(image, 4, "-S"));
    assertEquals("0", cgpt(image, 4, "-T"));
    assertEquals("2", cgpt(image, 4, "-P"));
    assertEquals("1", cgpt(image, 3, "-P"));

    asKernelSlots(peer);
    Sh.ok("cgpt", "add", "-i", "4", "-S", "1", "-T", "0", peer.toString());
    Sh.ok("cgpt", "prioritize", "-i", "4", peer.toString());
    assertEquals(usrBits(peer), usrBits(image));

    AbSlots.Selection.Chosen again = assertInstanceOf(AbSlots.Selection.Chosen.class, AbSlots.next(read(image)));
    assertEquals(4, again.chosen().number());
  }

  @Test
  void noMatchingPartition_isRefused_listingThePartitions() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Slots.find(read(image),
        new UsrSelector(Kind.PARTUUID, "00000000-0000-0000-0000-000000000001", "mount.usr=PARTUUID=00000000-0000-0000-0000-000000000001")));
    assertTrue(e.getMessage().startsWith("mount.usr=PARTUUID=00000000-0000-0000-0000-000000000001: no partition on the disk matches (partitions: 1 (EFI-SYSTEM) "),
        e.getMessage());
    assertTrue(e.getMessage().contains("3 (USR-A) " + USR_A + ", 4 (USR-B) " + USR_B), e.getMessage());
  }

  @Test
  void twoPartitionsWithTheLabel_isAmbiguous() throws Exception {
    PartitionTable t = read(image);
    PartitionTable twice = t.with(t.require(6).withLabel("USR-A"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Slots.find(twice, new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A")));
    assertTrue(e.getMessage().startsWith("mount.usr=PARTLABEL=USR-A is ambiguous: partitions 3 (USR-A) " + USR_A
        + ", 6 (USR-A) "), e.getMessage());
  }

  @Test
  void runningPartitionNotOfUsrType_isRefused() throws Exception {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Slots.find(read(image), new UsrSelector(Kind.DEVICE, "/dev/sda9", "mount.usr=/dev/sda9")));
    assertTrue(e.getMessage().startsWith("mount.usr=/dev/sda9 is partition 9 (ROOT) of type "), e.getMessage());
    assertTrue(e.getMessage().endsWith(", not a /usr slot of type coreos-usr (" + USR_TYPE + ")"), e.getMessage());
  }

  @Test
  void noOtherUsrPartition_isRefused() throws Exception {
    PartitionTable t = read(image);
    List<Partition> without = t.partitions().stream().filter(p -> p.number() != 4).toList();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Slots.find(t.withPartitions(without), new UsrSelector(Kind.PARTLABEL, "USR-A", "usr=PARTLABEL=USR-A")));
    assertEquals("running /usr is partition 3 (USR-A) and the disk has no other partition of type coreos-usr ("
        + USR_TYPE + ") to update into", e.getMessage());
  }

  @Test
  void threeUsrSlots_pickTheLabelTwin_elseRefuse() throws Exception {
    PartitionTable t = read(image);
    PartitionTable three = t.with(t.require(6).withType(t.require(3).type()).withLabel("USR-C"));
    Slots s = Slots.find(three, new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A"));
    assertEquals(4, s.other().number());
    PartitionTable unnamed = three.with(three.require(4).withLabel("USR-X"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Slots.find(unnamed, new UsrSelector(Kind.PARTLABEL, "USR-A", "mount.usr=PARTLABEL=USR-A")));
    assertTrue(e.getMessage().startsWith("running /usr is partition 3 (USR-A) and the other slot is ambiguous: partitions 4 (USR-X) "),
        e.getMessage());
  }
}
