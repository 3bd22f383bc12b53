package dev.cairn.vms;

import java.util.Locale;
import java.util.UUID;

/**
 * One virtual machine: what the boot server sees of it (its NIC's MAC address and its SMBIOS
 * system UUID) and how it boots.
 *
 * @param name names its log files: lower-case letters, digits and {@code -}
 * @param firmware BIOS or UEFI
 * @param mac the NIC's address, {@code 52:54:00:12:34:56}: six lower-case hex pairs, unicast
 * @param uuid the SMBIOS system UUID, iPXE's {@code ${uuid}}
 * @param memoryMib RAM, at least 128 MiB (the kernel and initramfs are unpacked into it)
 */
public record Machine(String name, Firmware firmware, String mac, UUID uuid, int memoryMib) {
  /** Enough for Debian's kernel and a busybox initramfs. */
  public static final int DEFAULT_MEMORY_MIB = 256;

  public Machine {
    if (name == null || !name.matches("[a-z0-9][a-z0-9-]{0,62}")) {
      throw new IllegalArgumentException("machine name must be lower-case letters, digits and -, got " + name);
    }
    if (firmware == null || uuid == null) {
      throw new IllegalArgumentException("machine " + name + " needs a firmware and a UUID");
    }
    if (mac == null || !mac.matches("[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
      throw new IllegalArgumentException("MAC address must be six lower-case hex pairs joined by :, got " + mac);
    }
    if ((Integer.parseInt(mac.substring(0, 2), 16) & 1) != 0) {
      throw new IllegalArgumentException("MAC address must be unicast (first octet even), got " + mac);
    }
    if (memoryMib < 128) {
      throw new IllegalArgumentException("memory must be at least 128 MiB, got " + memoryMib);
    }
  }

  /** A machine with {@value #DEFAULT_MEMORY_MIB} MiB. */
  public static Machine of(String name, Firmware firmware, String mac, String uuid) {
    return new Machine(name, firmware, mac, UUID.fromString(uuid), DEFAULT_MEMORY_MIB);
  }

  /** The MAC address as iPXE's {@code ${mac:hexhyp}} writes it: {@code 52-54-00-12-34-56}. */
  public String macHexhyp() {
    return mac.replace(':', '-');
  }

  /** The UUID as iPXE's {@code ${uuid}} writes it: lower-case, hyphenated. */
  public String uuidText() {
    return uuid.toString().toLowerCase(Locale.ROOT);
  }
}
