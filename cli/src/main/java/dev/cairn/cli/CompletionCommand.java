package dev.cairn.cli;

import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cairn completion}: the bash completion script of the whole command tree. */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print a bash completion script for cairn (it works in zsh with bashcompinit too).",
        "Install it with: cairn completion > /etc/bash_completion.d/cairn"})
final class CompletionCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().print(AutoComplete.bash("cairn", Cairn.fullTree()));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
