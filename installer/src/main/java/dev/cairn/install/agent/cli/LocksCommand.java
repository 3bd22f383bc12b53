package dev.cairn.install.agent.cli;

import dev.cairn.install.agent.LockChoice;
import dev.cairn.install.agent.lock.EtcdLock;
import dev.cairn.install.agent.lock.LockAdmin;
import dev.cairn.install.agent.lock.Locks;
import dev.cairn.install.agent.lock.Semaphore;
import dev.cairn.install.agent.lock.ServerLockAdmin;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code cairn locks}: what locksmithctl does, for both places a reboot lock lives: locksmith's
 * semaphore in etcd, and {@code cairn serve}'s per-group reboot slots.
 */
@Command(name = "locks", mixinStandardHelpOptions = true,
    description = {"The reboot lock, as locksmithctl shows and changes it: locksmith's semaphore in etcd",
        "(--etcd, the default) or cairn serve's reboot slots of a group (--server)."},
    subcommands = {LocksCommand.Status.class, LocksCommand.Unlock.class, LocksCommand.SetMax.class})
public final class LocksCommand implements Callable<Integer> {
  /** locksmithctl's default endpoint. */
  static final String DEFAULT_ETCD = "http://127.0.0.1:2379";
  static final String DEFAULT_TOKEN_FILE = "cairn-data/admin.token";

  @Spec CommandSpec spec;
  private final Map<String, String> env;

  public LocksCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process environment. */
  public LocksCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Where the lock is. */
  static final class Backend {
    @Option(names = "--etcd", paramLabel = "URLS", description = {"etcd's client URLs, comma-separated (default:",
        "LOCKSMITHCTL_ENDPOINT, else " + DEFAULT_ETCD + ")."})
    String etcd;

    @Option(names = "--server", paramLabel = "URL", description = "cairn serve (its admin API) instead of etcd.")
    String server;
  }

  /** Options every subcommand takes. */
  static final class Common {
    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Backend backend;

    @Option(names = "--group", paramLabel = "G", description = {"The reboot group. etcd: locksmith's group (default:",
        "the one global semaphore); cairn serve: the update group (required)."})
    String group;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "CA certificate(s) that sign etcd's (https).")
    Path caFile;

    @Option(names = "--etcd-username", paramLabel = "USER", description = {"etcd user; the password comes from",
        "LOCKSMITHCTL_ETCD_PASSWORD or --etcd-password-file."})
    String username;

    @Option(names = "--etcd-password-file", paramLabel = "FILE", description = "File holding the etcd password.")
    Path passwordFile;

    @Option(names = "--token-file", paramLabel = "FILE", description = {"cairn serve's admin token (default: "
        + DEFAULT_TOKEN_FILE + ");", "CAIRN_TOKEN, when set, wins."})
    Path tokenFile;

    LockAdmin admin(Map<String, String> env) throws IOException {
      if (backend != null && backend.server != null) {
        if (caFile != null || username != null || passwordFile != null) {
          throw new IllegalArgumentException("--etcd-cafile, --etcd-username and --etcd-password-file are for etcd, not --server");
        }
        return new ServerLockAdmin(backend.server, group, token(env), actor(), Duration.ofSeconds(10));
      }
      String urls = backend != null && backend.etcd != null ? backend.etcd
          : env.getOrDefault("LOCKSMITHCTL_ENDPOINT", DEFAULT_ETCD);
      Optional<String> password = Optional.empty();
      if (username != null) {
        password = passwordFile != null ? Optional.of(secret(passwordFile, "etcd password"))
            : Optional.ofNullable(env.get("LOCKSMITHCTL_ETCD_PASSWORD"));
        if (password.isEmpty() || password.get().isEmpty()) {
          throw new IllegalArgumentException("--etcd-username needs a password: set LOCKSMITHCTL_ETCD_PASSWORD or give --etcd-password-file");
        }
      } else if (passwordFile != null) {
        throw new IllegalArgumentException("--etcd-password-file needs --etcd-username");
      }
      LockChoice.Etcd e = new LockChoice.Etcd(List.of(urls.split(",")), Optional.ofNullable(group).filter(g -> !g.isEmpty()),
          Optional.ofNullable(caFile).map(Path::toString), Optional.empty(), Optional.empty(),
          Optional.ofNullable(username), password);
      EtcdLock lock = Locks.etcd(e, Map.of(), Locks.ETCD_DEADLINE);
      return lock;
    }

    private String token(Map<String, String> env) throws IOException {
      String t = env.get("CAIRN_TOKEN");
      if (t != null && !t.isBlank()) {
        return t.strip();
      }
      return secret(tokenFile != null ? tokenFile : Path.of(DEFAULT_TOKEN_FILE), "admin token");
    }

    private static String secret(Path file, String what) throws IOException {
      String s;
      try {
        s = Files.readString(file, StandardCharsets.UTF_8).strip();
      } catch (NoSuchFileException e) {
        throw new IllegalArgumentException("no " + what + ": " + file + " does not exist");
      }
      if (s.isEmpty()) {
        throw new IllegalArgumentException("no " + what + ": " + file + " is empty");
      }
      return s;
    }

    private static String actor() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (IOException e) {
        host = "localhost";
      }
      return System.getProperty("user.name", "unknown") + "@" + host + " (cairn locks)";
    }
  }

  private static LocksCommand of(CommandSpec spec) {
    return (LocksCommand) spec.parent().userObject();
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "How many slots are free, the most there may be, and who holds one.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Override
    public Integer call() throws IOException {
      LockAdmin admin = common.admin(of(spec).env);
      Semaphore s = admin.status();
      PrintWriter out = spec.commandLine().getOut();
      out.println("Available: " + s.available());
      out.println("Max: " + s.max());
      if (!s.holders().isEmpty()) {
        out.println();
        Map<String, Instant> since = admin instanceof ServerLockAdmin server ? server.since() : Map.of();
        int w = Math.max("MACHINE ID".length(), s.holders().stream().mapToInt(String::length).max().orElse(0));
        out.println(since.isEmpty() ? "MACHINE ID" : String.format("%-" + w + "s  %s", "MACHINE ID", "SINCE"));
        for (String h : s.holders()) {
          out.println(since.isEmpty() ? h : String.format("%-" + w + "s  %s", h,
              Optional.ofNullable(since.get(h)).map(Instant::toString).orElse("")));
        }
      }
      return 0;
    }
  }

  @Command(name = "unlock", mixinStandardHelpOptions = true,
      description = {"Release MACHINE's slot: for a machine that died, or was taken away, holding one.",
          "A machine that holds none is an error (exit 2), as in locksmithctl."})
  static final class Unlock implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Parameters(paramLabel = "MACHINE", description = "The machine id holding the slot (see status).")
    String machine;

    @Override
    public Integer call() throws IOException {
      Semaphore.checkId(machine);
      LockAdmin admin = common.admin(of(spec).env);
      if (!admin.unlock(machine)) {
        throw new IllegalArgumentException("'" + machine + "' holds no reboot slot of " + admin.describe());
      }
      spec.commandLine().getOut().println("released the reboot slot of " + machine + " (" + admin.describe() + ")");
      return 0;
    }
  }

  @Command(name = "set-max", mixinStandardHelpOptions = true,
      description = {"Set how many machines may hold a slot (reboot) at once. Lowering it below the holders",
          "keeps them; no more are let in until enough have given theirs back."})
  static final class SetMax implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Parameters(paramLabel = "N", description = "0 or more.")
    int max;

    @Override
    public Integer call() throws IOException {
      if (max < 0) {
        throw new IllegalArgumentException("max must be 0 or more, got " + max);
      }
      LockAdmin admin = common.admin(of(spec).env);
      Semaphore before = admin.setMax(max);
      PrintWriter out = spec.commandLine().getOut();
      out.println("Old-Max: " + before.max());
      out.println("Max: " + max);
      return 0;
    }
  }
}
