package dev.cairn.pxe;

import java.util.List;

/**
 * How to boot: a kernel, its initrds and its command line, and the cloud-config template the
 * machine is given. {@code kernel} and each initrd are a path under the assets folder (served at
 * {@code /assets/}) or an http(s) URL; {@code args} go to the kernel as written, so iPXE expands its
 * own {@code ${mac:hexhyp}} and {@code ${uuid}} at boot. {@code cloudConfig} is a template name,
 * or null.
 */
public record Profile(String id, String name, String kernel, List<String> initrd, List<String> args,
    String cloudConfig, Source source) {
  public Profile {
    initrd = List.copyOf(initrd);
    args = List.copyOf(args);
  }
}
