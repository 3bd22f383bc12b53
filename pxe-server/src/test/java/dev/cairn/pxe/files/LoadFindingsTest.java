package dev.cairn.pxe.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cairn.pxe.BootCheck;
import dev.cairn.pxe.Finding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every check made when the boot data is loaded, each on real files beside a set that is clean
 * otherwise: the findings, file, line and reason, exactly.
 */
class LoadFindingsTest {
  @TempDir Path dataDir;
  Path boot;

  @BeforeEach
  void cleanSet() throws IOException {
    boot = dataDir.resolve("boot");
    write("assets/vmlinuz", "k");
    write("assets/initrd.img", "i");
    write("profiles/base.yaml", """
        id: base
        boot:
          kernel: vmlinuz
          initrd: [initrd.img]
          args: [console=ttyS0]
        cloud_config: base
        """);
    write("groups/default.yaml", """
        id: default
        profile: base
        metadata:
          role: worker
        """);
    write("templates/base.yaml", "#cloud-config\nhostname: ${hostname}\n");
  }

  private void write(String file, String text) throws IOException {
    Path p = boot.resolve(file);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
  }

  private List<String> findings() throws IOException {
    BootCheck.Checked c = BootFiles.check(dataDir);
    return c.findings().stream().map(Finding::toString).toList();
  }

  @Test
  void theCleanSet_hasNoFindings() throws IOException {
    assertEquals(List.of(), findings());
  }

  @Test
  void profileNamingAMissingTemplate() throws IOException {
    write("profiles/p.yaml", "id: p\nboot:\n  kernel: vmlinuz\ncloud_config: nope\n");
    assertEquals(List.of("boot/profiles/p.yaml:4: cloud_config names template nope, which does not exist"
        + " (expected templates/nope.yaml)"), findings());
  }

  @Test
  void installOnceThatIsNotABoolean_isAFindingWithItsLine_andTrueLoadsClean() throws IOException {
    write("profiles/p.yaml", "id: p\nboot:\n  kernel: vmlinuz\ninstall_once: yes-please\n");
    write("profiles/q.yaml", "id: q\ninstall_once:\n  - true\nboot:\n  kernel: vmlinuz\n");
    write("profiles/r.yaml", "id: r\ninstall_once: \"true\"\nboot:\n  kernel: vmlinuz\n");
    write("profiles/ok.yaml", "id: ok\ninstall_once: true\nboot:\n  kernel: vmlinuz\n");
    assertEquals(List.of(
        "boot/profiles/p.yaml:4: install_once: expected true or false, got \"yes-please\"",
        "boot/profiles/q.yaml:2: install_once: expected true or false, not a list or a mapping",
        "boot/profiles/r.yaml:2: install_once: expected true or false, got \"true\""), findings());
  }

  @Test
  void installOnceProfileThatSetsCairnInstalledItself_isAFinding() throws IOException {
    write("profiles/p.yaml", "id: p\ninstall_once: true\nboot:\n  kernel: vmlinuz\n  args:\n"
        + "    - cairn.installed=http://elsewhere/\n");
    assertEquals(List.of("boot/profiles/p.yaml:5: the profile is install_once, and the server appends"
        + " cairn.installed= itself; remove it from boot.args"), findings());
  }

  @Test
  void profileNamingMissingAssets_butUrlsAreNotChecked() throws IOException {
    write("profiles/p.yaml", """
        id: p
        boot:
          kernel: flatcar/vmlinuz
          initrd:
            - initrd.img
            - http://unreachable.invalid/initrd
            - missing.img
        """);
    write("profiles/u.yaml", "id: u\nboot:\n  kernel: https://unreachable.invalid/vmlinuz\n");
    assertEquals(List.of(
        "boot/profiles/p.yaml:3: kernel flatcar/vmlinuz is not a file in boot/assets/",
        "boot/profiles/p.yaml:4: initrd missing.img is not a file in boot/assets/"), findings());
  }

  @Test
  void assetPathsThatLeaveTheFolder_orAreNotFiles() throws IOException {
    Files.createDirectories(boot.resolve("assets/dir"));
    Files.createSymbolicLink(boot.resolve("assets/out"), Path.of("../groups/default.yaml"));
    write("profiles/p.yaml", "id: p\nboot:\n  kernel: ../groups/default.yaml\n  initrd: [/etc/passwd, dir, out]\n");
    assertEquals(List.of(
        "boot/profiles/p.yaml:3: kernel: asset path \"../groups/default.yaml\" has an empty, . or .. segment",
        "boot/profiles/p.yaml:4: initrd dir is not a file in boot/assets/",
        "boot/profiles/p.yaml:4: initrd out is not a file in boot/assets/",
        "boot/profiles/p.yaml:4: initrd: asset path \"/etc/passwd\" starts with /; write it relative to the assets folder"),
        findings());
  }

  @Test
  void profileWithoutKernel_andArgumentsWithBlanks() throws IOException {
    write("profiles/p.yaml", "id: p\nboot:\n  args: [\"a b\", \"c\\nd\"]\n");
    write("profiles/q.yaml", "id: q\nname: no boot at all\n");
    assertEquals(List.of(
        "boot/profiles/p.yaml:2: boot.kernel is missing",
        "boot/profiles/p.yaml:3: argument \"a%20b\" is empty or has a blank or a control character; write one argument"
            + " per list item",
        "boot/profiles/p.yaml:3: argument \"c%0Ad\" is empty or has a blank or a control character; write one argument"
            + " per list item",
        "boot/profiles/q.yaml:1: boot.kernel is missing"), findings());
  }

  @Test
  void groupNamingAMissingProfile() throws IOException {
    write("groups/g.yaml", "id: g\nselector:\n  mac: 52:54:00:00:00:01\nprofile: nope\n");
    assertEquals(List.of("boot/groups/g.yaml:4: profile nope does not exist"), findings());
  }

  @Test
  void twoDefaultGroups() throws IOException {
    write("groups/other.yaml", "id: other\nprofile: base\nmetadata:\n  role: x\n");
    assertEquals(List.of("boot/groups/other.yaml:1: a second default group (no selector): default in"
        + " boot/groups/default.yaml:1 is the default"), findings());
  }

  @Test
  void twoGroupsWithTheSameSelectorSet_howeverTheMacIsWritten() throws IOException {
    write("groups/a.yaml", "id: a\nselector:\n  mac: 52:54:00:AB:CD:EF\n  arch: x86_64\n");
    write("groups/b.yaml", "id: b\nselector:\n  arch: x86_64\n  mac: 525400abcdef\n");
    write("groups/c.yaml", "id: c\nselector:\n  mac: 52:54:00:ab:cd:ef\n");
    assertEquals(List.of("boot/groups/b.yaml:2: the same selector as group a in boot/groups/a.yaml:2"
        + " (arch=x86_64 mac=52:54:00:ab:cd:ef); a machine could not tell them apart"), findings());
  }

  @Test
  void duplicateIds() throws IOException {
    write("profiles/again.yaml", "# the same id again\nid: base\nboot:\n  kernel: vmlinuz\n");
    write("groups/again.yaml", "id: default\nselector:\n  serial: S1\n");
    assertEquals(List.of(
        "boot/groups/default.yaml:1: group id default is taken by boot/groups/again.yaml:1",
        "boot/profiles/base.yaml:1: profile id base is taken by boot/profiles/again.yaml:2"), findings());
  }

  @Test
  void unknownAndDuplicateKeys_andValuesOfTheWrongKind() throws IOException {
    write("profiles/p.yaml", """
        id: p
        boot:
          kernel: vmlinuz
          kernal: vmlinuz
          args: console=ttyS0
        cloudconfig: base
        """);
    write("groups/g.yaml", """
        id: g
        id: g2
        selector:
          serial: S2
        update:
          group: beta
          channel: stable
        metadata:
          list: [1, 2]
          bad-key: 1
        """);
    assertEquals(List.of(
        "boot/groups/g.yaml:2: duplicate key id (also on line 1)",
        "boot/groups/g.yaml:7: unknown key channel in update (expected group, server)",
        "boot/groups/g.yaml:9: metadata.list: a list; metadata values are single values or mappings",
        "boot/groups/g.yaml:10: metadata key bad-key: expected letters, digits and _, starting with a letter or _"
            + " (templates use it as ${bad-key})",
        "boot/profiles/p.yaml:4: unknown key kernal in boot (expected kernel, initrd, args)",
        "boot/profiles/p.yaml:5: boot.args: expected a list",
        "boot/profiles/p.yaml:6: unknown key cloudconfig (expected id, name, boot, cloud_config, install_once)"), findings());
  }

  @Test
  void yamlSyntax_andNotAMapping_andBadIds() throws IOException {
    write("groups/syntax.yaml", "id: s\nselector:\n  mac: [52:54:00:00:00:01\n");
    write("groups/list.yaml", "- id: l\n");
    write("groups/empty.yaml", "# nothing\n");
    write("profiles/bad-id.yaml", "id: ../x\nboot:\n  kernel: vmlinuz\n");
    write("profiles/no-id.yaml", "boot:\n  kernel: vmlinuz\n");
    assertEquals(List.of(
        "boot/groups/empty.yaml: empty: expected a mapping",
        "boot/groups/list.yaml:1: expected a mapping of keys",
        "boot/groups/syntax.yaml:3: YAML syntax: expected ',' or ']', but got <stream end>",
        "boot/profiles/bad-id.yaml:1: id \"../x\": expected letters, digits, . _ and -, starting with a letter or digit"
            + " (at most 64)",
        "boot/profiles/no-id.yaml:1: the profile has no id"), findings());
  }

  @Test
  void badSelectors() throws IOException {
    write("groups/mac.yaml", "id: mac\nselector:\n  mac: 52:54:00:zz:00:01\n");
    write("groups/name.yaml", "id: name\nselector:\n  Rack: r1\n");
    write("groups/empty.yaml", "id: empty\nselector:\n  rack:\n");
    assertEquals(List.of(
        "boot/groups/empty.yaml:2: selector rack: an empty value matches nothing (machines that send an empty label"
            + " are taken as not sending it)",
        "boot/groups/mac.yaml:2: MAC address \"52:54:00:zz:00:01\": expected six hex octets, like 52:54:00:12:34:56,"
            + " 52-54-00-12-34-56, 5254.0012.3456 or 525400123456",
        "boot/groups/name.yaml:2: selector name \"Rack\": expected lower-case letters, digits and _, starting with a"
            + " letter or _ (at most 64)"), findings());
  }

  @Test
  void templateWithAnUnknownVariable_forEveryGroupThatUsesIt_inOneFinding() throws IOException {
    write("templates/base.yaml", """
        #cloud-config
        # ${not_checked} in a comment is left as written
        hostname: ${hostname}
        coreos:
          etcd2:
            name: ${rol}
            discovery-srv: $domain
        """);
    for (String g : List.of("a", "b", "c", "d")) {
      write("groups/" + g + ".yaml", "id: " + g + "\nprofile: base\nselector:\n  serial: " + g + "\n");
    }
    assertEquals(List.of("boot/templates/base.yaml:6: for groups a, b, c and 2 more: ${rol} is not in the group's"
        + " metadata, and is not a label name or server"), findings());
  }

  @Test
  void templateVariables_canBeMetadata_nestedMetadata_labelsOfAnySelector_andServer() throws IOException {
    write("groups/rack.yaml", "id: rack\nprofile: base\nselector:\n  rack: r1\nmetadata:\n  net:\n    ip: 10.0.0.5\n");
    write("templates/base.yaml", "#cloud-config\nhostname: ${hostname}-${rack}-${mac}-${uuid}-${serial}-${arch}\n"
        + "coreos:\n  etcd2:\n    name: ${role}\n    advertise-client-urls: http://${net.ip}:2379\n"
        + "    discovery-proxy: ${server}\n");
    write("groups/default.yaml", "id: default\nprofile: base\nmetadata:\n  role: worker\n  net:\n    ip: 10.0.0.1\n");
    // the rack group has no role: its findings alone
    assertEquals(List.of("boot/templates/base.yaml:5: for group rack: ${role} is not in the group's metadata, and is not"
        + " a label name or server"), findings());
  }

  @Test
  void templateThatRendersToAConfigTheValidatorRejects_namesTheLineAndTheGroups() throws IOException {
    write("templates/base.yaml", """
        #cloud-config
        coreos:
          update:
            reboot-strategy: ${strategy}
        """);
    write("groups/default.yaml", "id: default\nprofile: base\nmetadata:\n  strategy: sometimes\n");
    write("groups/ok.yaml", "id: ok\nprofile: base\nselector:\n  serial: S\nmetadata:\n  strategy: etcd-lock\n");
    write("groups/warn.yaml", "id: warn\nprofile: base\nselector:\n  serial: W\nmetadata:\n  strategy: reboot\n");
    assertEquals(List.of("boot/templates/base.yaml:4: for group default: invalid value sometimes (expected best-effort,"
        + " etcd-lock, reboot or off)"), findings());
  }

  @Test
  void templateThatIsNotYaml_whetherUsedOrNot() throws IOException {
    write("templates/base.yaml", "#cloud-config\nhostname: \"${hostname}\n");
    write("templates/unused.yaml", "#cloud-config\nk: [1, 2\n");
    assertEquals(List.of(
        "boot/templates/base.yaml:2: for group default: YAML syntax: found unexpected end of stream",
        "boot/templates/unused.yaml:2: YAML syntax: expected ',' or ']', but got <stream end> (while parsing a flow"
            + " sequence) (a template no group uses)"), findings());
  }

  @Test
  void updateSettingsThatCannotGoIntoTheTemplate_orBreakIt() throws IOException {
    write("templates/script.yaml", "#!/bin/sh\necho ${hostname}\n");
    write("templates/flow.yaml", "#cloud-config\ncoreos: {update: {reboot-strategy: off}}\n");
    write("profiles/script.yaml", "id: script\nboot:\n  kernel: vmlinuz\ncloud_config: script\n");
    write("profiles/flow.yaml", "id: flow\nboot:\n  kernel: vmlinuz\ncloud_config: flow\n");
    write("groups/script.yaml", "id: script\nprofile: script\nselector:\n  serial: S\nupdate:\n  group: beta\n");
    write("groups/flow.yaml", "id: flow\nprofile: flow\nselector:\n  serial: F\nupdate:\n  group: beta\n");
    write("groups/newline.yaml", "id: newline\nprofile: base\nselector:\n  serial: N\nupdate:\n  group: \"a\\nb\"\n");
    write("groups/server.yaml", "id: server\nprofile: base\nselector:\n  serial: V\nupdate:\n  server: ftp://x/\n");
    assertEquals(List.of(
        "boot/groups/flow.yaml:5: for group flow: with this group's update settings the cloud-config of template flow"
            + " has an error: cannot add coreos.update: coreos is not a block mapping with keys on lines of their own;"
            + " write group and server into the template",
        "boot/groups/newline.yaml:5: for group newline: with this group's update settings the cloud-config of template"
            + " base has an error: the value has a line break; it becomes one KEY=value line of"
            + " /etc/coreos/update.conf (line 4 of the config with them)",
        "boot/groups/newline.yaml:5: update: a control character in \"a%0Ab\"",
        "boot/groups/script.yaml:5: for group script: with this group's update settings the cloud-config of template"
            + " script has an error: cannot add coreos.update to a #! script; only to a #cloud-config",
        "boot/groups/server.yaml:5: update.server \"ftp://x/\" is not an http(s) URL"), findings());
  }

  @Test
  void metadataThatCollidesInMetadataLines_orTakesServer() throws IOException {
    write("groups/g.yaml", "id: g\nselector:\n  serial: S\nmetadata:\n  a_b: 1\n  a:\n    b: 2\n  server: x\n");
    assertEquals(List.of(
        "boot/groups/g.yaml:4: metadata key server is taken: it is the server's public URL",
        "boot/groups/g.yaml:4: metadata keys a.b and a_b are both A_B in /metadata"), findings());
  }

  @Test
  void unreadableAndNonUtf8Files() throws IOException {
    write("groups/latin1.yaml", "");
    Files.write(boot.resolve("groups/latin1.yaml"), new byte[] {'i', 'd', ':', ' ', (byte) 0xe9, '\n'});
    assertEquals(List.of("boot/groups/latin1.yaml: not UTF-8 text"), findings());
  }

  @Test
  void hiddenFilesAndOtherExtensions_areNotRead_ymlIs() throws IOException {
    write("groups/.draft.yaml", "not: [valid\n");
    write("groups/.git/x.yaml", "not: [valid\n");
    write("groups/README.md", "not: [valid\n");
    write("groups/sub/extra.yml", "id: extra\nprofile: base\nselector:\n  serial: E\nmetadata:\n  role: r\n");
    BootCheck.Checked c = BootFiles.check(dataDir);
    assertEquals(List.of(), c.findings());
    assertEquals("1 profile, 2 groups, 1 template", c.data().summary());
  }

  @Test
  void noBootFolder_isBadInput() {
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> BootFiles.check(dataDir.resolve("elsewhere")));
    assertEquals(dataDir.resolve("elsewhere/boot") + ": no such directory (cairn serve --data-dir "
        + dataDir.resolve("elsewhere") + " creates it, with an example, on first start)", e.getMessage());
  }
}
