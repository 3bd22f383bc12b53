package dev.cairn.install.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The kernel command line ({@code /proc/cmdline}) split as the kernel splits it: at blanks outside
 * double quotes, the quotes themselves removed ({@code a="b c"} is {@code a=b c}); parameters
 * after a lone {@code --} belong to init and are kept apart.
 */
public record KernelCmdline(List<String> params, List<String> initArgs) {
  public KernelCmdline {
    params = List.copyOf(params);
    initArgs = List.copyOf(initArgs);
  }

  public static KernelCmdline parse(String text) {
    List<String> params = new ArrayList<>();
    List<String> init = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    boolean any = false;
    boolean afterDashes = false;
    for (int i = 0; i <= text.length(); i++) {
      char c = i < text.length() ? text.charAt(i) : ' ';
      if (c == '"') {
        quoted = !quoted;
        any = true;
        continue;
      }
      if (!quoted && Character.isWhitespace(c) || i == text.length()) {
        if (any) {
          String p = cur.toString();
          if (!afterDashes && p.equals("--")) {
            afterDashes = true;
          } else {
            (afterDashes ? init : params).add(p);
          }
        }
        cur.setLength(0);
        any = false;
        continue;
      }
      cur.append(c);
      any = true;
    }
    return new KernelCmdline(params, init);
  }

  /** Whether a {@code verity.usr=}, {@code mount.usr=} or {@code usr=} parameter is given at all. */
  public boolean namesUsr() {
    return value("verity.usr").isPresent() || value("mount.usr").isPresent() || value("usr").isPresent();
  }

  /** The value of the last {@code name=value} parameter (the kernel and systemd let the last win). */
  public Optional<String> value(String name) {
    String prefix = name + "=";
    Optional<String> out = Optional.empty();
    for (String p : params) {
      if (p.startsWith(prefix)) {
        out = Optional.of(p.substring(prefix.length()));
      }
    }
    return out;
  }

  /**
   * The /usr partition as CoreOS's and Flatcar's GRUB pass it: {@code mount.usr=PARTUUID=...}
   * (or {@code PARTLABEL=}, or a device node); on a dm-verity image {@code mount.usr=/dev/mapper/usr}
   * and the real partition in {@code verity.usr=PARTUUID=...}, which then wins; the older
   * {@code usr=} form when neither is present. {@code /dev/disk/by-partuuid/X} and
   * {@code by-partlabel/X} are read as {@code PARTUUID=X} and {@code PARTLABEL=X}.
   *
   * @throws IllegalArgumentException when no parameter names /usr, or only a device-mapper node
   *     does, or a value has an empty selector
   */
  public UsrSelector usr() {
    Optional<String> verity = value("verity.usr");
    if (verity.isPresent()) {
      return selector("verity.usr", verity.get());
    }
    Optional<String> mount = value("mount.usr");
    if (mount.isPresent()) {
      if (mount.get().startsWith("/dev/mapper/")) {
        throw new IllegalArgumentException("mount.usr=" + mount.get()
            + " is a device-mapper node and no verity.usr= names the partition under it");
      }
      return selector("mount.usr", mount.get());
    }
    Optional<String> usr = value("usr");
    if (usr.isPresent()) {
      return selector("usr", usr.get());
    }
    throw new IllegalArgumentException("the kernel command line has no mount.usr=, verity.usr= or usr="
        + " parameter naming the /usr partition: " + String.join(" ", params));
  }

  private static UsrSelector selector(String name, String value) {
    String param = name + "=" + value;
    UsrSelector.Kind kind;
    String v;
    if (value.startsWith("PARTUUID=")) {
      kind = UsrSelector.Kind.PARTUUID;
      v = value.substring("PARTUUID=".length());
    } else if (value.startsWith("PARTLABEL=")) {
      kind = UsrSelector.Kind.PARTLABEL;
      v = value.substring("PARTLABEL=".length());
    } else if (value.startsWith("/dev/disk/by-partuuid/")) {
      kind = UsrSelector.Kind.PARTUUID;
      v = value.substring("/dev/disk/by-partuuid/".length());
    } else if (value.startsWith("/dev/disk/by-partlabel/")) {
      kind = UsrSelector.Kind.PARTLABEL;
      v = value.substring("/dev/disk/by-partlabel/".length());
    } else if (value.startsWith("/dev/")) {
      kind = UsrSelector.Kind.DEVICE;
      v = value;
    } else {
      throw new IllegalArgumentException(param
          + ": expected PARTUUID=..., PARTLABEL=... or a /dev/ device node");
    }
    if (v.isEmpty()) {
      throw new IllegalArgumentException(param + ": the selector has no value");
    }
    return new UsrSelector(kind, v, param);
  }
}
