package dev.cairn.omaha.cli;

import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import picocli.CommandLine;

/**
 * {@code cairn serve} as a process of its own, for the tests that kill it: the omaha module has no
 * main, and the cli module's would drag every other module in. Wired as the cli module wires it.
 */
public final class ServeMain {
  private ServeMain() {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeCommand(new OpenPgpReleaseKeys())).execute(args));
  }
}
