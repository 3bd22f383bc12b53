package dev.cairn.pxe;

import java.util.List;

/**
 * How to boot: a kernel, its initrds and its command line, and the cloud-config template the
 * machine is given. {@code kernel} and each initrd are a path under the assets folder (served at
 * {@code /assets/}) or an http(s) URL; {@code args} go to the kernel as written, so iPXE expands its
 * own {@code ${mac:hexhyp}} and {@code ${uuid}} at boot. {@code cloudConfig} is a template name,
 * or null. {@code installOnce} ({@code install_once: true}): the machine installs once, says so at
 * {@code /installed}, and is sent to its local disk on its later network boots ({@link Installs}).
 */
public record Profile(String id, String name, String kernel, List<String> initrd, List<String> args,
    String cloudConfig, boolean installOnce, Source source) {
  public Profile {
    initrd = List.copyOf(initrd);
    args = List.copyOf(args);
  }

  /** A profile that installs on every network boot. */
  public Profile(String id, String name, String kernel, List<String> initrd, List<String> args, String cloudConfig,
      Source source) {
    this(id, name, kernel, initrd, args, cloudConfig, false, source);
  }
}
