package dev.cairn.vms;

/**
 * What a machine boots with. Both network-boot through Debian's iPXE option ROMs for the e1000
 * NIC ({@code ipxe-qemu}, in {@code /usr/lib/ipxe/qemu}): {@code pxe-e1000.rom} holds the BIOS
 * image only, {@code efi-e1000.rom} the BIOS and the UEFI image.
 */
public enum Firmware {
  /** SeaBIOS, qemu's default, with iPXE's BIOS ROM. */
  BIOS("pxe-e1000.rom"),
  /** OVMF (Debian package {@code ovmf}) with iPXE's UEFI ROM; each machine gets its own copy of the variable store. */
  UEFI("efi-e1000.rom");

  private final String rom;

  Firmware(String rom) {
    this.rom = rom;
  }

  /** The option ROM's file name in {@code /usr/lib/ipxe/qemu}. */
  public String rom() {
    return rom;
  }
}
