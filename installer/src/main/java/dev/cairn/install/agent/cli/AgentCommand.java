package dev.cairn.install.agent.cli;

import dev.cairn.gpt.Partition;
import dev.cairn.install.agent.AgentRequest;
import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.host.Host;
import dev.cairn.install.agent.lock.Locks;
import dev.cairn.install.agent.run.Agent;
import dev.cairn.install.agent.run.Rebooter;
import dev.cairn.install.cli.InstallCommand;
import dev.cairn.install.cli.RetryOptions;
import dev.cairn.install.net.Http;
import dev.cairn.signing.ReleaseKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn agent}: the update_engine-style client on the machine. */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"The machine's update client: checks the update server as update_engine does, takes a",
        "signed update into the other USR slot, reboots into it as REBOOT_STRATEGY says (window, lock),",
        "and marks a healthy boot good."},
    subcommands = {AgentCommand.Check.class, AgentCommand.Update.class, AgentCommand.MarkGood.class,
        AgentCommand.Status.class, AgentCommand.Reboot.class, AgentCommand.Daemon.class})
public final class AgentCommand implements Callable<Integer> {
  private final ReleaseKeys keys;

  @Spec CommandSpec spec;

  public AgentCommand(ReleaseKeys keys) {
    this.keys = keys;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  /** Options every subcommand takes. */
  static final class Common {
    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/",
        description = "Read the machine's files (proc/cmdline, etc/coreos/update.conf, ...) under DIR (default: /).")
    Path root;

    @Option(names = "--disk", paramLabel = "DEVICE", description = "The disk holding the USR slots (default: found from the running USR).")
    Path disk;

    @Option(names = "--server", paramLabel = "URL", description = "The update server (default: SERVER in update.conf).")
    String server;

    @Option(names = "--keyring", paramLabel = "FILE", description = "Trusted release keys (default: "
        + InstallCommand.DEFAULT_KEYRING + ").")
    Path keyring;

    @Mixin RetryOptions retry;

    /** The reboot locks update.conf names, opened as the agent needs them. */
    Rebooter.Locks locks() {
      Map<String, String> env = System.getenv();
      return choice -> Locks.open(choice, env);
    }

    Host host() {
      return new Host(root, Optional.ofNullable(disk));
    }

    Agent agent(ReleaseKeys keys, PrintWriter out) {
      Http.Policy policy = retry.policy(Http.Policy.DEFAULT.readTimeout());
      Http http = new Http(policy, m -> {
        out.println("agent: " + m);
        out.flush();
      });
      Path ring = keyring != null ? keyring : Path.of(InstallCommand.DEFAULT_KEYRING);
      return new Agent(host(), keys, Files.exists(ring) || keyring != null
          ? Optional.of(ring) : Optional.empty(), http, Optional.ofNullable(server), out,
          Runtime.getRuntime().availableProcessors());
    }
  }

  @Command(name = "check", mixinStandardHelpOptions = true,
      description = "One update check, as update_engine sends it; prints what was offered.")
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Option(names = "--json", description = "Print the answer as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
      AgentCommand parent = (AgentCommand) spec.parent().userObject();
      PrintWriter out = spec.commandLine().getOut();
      CheckResult r = common.agent(parent.keys, out).check(AgentRequest.InstallSource.ON_DEMAND);
      if (json) {
        out.println(json(r));
      } else {
        out.println(describe(r));
      }
      return 0;
    }
  }

  static String describe(CheckResult r) {
    return r instanceof CheckResult.Offer o ? Agent.describe(r) + " from " + o.offer().payloadUrls().get(0)
        : Agent.describe(r);
  }

  static String json(CheckResult r) {
    if (r instanceof CheckResult.Offer o) {
      return "{\"status\":\"ok\",\"version\":" + quote(o.offer().version()) + ",\"package\":" + quote(o.offer().packageName())
          + ",\"size\":" + o.offer().size() + ",\"url\":" + quote(o.offer().payloadUrls().get(0)) + "}";
    }
    if (r instanceof CheckResult.NoUpdate) {
      return "{\"status\":\"noupdate\"}";
    }
    if (r instanceof CheckResult.AppError e) {
      return "{\"status\":" + quote(e.status()) + "}";
    }
    return "{\"status\":\"acknowledged\"}";
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = {"Check; on an offer, download the payload, prove its size, hashes and signature, write it",
          "into the other USR slot, read it back, and flag that slot to be tried once at the next boot."})
  static final class Update implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Override
    public Integer call() throws IOException {
      AgentCommand parent = (AgentCommand) spec.parent().userObject();
      PrintWriter out = spec.commandLine().getOut();
      try {
        Optional<String> v = common.agent(parent.keys, out).update(Optional.ofNullable(common.disk));
        if (v.isEmpty()) {
          out.println("nothing to do");
        }
        return 0;
      } catch (Agent.Failed e) {
        throw new IOException(e.getMessage() + " (error " + e.code.code() + ", " + e.code + ", "
            + (e.reported ? "reported" : "kept to report at the next check") + ")", e);
      }
    }
  }

  @Command(name = "mark-good", mixinStandardHelpOptions = true,
      description = {"After a healthy boot: the running slot successful, no tries counted, first in line; then",
          "the reboot slot taken before the reboot, if any, given back."})
  static final class MarkGood implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Override
    public Integer call() throws IOException {
      AgentCommand parent = (AgentCommand) spec.parent().userObject();
      PrintWriter out = spec.commandLine().getOut();
      Agent agent = common.agent(parent.keys, out);
      Partition p = agent.markGood(Optional.ofNullable(common.disk));
      out.println(p.label() + " (partition " + p.number() + ") marked good: " + p.attributes());
      out.flush();
      agent.releaseRebootLock(common.locks()).ifPresent(l -> out.println("reboot slot given back to " + l));
      return 0;
    }
  }

  /** The options that say how to reboot. */
  static final class RebootOptions {
    @Option(names = "--reboot-command", paramLabel = "CMD", defaultValue = "systemctl reboot",
        description = "What a reboot runs (default: ${DEFAULT-VALUE}).")
    String rebootCommand;

    @Option(names = "--lock-retry", paramLabel = "DURATION", defaultValue = "1m",
        description = "How long to wait before asking a full reboot lock again (default: ${DEFAULT-VALUE}).")
    String lockRetry;

    Rebooter rebooter(Common common, Rebooter.Sleeper sleeper, PrintWriter out) {
      String[] words = rebootCommand.trim().split("\\s+");
      if (words.length == 0 || words[0].isEmpty()) {
        throw new IllegalArgumentException("--reboot-command must name a command, got '" + rebootCommand + "'");
      }
      return new Rebooter(common.host(), Clock.systemDefaultZone(), sleeper, common.locks(), List.of(words),
          InstallCommand.duration(lockRetry, "--lock-retry"), out);
    }
  }

  @Command(name = "reboot", mixinStandardHelpOptions = true,
      description = {"Reboot into the update waiting, as locksmithd does: REBOOT_STRATEGY from update.conf",
          "(reboot, etcd-lock, best-effort, off), waiting for the reboot window and for a slot of the",
          "reboot lock (etcd, or a FleetLock server such as cairn serve) first. Nothing waiting: nothing done."})
  static final class Reboot implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;
    @Mixin RebootOptions reboot;

    @Override
    public Integer call() throws IOException, InterruptedException {
      PrintWriter out = spec.commandLine().getOut();
      Rebooter.Result r = reboot.rebooter(common, d -> Thread.sleep(Math.max(1, d.toMillis())), out).rebootIfWaiting();
      if (r == Rebooter.Result.NOTHING_WAITING) {
        out.println("no update is waiting for a reboot");
      }
      return 0;
    }
  }

  @Command(name = "daemon", mixinStandardHelpOptions = true,
      description = {"Check on update_engine's schedule, apply updates, and reboot into them as",
          "REBOOT_STRATEGY says (see 'agent reboot'). Ends cleanly on SIGTERM, between steps."})
  static final class Daemon implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;
    @Mixin RebootOptions reboot;

    @Option(names = "--first-check", paramLabel = "DURATION", defaultValue = "7m",
        description = "Delay before the first check (default: ${DEFAULT-VALUE}).")
    String first;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "45m",
        description = "Time between checks (default: ${DEFAULT-VALUE}).")
    String interval;

    @Option(names = "--fuzz", paramLabel = "DURATION", defaultValue = "10m",
        description = "Each wait moves by up to half of this either way (default: ${DEFAULT-VALUE}).")
    String fuzz;

    @Override
    public Integer call() throws InterruptedException {
      AgentCommand parent = (AgentCommand) spec.parent().userObject();
      PrintWriter out = spec.commandLine().getOut();
      dev.cairn.install.agent.run.Daemon.Schedule schedule = new dev.cairn.install.agent.run.Daemon.Schedule(
          InstallCommand.duration(first, "--first-check"), InstallCommand.duration(interval, "--interval"),
          InstallCommand.duration(fuzz, "--fuzz"));
      dev.cairn.install.agent.run.Daemon d = new dev.cairn.install.agent.run.Daemon(common.agent(parent.keys, out),
          schedule, common.locks(), sleeper -> reboot.rebooter(common, sleeper, out), out);
      // On SIGTERM the hook asks the loop to stop and waits for the step in progress to end. It
      // waits on a latch, not on the main thread, which may itself be on its way to System.exit.
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      Thread hook = new Thread(() -> {
        d.stop();
        try {
          done.await(10, java.util.concurrent.TimeUnit.MINUTES);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "cairn-agent-stop");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        d.run();
      } finally {
        done.countDown();
      }
      return 0;
    }
  }

  @Command(name = "status", mixinStandardHelpOptions = true,
      description = "The running slot, the other slot's flags, the last check, an update waiting for a reboot.")
  static final class Status implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Common common;

    @Override
    public Integer call() throws IOException {
      AgentCommand parent = (AgentCommand) spec.parent().userObject();
      common.agent(parent.keys, spec.commandLine().getOut()).status(Optional.ofNullable(common.disk));
      return 0;
    }
  }
}
