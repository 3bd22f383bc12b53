package dev.cairn.omaha.admin;

import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn admin instance}: the machines that talk to the server. */
@Command(name = "instance", mixinStandardHelpOptions = true, description = "The machines that check for updates.",
    subcommands = {InstanceCommands.ListInstances.class, InstanceCommands.Show.class})
final class InstanceCommands {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List machines, most recently checked first.")
  static final class ListInstances extends AdminCall {
    @Option(names = "--group", paramLabel = "G", description = "Only machines of this group.")
    String group;
    @Option(names = "--status", paramLabel = "S", description = "Only machines in this state (granted, downloading, complete, error, on_hold, ...).")
    String status;
    @Option(names = "--version", paramLabel = "V", description = "Only machines running this version.")
    String version;
    @Option(names = "--limit", paramLabel = "N", description = "At most N machines (1-10000; the server's default is 100).")
    Integer limit;
    @Mixin FormatOption format;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      if (limit != null && (limit < 1 || limit > 10_000)) {
        throw new IllegalArgumentException("--limit must be 1-10000, got " + limit);
      }
      String q = AdminClient.query(AdminClient.params("group", group, "status", status, "version", version,
          "limit", limit, "app", app.app));
      list(client().get("/api/v1/instances" + q), format.format,
          List.of("MACHINE ID", "ALIAS", "GROUP", "VERSION", "STATUS", "LAST CHECK", "GRANTED"),
          i -> List.of(Views.or(Views.text(i, "machine_id"), ""), Views.or(Views.text(i, "alias"), ""),
              Views.or(Views.text(i, "group"), ""), Views.or(Views.text(i, "version"), ""),
              Views.or(Views.text(i, "status"), ""), Views.or(Views.text(i, "last_check"), ""),
              Views.or(Views.text(i, "granted_version"), "")));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "One machine: its state, state history and last events.")
  static final class Show extends AdminCall {
    @Parameters(paramLabel = "MACHINE_ID", description = "The machine id (/etc/machine-id).")
    String machineId;
    @Option(names = "--events", paramLabel = "N", defaultValue = "10", description = "How many of the last events to show (default: ${DEFAULT-VALUE}).")
    int events;
    @Option(names = "--json", description = "Print the server's JSON instead.")
    boolean json;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      String body = client().get("/api/v1/instances/" + AdminClient.segment(machineId)
          + AdminClient.query(AdminClient.params("app", app.app)));
      out().print(json ? Views.json(body.strip()) + "\n" : Views.instance(parse(body), Math.max(0, events)));
    }
  }
}
