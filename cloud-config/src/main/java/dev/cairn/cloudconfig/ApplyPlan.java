package dev.cairn.cloudconfig;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * What applying a cloud-config on the machine writes, as coreos-cloudinit does on first boot for
 * the parts a small OS needs: {@code hostname}, {@code write_files}, {@code coreos.update} and
 * {@code ssh_authorized_keys}, in that order. Pure: the plan is computed from the text alone, and
 * an adapter checks it against the machine and writes it. Owner names are resolved with
 * {@link #owner} from the machine's passwd and group files.
 */
public final class ApplyPlan {
  /** Decoded content larger than this is refused. */
  static final long MAX_DECODED = 64L << 20;

  /** The user the {@code ssh_authorized_keys} belong to, as on CoreOS. */
  public static final String SSH_USER = "core";

  private ApplyPlan() {}

  /**
   * One file to write.
   *
   * @param path absolute, normalised path as on the machine ({@code /etc/hostname})
   * @param content the bytes, decoded
   * @param mode permission bits of the file
   * @param owner {@code user} or {@code user:group} as written, or null to leave it as created
   * @param parentMode permission bits of the file's own directory when it has to be created (its
   *     further ancestors are created 0755, as created)
   * @param parentOwned whether a created parent gets {@code owner} too
   * @param line what is printed once it is written
   */
  public record Write(String path, byte[] content, int mode, String owner, int parentMode,
      boolean parentOwned, String line) {
    public Write {
      content = content.clone();
    }

    @Override
    public byte[] content() {
      return content.clone();
    }

    /** The path without its leading slash, to resolve under a root directory. */
    public String relative() {
      return path.substring(1);
    }
  }

  /** A uid and a gid; -1 leaves that one unchanged. */
  public record Ids(int uid, int gid) {}

  /**
   * The writes {@code text} asks for. Throws IllegalArgumentException (naming {@code source}) when
   * it is not a {@code #cloud-config}, does not validate, or a path is not absolute or has a
   * {@code ..}; callers validate first to print every finding.
   */
  public static List<Write> plan(String text, String source) {
    String first = text.lines().findFirst().orElse("").stripTrailing();
    if (text.startsWith("#!")) {
      throw new IllegalArgumentException(source + ": is a #! script, not a #cloud-config; nothing to apply");
    }
    if (!first.equals("#cloud-config")) {
      String what = Ignition.looksLikeIgnition(text) ? "an Ignition config" : "not a #cloud-config";
      throw new IllegalArgumentException(source + ": is " + what
          + " (expected \"#cloud-config\" on the first line); nothing to apply");
    }
    if (Validator.validate(text, source).stream().anyMatch(d -> d.level() == Diagnostic.Level.ERROR)) {
      throw new IllegalArgumentException(source + ": does not validate; nothing to apply");
    }
    YamlReader.Result r = YamlReader.read(text, source);
    List<Write> writes = new ArrayList<>();
    if (!(r.root() instanceof YamlNode.Mapping written)) {
      return writes;   // only comments
    }
    YamlNode.Mapping root = Validator.merged(written);
    YamlNode.Scalar hostname = scalar(root, "hostname");
    if (hostname != null && !hostname.value().isEmpty()) {
      writes.add(new Write("/etc/hostname", (hostname.value() + "\n").getBytes(StandardCharsets.UTF_8),
          0644, null, 0755, false, "hostname: " + hostname.value() + " (etc/hostname)"));
    }
    YamlNode files = value(root, "write_files");
    if (files instanceof YamlNode.Sequence seq) {
      for (YamlNode item : seq.items()) {
        if (item instanceof YamlNode.Mapping m) {
          writes.add(writeFile(Validator.merged(m), source));
        }
      }
    }
    Optional<String> conf = CloudConfig.updateConf(text);
    if (conf.isPresent()) {
      // The etcd password is a secret: the file is then the owner's alone, and it is not echoed.
      boolean secret = conf.get().contains("\nLOCKSMITHD_ETCD_PASSWORD=") || conf.get().startsWith("LOCKSMITHD_ETCD_PASSWORD=");
      String summary = String.join(" ", conf.get().strip().replaceAll("(?m)^(LOCKSMITHD_ETCD_PASSWORD=).*$", "$1(hidden)")
          .split("\n"));
      writes.add(new Write("/etc/coreos/update.conf", conf.get().getBytes(StandardCharsets.UTF_8),
          secret ? 0600 : 0644, null, 0755, false, "update.conf: " + summary + " (etc/coreos/update.conf)"));
    }
    YamlNode keys = value(root, "ssh_authorized_keys");
    if (keys instanceof YamlNode.Sequence seq && !seq.items().isEmpty()) {
      StringBuilder b = new StringBuilder();
      int n = 0;
      for (YamlNode k : seq.items()) {
        if (k instanceof YamlNode.Scalar s && !s.value().isBlank()) {
          b.append(s.value().strip()).append('\n');
          n++;
        }
      }
      writes.add(new Write("/home/core/.ssh/authorized_keys", b.toString().getBytes(StandardCharsets.UTF_8),
          0600, SSH_USER + ":" + SSH_USER, 0700, true, "ssh_authorized_keys: " + n + (n == 1 ? " key" : " keys")
          + " (home/core/.ssh/authorized_keys)"));
    }
    return writes;
  }

  private static Write writeFile(YamlNode.Mapping m, String source) {
    YamlNode.Scalar pathNode = scalar(m, "path");
    if (pathNode == null || pathNode.value().isEmpty()) {
      throw new IllegalArgumentException(at(source, m) + "write_files entry has no path");
    }
    String path = path(pathNode.value(), at(source, pathNode));
    YamlNode.Scalar content = scalar(m, "content");
    byte[] bytes;
    if (content != null && "tag:yaml.org,2002:binary".equals(content.tag())) {
      bytes = Validator.base64(content.value().getBytes(StandardCharsets.ISO_8859_1));
      if (bytes == null) {
        throw new IllegalArgumentException(at(source, content) + "!!binary value contains invalid base64 data");
      }
    } else {
      bytes = content == null ? new byte[0] : content.value().getBytes(StandardCharsets.UTF_8);
    }
    YamlNode.Scalar encoding = scalar(m, "encoding");
    if (encoding != null && !encoding.value().isEmpty()) {
      bytes = decode(bytes, encoding.value(), at(source, content != null ? content : encoding));
    }
    YamlNode.Scalar perms = scalar(m, "permissions");
    int mode = 0644;
    if (perms != null && !perms.value().isEmpty()) {
      if (!perms.value().matches("0?[0-7]{3,4}")) {
        throw new IllegalArgumentException(at(source, perms) + "permissions '" + perms.value()
            + "' (expected 3 or 4 octal digits, like 0644)");
      }
      mode = Integer.parseInt(perms.value(), 8);
    }
    YamlNode.Scalar ownerNode = scalar(m, "owner");
    String owner = ownerNode == null || ownerNode.value().isEmpty() ? null : ownerNode.value();
    String line = "wrote " + path + " (" + octal(mode) + ", " + bytes.length + " bytes"
        + (owner == null ? "" : ", owner " + owner) + ")";
    return new Write(path, bytes, mode, owner, 0755, false, line);
  }

  /** {@code mode} as four octal digits, like 0644. */
  public static String octal(int mode) {
    return String.format("%04o", mode);
  }

  /**
   * {@code path} with repeated slashes and {@code .} segments removed; it must be absolute, have
   * no {@code ..} and name a file below the root.
   */
  static String path(String path, String where) {
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(where + "path '" + path + "' is not absolute (expected like /etc/motd)");
    }
    StringBuilder b = new StringBuilder();
    for (String seg : path.split("/")) {
      if (seg.isEmpty() || seg.equals(".")) {
        continue;
      }
      if (seg.equals("..")) {
        throw new IllegalArgumentException(where + "path '" + path + "' has a '..'; only paths inside the root are written");
      }
      if (seg.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(where + "path '" + path + "' has a NUL character");
      }
      b.append('/').append(seg);
    }
    if (b.length() == 0) {
      throw new IllegalArgumentException(where + "path '" + path + "' names the root, not a file");
    }
    return b.toString();
  }

  /** {@code bytes} decoded as coreos-cloudinit does for {@code encoding}. */
  static byte[] decode(byte[] bytes, String encoding, String where) {
    String problem = Validator.decode(bytes, encoding);
    if (problem != null) {
      throw new IllegalArgumentException(where + "content cannot be decoded as \"" + encoding + "\": " + problem);
    }
    if (encoding.matches("(gz\\+|gzip\\+)?(base64|b64)")) {
      bytes = Validator.base64(bytes);
    }
    if (encoding.matches("(gz|gzip)(\\+(base64|b64))?")) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) > 0) {
          out.write(buf, 0, n);
          if (out.size() > MAX_DECODED) {
            throw new IllegalArgumentException(where + "content decodes to more than " + MAX_DECODED + " bytes");
          }
        }
        bytes = out.toByteArray();
      } catch (IOException e) {
        throw new IllegalArgumentException(where + "content is not valid gzip (" + e.getMessage() + ")", e);
      }
    }
    return bytes;
  }

  /**
   * The ids {@code owner} ({@code user} or {@code user:group}) names: numbers as they are, names
   * from {@code passwd} and {@code group} (the machine's /etc/passwd and /etc/group, null when
   * missing); {@code root} is 0 without them. A {@code user} alone leaves the group unchanged.
   * Throws IllegalArgumentException naming an unknown user or group.
   */
  public static Ids owner(String owner, String passwd, String group) {
    int colon = owner.indexOf(':');
    String user = colon < 0 ? owner : owner.substring(0, colon);
    String grp = colon < 0 ? "" : owner.substring(colon + 1);
    int uid = user.isEmpty() ? -1 : id(user, passwd, "user", "/etc/passwd", owner);
    int gid = grp.isEmpty() ? -1 : id(grp, group, "group", "/etc/group", owner);
    return new Ids(uid, gid);
  }

  private static int id(String name, String table, String what, String file, String owner) {
    if (name.matches("[0-9]{1,9}")) {
      return Integer.parseInt(name);
    }
    if (table != null) {
      for (String line : table.split("\n")) {
        String[] f = line.split(":", -1);
        if (f.length >= 3 && f[0].equals(name) && f[2].matches("[0-9]{1,9}")) {
          return Integer.parseInt(f[2]);
        }
      }
    }
    if (name.equals("root")) {
      return 0;
    }
    throw new IllegalArgumentException("owner '" + owner + "': no " + what + " '" + name + "' in "
        + (table == null ? file + " (there is none)" : file));
  }

  private static String at(String source, YamlNode n) {
    return source + ":" + n.line() + ":" + n.column() + ": ";
  }

  private static YamlNode value(YamlNode.Mapping m, String key) {
    YamlNode found = null;
    for (YamlNode.Entry e : m.entries()) {
      if (e.key().value().replace('-', '_').equals(key)) {
        found = e.value();
      }
    }
    return found;
  }

  private static YamlNode.Scalar scalar(YamlNode.Mapping m, String key) {
    return value(m, key) instanceof YamlNode.Scalar s && Yaml11.type(s) != Yaml11.Type.NULL ? s : null;
  }
}
