package dev.cairn.omaha.admin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code admin ...} through picocli in-process, capturing stdout, stderr and the exit code,
 * with errors mapped as {@code cairn} maps them: one line prefixed by the command, exit 2 for bad
 * input, 1 for every other failure.
 */
final class Admin {
  record Result(int code, String out, String err) {
    Result ok() {
      if (code != 0) {
        throw new AssertionError("exit " + code + "\nout: " + out + "\nerr: " + err);
      }
      return this;
    }
  }

  private Admin() {}

  static Result run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = new CommandLine(new AdminCommand(env));
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((e, c, parsed) -> {
      c.getErr().println(c.getCommandSpec().qualifiedName() + ": " + e.getMessage());
      return e instanceof IllegalArgumentException ? 2 : 1;
    });
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }
}
