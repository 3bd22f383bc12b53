package dev.cairn.gpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class GuidAndAttributesTest {

  @Test
  void efiTypeGuid_encodesMixedEndian_asOnDisk() {
    // The bytes every GPT disk holds for the EFI System Partition type.
    byte[] onDisk = HexFormat.of().parseHex("28732ac11ff8d211ba4b00a0c93ec93b");
    Guid efi = PartitionType.EFI.guid();
    byte[] encoded = new byte[16];
    efi.encode(encoded, 0);
    assertArrayEquals(onDisk, encoded);
    assertEquals(efi, Guid.decode(onDisk, 0));
    assertEquals("C12A7328-F81F-11D2-BA4B-00A0C93EC93B", efi.toString());
  }

  @Test
  void guidParse_acceptsBracesAndLowerCase_rejectsGarbage() {
    assertEquals(PartitionType.COREOS_USR.guid(), Guid.parse("{5dfbf5f4-2848-4bac-aa5e-0d9a20b745a6}"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Guid.parse("5dfbf5f4"));
    assertTrue(e.getMessage().contains("'5dfbf5f4'"), e.getMessage());
  }

  @Test
  void attributes_useTheCoreosBitPositions() {
    PartitionAttributes a = PartitionAttributes.NONE.withPriority(1).withSuccessful(true);
    assertEquals(0x0101_0000_0000_0000L, a.raw());
    assertEquals(0x101, a.cgptBits());
    PartitionAttributes b = PartitionAttributes.NONE.withPriority(15).withTries(15);
    assertEquals(0x00FF_0000_0000_0000L, b.raw());
    assertEquals(1L, PartitionAttributes.NONE.withRequired(true).raw());
    assertEquals(4L, PartitionAttributes.NONE.withLegacyBoot(true).raw());
  }

  @Test
  void attributes_keepBitsTheyDoNotManage() {
    long foreign = (1L << 60) | (1L << 47) | (1L << 2) | (1L << 1);
    PartitionAttributes a = new PartitionAttributes(foreign)
        .withPriority(9).withTries(3).withSuccessful(true).withSuccessful(false).withPriority(2);
    assertEquals(foreign, a.raw() & foreign);
    assertEquals(2, a.priority());
    assertEquals(3, a.tries());
    assertFalse(a.successful());
  }

  @Test
  void attributes_outOfRange_namesFieldAndRange() {
    assertEquals("priority must be 0-15, got 16",
        assertThrows(IllegalArgumentException.class, () -> PartitionAttributes.NONE.withPriority(16)).getMessage());
    assertEquals("tries must be 0-15, got -1",
        assertThrows(IllegalArgumentException.class, () -> PartitionAttributes.NONE.withTries(-1)).getMessage());
    assertEquals("successful must be 0 or 1, got 2",
        assertThrows(IllegalArgumentException.class,
            () -> new PartitionChange(3, null, null, null, null, null, null, null, null, 2, null, null)).getMessage());
    assertEquals("legacy-boot must be 0 or 1, got 3",
        assertThrows(IllegalArgumentException.class,
            () -> new PartitionChange(3, null, null, null, null, null, null, null, null, null, null, 3)).getMessage());
  }

  @Test
  void cgptBits_replaceOnlyTheUpper16() {
    PartitionAttributes a = new PartitionAttributes(0x0000_0000_0000_0005L).withCgptBits(0x1ab);
    assertEquals(0x01ab_0000_0000_0005L, a.raw());
    assertThrows(IllegalArgumentException.class, () -> a.withCgptBits(0x10000));
  }
}
