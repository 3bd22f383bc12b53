package dev.cairn.pxe;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /grub}: a profile as GRUB 2 commands ({@code linux}, {@code initrd}, {@code boot}), for
 * machines that boot GRUB over the network and load this with {@code configfile} or
 * {@code source}. GRUB fetches files as {@code (http,HOST[:PORT])/PATH}; it speaks HTTP and TFTP,
 * not HTTPS. An install-once profile's kernel line ends with
 * {@code "cairn.installed=URL/installed?mac=${net_default_mac}"}, double-quoted so that GRUB
 * expands its MAC (colon-separated, which {@code /installed} takes). Arguments are single-quoted, so GRUB passes them as written (iPXE's
 * {@code ${mac:hexhyp}} is not expanded here: GRUB has no such variable).
 */
public final class GrubConfigs {
  private static final Pattern HTTP = Pattern.compile("(?i)http://([^/?#]+)([^?#]*)(\\?[^#]*)?");

  private GrubConfigs() {}

  /** The config; IllegalArgumentException when a file is not reachable over http://. */
  public static String profile(Group g, Profile p, String publicUrl) {
    StringBuilder b = new StringBuilder();
    b.append("# Cairn: group ").append(g.id()).append(", profile ").append(p.id()).append('\n');
    b.append("echo 'Cairn: loading ").append(p.id()).append("'\n");
    b.append("linux ").append(device(IpxeScripts.url(p.kernel(), publicUrl)));
    for (String a : p.args()) {
      b.append(' ').append(quote(a));
    }
    if (p.installOnce()) {
      // double-quoted, so GRUB expands its own variable: the MAC of the interface it booted from
      String url = AssetPaths.trim(publicUrl) + "/installed?mac=";
      b.append(" \"").append(IpxeScripts.INSTALLED_ARG).append('=')
          .append(url.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$"))
          .append("${net_default_mac}\"");
    }
    b.append('\n');
    if (!p.initrd().isEmpty()) {
      b.append("initrd");
      for (String i : p.initrd()) {
        b.append(' ').append(device(IpxeScripts.url(i, publicUrl)));
      }
      b.append('\n');
    }
    return b.append("boot\n").toString();
  }

  /**
   * {@code /grub} for a machine recorded installed whose profile is install-once: GRUB
   * {@code exit}s, and the firmware goes on to its next boot option (the disk).
   */
  public static String localBoot(Installs.Installed i) {
    return "# Cairn: " + i.machine().replace('\n', ' ') + " was installed at " + i.at() + " (profile "
        + i.profile().replace('\n', ' ') + "); booting from its disk\n"
        + "echo 'Cairn: installed, booting from the local disk'\n"
        + "exit\n";
  }

  /** {@code http://host:port/path} as GRUB's {@code (http,host:port)/path}, quoted. */
  static String device(String url) {
    Matcher m = HTTP.matcher(url);
    if (!m.matches()) {
      throw new IllegalArgumentException("GRUB cannot fetch " + url + ": it fetches over http:// only"
          + (url.toLowerCase(Locale.ROOT).startsWith("https://") ? " (no https)" : ""));
    }
    String host = m.group(1);
    if (host.endsWith(":80")) {
      host = host.substring(0, host.length() - 3);
    }
    String path = m.group(2).isEmpty() ? "/" : m.group(2);
    String query = m.group(3) == null ? "" : m.group(3);
    return quote("(http," + host + ")" + path + query);
  }

  /** A GRUB word in single quotes: nothing in it is expanded. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
