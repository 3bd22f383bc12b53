package dev.cairn.gpt;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The partition type GUIDs Cairn knows by name, and the aliases the command line accepts. */
public enum PartitionType {
  EFI("efi", "EFI System Partition", "C12A7328-F81F-11D2-BA4B-00A0C93EC93B", false),
  BIOS_BOOT("bios-boot", "BIOS Boot Partition", "21686148-6449-6E6F-744E-656564454649", false),
  LINUX_DATA("linux-data", "Linux data", "0FC63DAF-8483-4772-8E79-3D69D8477DE4", false),
  COREOS_USR("coreos-usr", "CoreOS usr", "5DFBF5F4-2848-4BAC-AA5E-0D9A20B745A6", true),
  COREOS_RESIZE("coreos-resize", "CoreOS auto-resize", "3884DD41-8582-4404-B9A8-E9B84F2DF50E", false),
  COREOS_RESERVED("coreos-reserved", "CoreOS reserved", "C95DC21A-DF0E-4340-8D7B-26CBFA9A03E0", false),
  COREOS_ROOT_RAID("coreos-root-raid", "CoreOS RAID root", "BE9067B9-EA49-4F15-B4F6-F36F8C9E1818", false),
  CHROMEOS_KERNEL("chromeos-kernel", "ChromeOS kernel", "FE3A2A5D-4F32-41A7-B725-ACCC3285A309", true);

  private final String alias;
  private final String displayName;
  private final Guid guid;
  private final boolean abCapable;

  PartitionType(String alias, String displayName, String guid, boolean abCapable) {
    this.alias = alias;
    this.displayName = displayName;
    this.guid = Guid.parse(guid);
    this.abCapable = abCapable;
  }

  public String alias() {
    return alias;
  }

  public String displayName() {
    return displayName;
  }

  public Guid guid() {
    return guid;
  }

  /** Whether the type carries A/B flags (priority, tries, successful). */
  public boolean abCapable() {
    return abCapable;
  }

  public static Optional<PartitionType> of(Guid guid) {
    for (PartitionType t : values()) {
      if (t.guid.equals(guid)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }

  public static boolean isAbCapable(Guid guid) {
    return of(guid).map(PartitionType::abCapable).orElse(false);
  }

  /** A name for any type GUID: the known name, or the GUID itself. */
  public static String describe(Guid guid) {
    return of(guid).map(PartitionType::displayName).orElse(guid.toString());
  }

  /** Resolves an alias ({@code coreos-usr}) or a GUID; names every accepted alias when neither. */
  public static Guid resolve(String aliasOrGuid) {
    String key = aliasOrGuid.trim().toLowerCase(Locale.ROOT);
    for (PartitionType t : values()) {
      if (t.alias.equals(key)) {
        return t.guid;
      }
    }
    try {
      return Guid.parse(aliasOrGuid.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown partition type '" + aliasOrGuid
          + "' (expected a GUID or one of: " + aliases() + ")");
    }
  }

  public static String aliases() {
    return List.of(values()).stream().map(PartitionType::alias).collect(Collectors.joining(", "));
  }
}
