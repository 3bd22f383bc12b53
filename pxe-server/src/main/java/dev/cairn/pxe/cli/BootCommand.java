package dev.cairn.pxe.cli;

import picocli.CommandLine.Command;

/** {@code cairn boot}: the boot server's offline commands. */
@Command(name = "boot", mixinStandardHelpOptions = true, subcommands = BootCheckCommand.class,
    description = "The boot server's data: profiles, groups, templates and assets under DATA_DIR/boot/.")
public final class BootCommand {
}
