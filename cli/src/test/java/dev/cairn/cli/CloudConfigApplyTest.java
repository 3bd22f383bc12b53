package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnProcessWithInput;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn cloud-config apply} against real directory trees as the machine's root: what it
 * prints, the files, modes and owners it leaves, and that refused input leaves the tree exactly as
 * it was. Gzip content is made with java.util.zip, and once with the real {@code gzip} binary.
 */
class CloudConfigApplyTest {
  @TempDir Path dir;

  private static final String PASSWD = "root:x:0:0:root:/root:/bin/sh\ncore:x:500:500:CoreOS Admin:/home/core:/bin/sh\n";
  private static final String GROUP = "root:x:0:\ncore:x:500:\nwheel:x:10:core\n";

  private Path root() throws IOException {
    Path root = Files.createDirectories(dir.resolve("root"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("etc/passwd"), PASSWD);
    Files.writeString(root.resolve("etc/group"), GROUP);
    return root;
  }

  private Path config(String text) throws IOException {
    Path p = dir.resolve("config.yaml");
    Files.writeString(p, text);
    return p;
  }

  private Result apply(Path root, Path config) {
    return cairn("cloud-config", "apply", "--root", root.toString(), config.toString());
  }

  /** Every path under {@code root} with its type, mode, owner and content: to prove nothing changed. */
  private static Map<String, String> tree(Path root) throws IOException {
    Map<String, String> t = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.toList()) {
        String what;
        if (Files.isSymbolicLink(p)) {
          what = "-> " + Files.readSymbolicLink(p);
        } else {
          what = PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS))
              + " " + Files.getAttribute(p, "unix:uid") + ":" + Files.getAttribute(p, "unix:gid")
              + (Files.isRegularFile(p) ? " " + CliHarness.sha256(p) : " dir");
        }
        t.put(root.relativize(p).toString(), what);
      }
    }
    return t;
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(out)) {
      g.write(data);
    }
    return out.toByteArray();
  }

  private static String b64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }

  static final String NODE = """
      #cloud-config
      hostname: node-1
      write_files:
        - path: /etc/motd
          content: |
            Hello Cairn
      coreos:
        update:
          group: stable
          server: http://192.168.122.1:8080/v1/update/
      ssh_authorized_keys:
        - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc1 core@laptop
      """;

  @Test
  void hostnameWriteFilesUpdateAndKeys_printOneLineEach_inOrder() throws IOException {
    Path root = root();
    Result r = apply(root, config(NODE)).ok();
    assertEquals("""
        hostname: node-1 (etc/hostname)
        wrote /etc/motd (0644, 12 bytes)
        update.conf: GROUP=stable SERVER=http://192.168.122.1:8080/v1/update/ (etc/coreos/update.conf)
        ssh_authorized_keys: 1 key (home/core/.ssh/authorized_keys)
        """, r.out());
    assertEquals("node-1\n", Files.readString(root.resolve("etc/hostname")));
    assertEquals("Hello Cairn\n", Files.readString(root.resolve("etc/motd")));
    assertEquals("rw-r--r--", mode(root.resolve("etc/motd")));
    assertEquals("GROUP=stable\nSERVER=http://192.168.122.1:8080/v1/update/\n",
        Files.readString(root.resolve("etc/coreos/update.conf")));
    Path keys = root.resolve("home/core/.ssh/authorized_keys");
    assertEquals("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGc1 core@laptop\n", Files.readString(keys));
    assertEquals("rw-------", mode(keys));
    assertEquals("rwx------", mode(keys.getParent()));
    assertEquals(500, Files.getAttribute(keys, "unix:uid"));
    assertEquals(500, Files.getAttribute(keys.getParent(), "unix:gid"));
    assertEquals("rwxr-xr-x", mode(root.resolve("home/core")));
  }

  @Test
  void locksmithsEtcdPassword_makesUpdateConfOwnerOnly_andIsNotEchoed() throws IOException {
    Path root = root();
    Result r = apply(root, config("""
        #cloud-config
        coreos:
          update:
            reboot-strategy: etcd-lock
          locksmith:
            endpoint: https://10.0.0.1:2379
            etcd_username: locksmith
            etcd_password: s3cret-pw
        """)).ok();
    assertEquals("update.conf: LOCKSMITHD_ENDPOINT=https://10.0.0.1:2379 LOCKSMITHD_ETCD_PASSWORD=(hidden) "
        + "LOCKSMITHD_ETCD_USERNAME=locksmith REBOOT_STRATEGY=etcd-lock (etc/coreos/update.conf)\n", r.out());
    Path conf = root.resolve("etc/coreos/update.conf");
    assertTrue(Files.readString(conf).contains("LOCKSMITHD_ETCD_PASSWORD=s3cret-pw\n"));
    assertEquals("rw-------", mode(conf));
  }

  @Test
  void appliedTwice_leavesTheSameTree() throws IOException {
    Path root = root();
    Path c = config(NODE);
    apply(root, c).ok();
    Map<String, String> once = tree(root);
    Result again = apply(root, c).ok();
    assertEquals(once, tree(root));
    assertEquals(4, again.out().lines().count());
  }

  @Test
  void everyEncoding_isDecoded() throws IOException {
    byte[] data = "line one\nline two \u00e9\n".getBytes(StandardCharsets.UTF_8);
    String gzB64 = b64(gzip(data));
    StringBuilder c = new StringBuilder("#cloud-config\nwrite_files:\n");
    List<String> encodings = List.of("", "b64", "base64", "gz+b64", "gzip+base64", "gz+base64", "gzip+b64");
    for (int i = 0; i < encodings.size(); i++) {
      String e = encodings.get(i);
      String content = e.isEmpty() ? "\"line one\\nline two \u00e9\\n\"" : e.startsWith("gz") ? gzB64 : b64(data);
      c.append("  - path: /enc/").append(i).append('\n')
          .append(e.isEmpty() ? "" : "    encoding: " + e + "\n")
          .append("    content: ").append(content).append('\n');
    }
    // raw gzip bytes through YAML's !!binary, with encoding gz and gzip
    c.append("  - path: /enc/gz\n    encoding: gz\n    content: !!binary ").append(gzB64).append('\n');
    c.append("  - path: /enc/gzip\n    encoding: gzip\n    content: !!binary ").append(gzB64).append('\n');
    Path root = root();
    apply(root, config(c.toString())).ok();
    for (int i = 0; i < encodings.size(); i++) {
      assertArrayEquals(data, Files.readAllBytes(root.resolve("enc/" + i)), "encoding '" + encodings.get(i) + "'");
    }
    assertArrayEquals(data, Files.readAllBytes(root.resolve("enc/gz")));
    assertArrayEquals(data, Files.readAllBytes(root.resolve("enc/gzip")));
  }

  @Test
  void gzipBinaryOutput_isDecodedTheSame() throws Exception {
    Path plain = dir.resolve("plain.txt");
    Files.writeString(plain, "made by gzip(1)\n".repeat(50));
    Process p = new ProcessBuilder("gzip", "-9", "-c", plain.toString()).redirectErrorStream(false).start();
    byte[] gz = p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    Path root = root();
    Result r = apply(root, config("#cloud-config\nwrite_files:\n  - path: /etc/big\n    encoding: gzip+base64\n"
        + "    content: " + b64(gz) + "\n")).ok();
    assertEquals("wrote /etc/big (0644, 800 bytes)\n", r.out());
    assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(root.resolve("etc/big")));
  }

  @Test
  void permissionsAndNumericOwner_areSet() throws IOException {
    Path root = root();
    Result r = apply(root, config("""
        #cloud-config
        write_files:
          - path: /etc/secret
            permissions: '0600'
            owner: "1234:4321"
            content: s
          - path: /opt/bin/tool
            permissions: "0755"
            content: "#!/bin/sh\\n"
          - path: /etc/user-only
            owner: 77
        """)).ok();
    assertEquals("""
        wrote /etc/secret (0600, 1 bytes, owner 1234:4321)
        wrote /opt/bin/tool (0755, 10 bytes)
        wrote /etc/user-only (0644, 0 bytes, owner 77)
        """, r.out());
    assertEquals("rw-------", mode(root.resolve("etc/secret")));
    assertEquals(1234, Files.getAttribute(root.resolve("etc/secret"), "unix:uid"));
    assertEquals(4321, Files.getAttribute(root.resolve("etc/secret"), "unix:gid"));
    assertEquals("rwxr-xr-x", mode(root.resolve("opt/bin/tool")));
    assertEquals("rwxr-xr-x", mode(root.resolve("opt/bin")));
    assertEquals(77, Files.getAttribute(root.resolve("etc/user-only"), "unix:uid"));
    assertEquals(0, Files.getAttribute(root.resolve("etc/user-only"), "unix:gid"));
  }

  @Test
  void ownerByName_isLookedUpInTheRootsPasswdAndGroup() throws IOException {
    Path root = root();
    apply(root, config("""
        #cloud-config
        write_files:
          - path: /home/core/notes
            owner: core:wheel
            content: n
        """)).ok();
    assertEquals(500, Files.getAttribute(root.resolve("home/core/notes"), "unix:uid"));
    assertEquals(10, Files.getAttribute(root.resolve("home/core/notes"), "unix:gid"));
  }

  @Test
  void unknownOwner_exit2_namesIt_nothingWritten() throws IOException {
    Path root = root();
    Map<String, String> before = tree(root);
    Result r = apply(root, config("""
        #cloud-config
        hostname: node-1
        write_files:
          - path: /etc/a
            content: a
          - path: /etc/b
            owner: nobody-here
        """));
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().contains("no user 'nobody-here'"), r.err());
    assertEquals("", r.out());
    assertEquals(before, tree(root));
  }

  @Test
  void dotDotInPath_exit2_nothingWritten() throws IOException {
    Path root = root();
    Map<String, String> before = tree(root);
    Result r = apply(root, config("#cloud-config\nhostname: x\nwrite_files:\n  - path: /etc/../../escape\n    content: e\n"));
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().contains("'/etc/../../escape' has a '..'"), r.err());
    assertEquals(before, tree(root));
    assertTrue(Files.notExists(dir.resolve("escape")));
  }

  @Test
  void symlinkOutOfTheRoot_exit2_namesIt_nothingWritten() throws IOException {
    Path root = root();
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.createSymbolicLink(root.resolve("srv"), outside);
    Files.createSymbolicLink(root.resolve("data"), Path.of("etc"));   // inside: followed
    Map<String, String> before = tree(root);
    Result r = apply(root, config("""
        #cloud-config
        hostname: node-1
        write_files:
          - path: /data/inside
            content: ok
          - path: /srv/www/index.html
            content: escaped
        """));
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().contains("/srv/www/index.html: " + root.resolve("srv") + " is a symlink to " + outside
        + ", outside " + root), r.err());
    assertEquals(before, tree(root));
    try (Stream<Path> s = Files.list(outside)) {
      assertEquals(0, s.count());
    }
    // the symlink inside the root is followed
    apply(root, config("#cloud-config\nwrite_files:\n  - path: /data/inside\n    content: ok\n")).ok();
    assertEquals("ok", Files.readString(root.resolve("etc/inside")));
  }

  @Test
  void invalidConfig_exit2_validatorLines_nothingWritten() throws IOException {
    Path root = root();
    Map<String, String> before = tree(root);
    Path c = config("#cloud-config\nhostname: node-1\nwrite_files:\n  - path: /etc/x\n    permissions: '0999'\n");
    Result r = apply(root, c);
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.err().startsWith(c + ":5:18: error: invalid value 0999 (expected 3 or 4 octal digits, like 0644)\n"), r.err());
    assertEquals(before, tree(root));
  }

  @Test
  void scriptOrIgnition_exit2_namesIt_nothingWritten() throws IOException {
    Path root = root();
    Map<String, String> before = tree(root);
    Path script = config("#!/bin/sh\necho hi > /etc/motd\n");
    Result r = apply(root, script);
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertEquals("cairn cloud-config apply: " + script + ": is a #! script, not a #cloud-config; nothing to apply",
        r.errLines().get(0));
    Path ign = config("{\"ignition\": {\"version\": \"2.2.0\"}}\n");
    r = apply(root, ign);
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertTrue(r.errLines().get(0).contains(ign + ": is an Ignition config"), r.err());
    assertEquals(before, tree(root));
  }

  @Test
  void standardInput_isRead() throws IOException {
    Path root = root();
    Result r = cairnProcessWithInput("#cloud-config\nhostname: from-stdin\n".getBytes(StandardCharsets.UTF_8),
        "cloud-config", "apply", "--root", root.toString(), "-");
    assertEquals(0, r.code(), r.describe("exit 0"));
    assertEquals("hostname: from-stdin (etc/hostname)\n", r.out());
    assertEquals("from-stdin\n", Files.readString(root.resolve("etc/hostname")));
  }
}
