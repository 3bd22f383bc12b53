package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn admin machine}: the machines the boot server has answered. */
@Command(name = "machine", mixinStandardHelpOptions = true,
    description = "The machines the boot server has answered: when each was first and last seen, its labels, "
        + "group and profile, and what it was last served.",
    subcommands = {MachineCommands.ListMachines.class, MachineCommands.Show.class, MachineCommands.Reinstall.class})
final class MachineCommands {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List machines, most recently seen first.")
  static final class ListMachines extends AdminCall {
    @Option(names = "--group", paramLabel = "G", description = "Only machines whose latest request matched this group.")
    String group;
    @Option(names = "--limit", paramLabel = "N", description = "At most N machines (1-10000; the server's default is 100).")
    Integer limit;
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      if (limit != null && (limit < 1 || limit > 10_000)) {
        throw new IllegalArgumentException("--limit must be 1-10000, got " + limit);
      }
      list(client().get("/api/v1/machines" + AdminClient.query(AdminClient.params("group", group, "limit", limit))),
          format.format, List.of("KEY", "GROUP", "PROFILE", "LAST SEEN", "ADDRESS", "LAST SERVED",
          "INSTALLED"),
          m -> List.of(Views.or(Views.text(m, "key"), ""), Views.or(Views.text(m, "group"), ""),
              Views.or(Views.text(m, "profile"), ""), Views.or(Views.text(m, "last_seen"), ""),
              Views.or(Views.text(m, "address"), ""), Views.or(Views.served(m), ""),
              Views.or(Views.text(m, "installed_at"), "")));
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One machine: when it was first and last seen, its latest request and all its labels.")
  static final class Show extends AdminCall {
    @Parameters(paramLabel = "KEY", description = "The machine's key: its MAC (in any usual form), uuid:UUID or "
        + "addr:ADDRESS, as machine list shows it.")
    String key;
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      String body = client().get("/api/v1/machines/" + AdminClient.segment(key));
      out().print(format.format == Format.json ? Views.json(body.strip()) + "\n" : Views.machine(parse(body)));
    }
  }

  @Command(name = "reinstall", mixinStandardHelpOptions = true,
      description = "Clear a machine's install mark (install-once profiles), so its next network boot installs "
          + "again.")
  static final class Reinstall extends AdminCall {
    @Parameters(paramLabel = "MAC|UUID", description = "The machine: its MAC (in any usual form) or uuid:UUID, as "
        + "machine list shows it.")
    String key;

    @Override
    void run() throws IOException {
      JsonNode r = parse(client().send("POST", "/api/v1/machines/" + AdminClient.segment(key) + "/reinstall",
          object()));
      String at = Views.text(r, "was_installed_at");
      out().println(at == null
          ? Views.text(r, "key") + " was not marked installed; its next network boot installs"
          : Views.text(r, "key") + ": install mark of " + at + " (profile " + Views.text(r, "was_installed_profile")
              + ") cleared; its next network boot installs again");
    }
  }
}
