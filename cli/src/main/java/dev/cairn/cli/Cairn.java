package dev.cairn.cli;

import dev.cairn.cloudconfig.cli.CloudConfigCommand;
import dev.cairn.gpt.cli.GptCommand;
import dev.cairn.omaha.admin.AdminCommand;
import dev.cairn.omaha.cli.DbCommand;
import dev.cairn.pxe.cli.BootCommand;
import dev.cairn.signing.cli.KeyCommand;
import dev.cairn.signing.cli.SignCommand;
import dev.cairn.signing.cli.VerifyCommand;
import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import dev.cairn.install.agent.cli.AgentCommand;
import dev.cairn.install.agent.cli.LocksCommand;
import dev.cairn.install.cli.InstallCommand;
import dev.cairn.install.compress.Decompress;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/** The {@code cairn} command: wires every module's commands together. No logic lives here. */
@Command(
    name = "cairn",
    mixinStandardHelpOptions = true,
    description = "Bare-metal provisioning and OS updates: network boot, install, signed A/B updates.")
public final class Cairn {

  /**
   * Top-level commands by name. Only the one being run is built, which keeps start-up short. They
   * are lambdas, not constructor references: a reference links its class when this one
   * initializes, and the server's commands need the server's jars, which the trimmed runtime of
   * the machine-side commands does not carry.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("serve", () -> new ServeCommand());
    COMMANDS.put("admin", () -> new AdminCommand());
    COMMANDS.put("db", () -> new DbCommand());
    COMMANDS.put("boot", () -> new BootCommand());
    COMMANDS.put("gpt", () -> new GptCommand());
    COMMANDS.put("key", () -> new KeyCommand());
    COMMANDS.put("sign", () -> new SignCommand());
    COMMANDS.put("verify", () -> new VerifyCommand());
    COMMANDS.put("cloud-config", () -> new CloudConfigCommand());
    COMMANDS.put("install", () -> new InstallCommand(new OpenPgpReleaseKeys(), Decompress::open));
    COMMANDS.put("agent", () -> new AgentCommand(new OpenPgpReleaseKeys()));
    COMMANDS.put("locks", () -> new LocksCommand());
    COMMANDS.put("completion", () -> new CompletionCommand());
    COMMANDS.put("man", () -> new ManCommand());
  }

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code = run(args, out, err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs one command line; returns the exit code (0 ok, 1 failure, 2 bad usage or input). */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = new CommandLine(new Cairn());
    Supplier<Object> only = args.length > 0 ? COMMANDS.get(args[0]) : null;
    if (only != null) {
      cl.addSubcommand(only.get());
    } else {
      COMMANDS.values().forEach(c -> cl.addSubcommand(c.get()));
      cl.addSubcommand(new CommandLine.HelpCommand());
    }
    cl.setOut(out);
    cl.setErr(err);
    withVersion(cl);
    cl.setParameterExceptionHandler(ExitCodes::onUsageError);
    cl.setExecutionExceptionHandler(ExitCodes::onFailure);
    return cl.execute(args);
  }

  /** The whole command tree, for shell completion and man pages. */
  static CommandLine fullTree() {
    CommandLine cl = new CommandLine(new Cairn());
    COMMANDS.values().forEach(c -> cl.addSubcommand(c.get()));
    cl.addSubcommand(new CommandLine.HelpCommand());
    withVersion(cl);
    return cl;
  }

  /** Every command's -V prints Cairn's version. */
  private static void withVersion(CommandLine cl) {
    cl.getCommandSpec().versionProvider(new Version());
    cl.getSubcommands().values().forEach(Cairn::withVersion);
  }

  /** Reads the version Maven wrote into the jar. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      Properties p = new Properties();
      try (InputStream in = Cairn.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new String[] {"cairn " + p.getProperty("version", "unknown")};
    }
  }
}
