package dev.cairn.pxe;

/**
 * The iPXE scripts: {@code /boot.ipxe}, which every machine chains to first, and {@code /ipxe}, the
 * script of a machine's profile or, when nothing matches, one that says why and tries again.
 */
public final class IpxeScripts {
  /** How long a machine waits before it asks again, after a failure or when nothing matches. */
  public static final int RETRY_SECONDS = 10;

  /** The kernel argument an install-once profile is given: where the installer says it is done. */
  public static final String INSTALLED_ARG = "cairn.installed";

  private IpxeScripts() {}

  /**
   * {@code cairn.installed=PUBLIC_URL/installed?mac=MAC}, {@code MAC} being how the boot loader names
   * the machine's MAC ({@code ${mac:hexhyp}} for iPXE, {@code ${net_default_mac}} for GRUB).
   */
  public static String installedArg(String publicUrl, String mac) {
    return INSTALLED_ARG + "=" + AssetPaths.trim(publicUrl) + "/installed?mac=" + mac;
  }

  /**
   * {@code /boot.ipxe}: chains to {@code /ipxe} with the machine's labels (URI-encoded by iPXE where
   * they may hold anything), and when that fails (the server is down, or answers an error) says so,
   * waits and tries again, instead of falling through to the next boot device at once. A script that
   * ends without booting and without failing (an installed machine's {@code exit} under UEFI) ends
   * this one too, so iPXE hands the machine back to the firmware's next boot option.
   */
  public static String boot(String publicUrl) {
    String base = AssetPaths.trim(publicUrl);
    return "#!ipxe\n"
        + "# Cairn: ask " + base + " for this machine's boot script, and try again every "
        + RETRY_SECONDS + " s until it answers.\n"
        + ":retry\n"
        + "chain --autofree " + base + "/ipxe?uuid=${uuid}&mac=${mac:hexhyp}&hostname=${hostname:uristring}"
        + "&serial=${serial:uristring}&arch=${buildarch:uristring} || goto failed\n"
        + "exit\n"
        + ":failed\n"
        + "echo Cairn: could not boot from " + base + "/ipxe, trying again in " + RETRY_SECONDS + " s\n"
        + "sleep " + RETRY_SECONDS + "\n"
        + "goto retry\n";
  }

  /**
   * The script that boots {@code p}: its kernel with its arguments as written (and, for an
   * install-once profile, {@link #installedArg} after them), each initrd, boot.
   */
  public static String profile(Group g, Profile p, String publicUrl) {
    StringBuilder b = new StringBuilder("#!ipxe\n");
    b.append("# Cairn: group ").append(g.id()).append(", profile ").append(p.id()).append('\n');
    b.append("kernel ").append(url(p.kernel(), publicUrl));
    for (String a : p.args()) {
      b.append(' ').append(a);
    }
    if (p.installOnce()) {
      b.append(' ').append(installedArg(publicUrl, "${mac:hexhyp}"));
    }
    b.append('\n');
    for (String i : p.initrd()) {
      b.append("initrd ").append(url(i, publicUrl)).append('\n');
    }
    return b.append("boot\n").toString();
  }

  /**
   * For a machine recorded installed whose profile is install-once: boots its local disk. UEFI
   * iPXE {@code exit}s to the firmware's boot manager, which tries its next boot option (the disk);
   * BIOS iPXE boots the first hard disk, else exits to the BIOS's next boot device.
   */
  public static String localBoot(Installs.Installed i) {
    return "#!ipxe\n"
        + "# Cairn: " + words(i.machine()) + " was installed at " + i.at() + " (profile " + words(i.profile())
        + "); booting from its disk\n"
        + "echo Cairn: installed, booting from the local disk\n"
        + "iseq ${platform} efi && exit ||\n"
        + "sanboot --no-describe --drive 0x80 || exit\n";
  }

  /**
   * For a machine nothing boots: prints its labels and why, waits, and starts over at
   * {@code /boot.ipxe} (replacing this script, so the machine can wait for its group forever
   * without nesting scripts).
   */
  public static String noMatch(Match m, String publicUrl) {
    String base = AssetPaths.trim(publicUrl);
    return "#!ipxe\n"
        + "echo Cairn: nothing to boot for this machine\n"
        + "echo Cairn: labels " + m.labels().describe() + "\n"
        + "echo Cairn: " + words(m.kind() == Match.Kind.NO_GROUP
            ? "no group matches these labels, and there is no default group"
            : "group " + m.group().id() + " matches but names no profile") + "\n"
        + "echo Cairn: asking again in " + RETRY_SECONDS + " s\n"
        + "sleep " + RETRY_SECONDS + "\n"
        + "chain --replace --autofree " + base + "/boot.ipxe\n";
  }

  /** An asset path as its URL under the public URL; a URL as written. */
  static String url(String kernelOrInitrd, String publicUrl) {
    return AssetPaths.isUrl(kernelOrInitrd) ? kernelOrInitrd : AssetPaths.url(publicUrl, kernelOrInitrd);
  }

  /** Text safe in an iPXE {@code echo}: no {@code $} (settings would expand) and no line break. */
  private static String words(String s) {
    return s.replace("$", "").replace('\n', ' ');
  }
}
