package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn admin group}: groups of machines, the channel each follows and its rollout policy. */
@Command(name = "group", mixinStandardHelpOptions = true,
    description = "Groups of machines: the channel each follows and how fast updates roll out to it.",
    subcommands = {GroupCommands.ListGroups.class, GroupCommands.Create.class, GroupCommands.Update.class,
        GroupCommands.Pause.class, GroupCommands.Resume.class, GroupCommands.Release.class,
        GroupCommands.Counts.class})
final class GroupCommands {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the groups with their channel and policy.")
  static final class ListGroups extends AdminCall {
    @Mixin FormatOption format;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      list(client().get("/api/v1/groups" + AdminClient.query(AdminClient.params("app", app.app))), format.format,
          List.of("NAME", "CHANNEL", "VERSION", "STATUS", "POLICY"),
          g -> List.of(Views.or(Views.text(g, "name"), ""), Views.or(Views.text(g, "channel"), ""),
              Views.or(Views.text(g, "channel_version"), ""), Views.status(g), Views.policy(g.path("policy"))));
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a group following a channel.")
  static final class Create extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "The group's name (machines ask for it as their track).")
    String name;
    @Option(names = "--channel", required = true, paramLabel = "C", description = "The channel the group follows.")
    String channel;
    @Mixin PolicyOptions policy;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      ObjectNode body = object().put("name", name).put("channel", channel);
      body.set("policy", policy.toJson());
      JsonNode g = parse(client().send("POST", "/api/v1/groups" + AdminClient.query(AdminClient.params("app", app.app)), body));
      out().println(Views.group(g));
    }
  }

  @Command(name = "update", mixinStandardHelpOptions = true,
      description = "Change a group's channel or policy; what is not given keeps its value.")
  static final class Update extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "The group.")
    String name;
    @Option(names = "--channel", paramLabel = "C", description = "Follow this channel from now on.")
    String channel;
    @Mixin PolicyOptions policy;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      ObjectNode body = object();
      if (channel != null) {
        body.put("channel", channel);
      }
      ObjectNode p = policy.toJson();
      if (!p.isEmpty()) {
        body.set("policy", p);
      }
      if (body.isEmpty()) {
        throw new IllegalArgumentException("nothing to change: give --channel or a policy option (see --help)");
      }
      JsonNode g = parse(client().send("PUT", "/api/v1/groups/" + AdminClient.segment(name)
          + AdminClient.query(AdminClient.params("app", app.app)), body));
      out().println(Views.group(g));
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop granting updates to the group.")
  static final class Pause extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "The group.")
    String name;
    @Option(names = "--reason", paramLabel = "TEXT", description = "Why, for the others (shown by group list and rollout).")
    String reason;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      ObjectNode body = object();
      if (reason != null) {
        body.put("reason", reason);
      }
      JsonNode g = parse(client().send("POST", "/api/v1/groups/" + AdminClient.segment(name) + "/pause"
          + AdminClient.query(AdminClient.params("app", app.app)), body));
      out().println(Views.group(g));
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Grant updates to a paused group again.")
  static final class Resume extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "The group.")
    String name;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode g = parse(client().send("POST", "/api/v1/groups/" + AdminClient.segment(name) + "/resume"
          + AdminClient.query(AdminClient.params("app", app.app)), object()));
      out().println(Views.group(g));
    }
  }

  @Command(name = "release", mixinStandardHelpOptions = true,
      description = "Give back the reboot slot a machine of the group holds (one that rebooted and never came back).")
  static final class Release extends AdminCall {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The group.")
    String name;
    @Parameters(index = "1", paramLabel = "MACHINE-ID", description = "The machine holding the slot.")
    String machine;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      client().send("DELETE", "/api/v1/groups/" + AdminClient.segment(name) + "/reboots/"
          + AdminClient.segment(machine) + AdminClient.query(AdminClient.params("app", app.app)), null);
      out().println("released the reboot slot of " + machine + " in group " + name);
    }
  }

  @Command(name = "counts", mixinStandardHelpOptions = true,
      description = {"Check the counts the server keeps for the group's decisions (grants in the period, failures",
          "and grants of the target, machines per version and status) against a recount from its tables.",
          "Exit 1 when they differ. The recount reads every grant of the group."})
  static final class Counts extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "The group.")
    String name;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode k = parse(client().get("/api/v1/groups/" + AdminClient.segment(name) + "/counts"
          + AdminClient.query(AdminClient.params("app", app.app))));
      boolean ok = k.path("consistent").asBoolean();
      out().println("group " + name + ": the kept counts " + (ok ? "agree with" : "DIFFER from") + " a recount"
          + " (grants since " + k.path("since").asText() + ", target " + Views.or(Views.text(k, "target_version"), "none")
          + ")");
      List<List<String>> rows = new java.util.ArrayList<>();
      for (String f : List.of("granted_in_period", "failures_of_target", "grants_of_target", "machines", "rollout_rows")) {
        rows.add(List.of(f.replace('_', ' '), k.path("kept").path(f).asText(), k.path("recounted").path(f).asText()));
      }
      out().print(Table.format(List.of("COUNT", "KEPT", "RECOUNTED"), rows));
      if (!ok) {
        exitCode = 1;
      }
    }
  }
}
