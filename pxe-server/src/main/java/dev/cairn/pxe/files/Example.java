package dev.cairn.pxe.files;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The boot data a first start writes into {@code DATA_DIR/boot/}: one profile, one default group and
 * one template, each opening with what it is for, and an empty assets folder. It loads without a
 * finding, so a fresh server serves it at once; the operator edits it from there.
 */
final class Example {
  private Example() {}

  static final String PROFILE = """
      # A profile says how to boot: a kernel, its initrds, the kernel's arguments, and the
      # cloud-config template the machine gets (templates/NAME.yaml). Kernels and initrds are
      # paths under boot/assets/ (served at /assets/; flatcar/flatcar_production_pxe.vmlinuz, say)
      # or http(s) URLs, like these of Flatcar's release server.
      #
      # Arguments reach the kernel as written: iPXE fills in ${mac:hexhyp}, ${uuid} and its other
      # settings as the machine boots. Put this server's public URL in cloud-config-url.
      # Check a change with: cairn boot check (the server reloads it within two seconds).
      id: example
      name: Flatcar Container Linux (stable) from the release server
      boot:
        kernel: https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_pxe.vmlinuz
        initrd:
          - https://stable.release.flatcar-linux.net/amd64-usr/current/flatcar_production_pxe_image.cpio.gz
        args:
          - initrd=flatcar_production_pxe_image.cpio.gz
          - flatcar.first_boot=1
          - console=tty0
          - console=ttyS0
          - cloud-config-url=http://cairn.example.com:8080/cloud-config?mac=${mac:hexhyp}
      cloud_config: example
      """;

  static final String GROUP = """
      # A group is the machines that boot alike: those whose labels match all of its selector
      # (mac, uuid, hostname, serial, arch, or any label the machine sends) boot its profile, and
      # its metadata fills in their template. The group with the most matching selectors wins; a
      # group without a selector, like this one, takes every machine no other group selects.
      # A group for one machine:
      #   selector:
      #     mac: 52:54:00:12:34:56
      # update puts the group's machines into an update group of this server (coreos.update.group,
      # and server: PUBLIC_URL/v1/update/ unless given), unless their template says otherwise.
      # Check a change with: cairn boot check (the server reloads it within two seconds).
      id: default
      name: Every machine no other group selects
      profile: example
      metadata:
        ssh_authorized_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExampleKeyReplaceMeWithYourOwnKey0000000 you@example.com
      update:
        group: stable
      """;

  static final String TEMPLATE = """
      #cloud-config
      # A cloud-config template, rendered for each machine and validated before it is sent.
      # In values, ${name} is the group's metadata (nested keys as ${a.b}), the machine's labels
      # (mac, uuid, hostname, serial, arch) or server, this server's public URL; each value goes
      # in as one YAML value, quoted when it has to be. Comments are left as they are. The
      # group's update settings are added unless coreos.update sets group and server here.
      # Check a change with: cairn boot check (the server reloads it within two seconds).
      ssh_authorized_keys:
        - ${ssh_authorized_key}
      write_files:
        - path: /etc/cairn/machine.env
          permissions: "0644"
          content: |
            MAC=${mac}
            BOOT_SERVER=${server}
      """;

  /**
   * Writes the example as {@code boot} (which does not exist yet), 0700 folders and 0600 files: into
   * a folder beside it first, renamed into place when complete, so a start that is cut short never
   * leaves half an example that the next start would take for the operator's.
   */
  static void write(Path boot) throws IOException {
    Path tmp = Files.createTempDirectory(boot.getParent(), ".boot-",
        PosixFilePermissions.asFileAttribute(OwnerOnly.DIRECTORY));
    try {
      for (String d : new String[] {"profiles", "groups", "templates", "assets"}) {
        OwnerOnly.directories(tmp.resolve(d));
      }
      OwnerOnly.write(tmp.resolve("profiles/example.yaml"), PROFILE);
      OwnerOnly.write(tmp.resolve("groups/default.yaml"), GROUP);
      OwnerOnly.write(tmp.resolve("templates/example.yaml"), TEMPLATE);
      Files.move(tmp, boot, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      try (var files = Files.walk(tmp)) {
        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
  }
}
