package dev.cairn.omaha.admin;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** {@code cairn admin}: a client of the admin HTTP API of {@code cairn serve}. */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = {"Manage a running Cairn update server through its admin API: release keys, packages, "
        + "channels, groups and their rollout policies, machines and the activity log, and the boot server's "
        + "machine inventory and boot data.",
        "The admin token comes from CAIRN_TOKEN, else from --token-file."},
    subcommands = {KeyCommands.class, PackageCommands.class, ChannelCommands.class, GroupCommands.class,
        InstanceCommands.class, MachineCommands.class, BootCommands.class, RolloutCommand.class, ActivityCommand.class})
public final class AdminCommand {
  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";
  static final String DEFAULT_TOKEN_FILE = "cairn-data/admin.token";

  @Option(names = "--server", paramLabel = "URL", scope = ScopeType.INHERIT,
      description = "Admin API of the server (default: CAIRN_SERVER, else " + DEFAULT_SERVER + ").")
  String server;

  @Option(names = "--token-file", paramLabel = "FILE", scope = ScopeType.INHERIT,
      description = "File holding the admin token (default: " + DEFAULT_TOKEN_FILE + "); CAIRN_TOKEN, when set, wins.")
  Path tokenFile;

  private final Map<String, String> env;

  public AdminCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process environment (CAIRN_SERVER, CAIRN_TOKEN). */
  public AdminCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  /** The client the options and environment describe. */
  AdminClient client() throws IOException {
    String url = server != null ? server : env.getOrDefault("CAIRN_SERVER", DEFAULT_SERVER);
    String token = env.get("CAIRN_TOKEN");
    String source = "CAIRN_TOKEN";
    if (token == null || token.isBlank()) {
      Path file = tokenFile != null ? tokenFile : Path.of(DEFAULT_TOKEN_FILE);
      source = file.toString();
      try {
        token = Files.readString(file, StandardCharsets.US_ASCII).strip();
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("no admin token: " + file + " does not exist; give --token-file or set CAIRN_TOKEN");
      }
      if (token.isEmpty()) {
        throw new IllegalArgumentException("no admin token: " + file + " is empty");
      }
    } else {
      token = token.strip();
    }
    return new AdminClient(url, token, source, actor());
  }

  /** USER@HOST, for the server's activity log. */
  static String actor() {
    String user = System.getProperty("user.name", "unknown");
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "localhost";
    }
    return user + "@" + host;
  }

  /** The {@code admin} command above {@code spec}. */
  static AdminCommand of(CommandSpec spec) {
    for (CommandSpec s = spec; s != null; s = s.parent()) {
      if (s.userObject() instanceof AdminCommand a) {
        return a;
      }
    }
    throw new IllegalStateException(spec.qualifiedName() + " runs only under admin");
  }
}
