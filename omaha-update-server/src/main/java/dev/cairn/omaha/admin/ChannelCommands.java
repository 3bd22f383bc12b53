package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn admin channel}: which version each channel serves. */
@Command(name = "channel", mixinStandardHelpOptions = true, description = "Channels and the version each serves.",
    subcommands = {ChannelCommands.ListChannels.class, ChannelCommands.Create.class, ChannelCommands.Set.class,
        ChannelCommands.Promote.class})
final class ChannelCommands {

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the channels and their versions.")
  static final class ListChannels extends AdminCall {
    @Mixin FormatOption format;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      list(client().get("/api/v1/channels" + AdminClient.query(AdminClient.params("app", app.app))), format.format,
          List.of("NAME", "VERSION"), c -> List.of(Views.or(Views.text(c, "name"), ""), Views.or(Views.text(c, "version"), "")));
    }
  }

  @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a channel (it serves nothing until set).")
  static final class Create extends AdminCall {
    @Parameters(paramLabel = "NAME", description = "Channel name: lower-case letters, digits, '.', '_', '-'.")
    String name;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode c = parse(client().send("POST", "/api/v1/channels" + AdminClient.query(AdminClient.params("app", app.app)),
          object().put("name", name)));
      out().println("channel " + Views.text(c, "name") + " created");
    }
  }

  @Command(name = "set", mixinStandardHelpOptions = true, description = "Point a channel at the package of VERSION.")
  static final class Set extends AdminCall {
    @Parameters(index = "0", paramLabel = "NAME", description = "The channel.")
    String name;
    @Parameters(index = "1", paramLabel = "VERSION", description = "A package's version.")
    String version;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode c = parse(client().send("PUT", "/api/v1/channels/" + AdminClient.segment(name)
          + AdminClient.query(AdminClient.params("app", app.app)), object().put("version", version)));
      out().println("channel " + Views.text(c, "name") + " now serves " + Views.text(c, "version"));
    }
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "Point channel TO at the version channel FROM serves (refused when that moves TO back, unless allowed).")
  static final class Promote extends AdminCall {
    @Parameters(index = "0", paramLabel = "FROM", description = "The channel whose version to take.")
    String from;
    @Parameters(index = "1", paramLabel = "TO", description = "The channel to move.")
    String to;
    @Option(names = "--allow-downgrade", description = "Promote even when TO would move to an older version.")
    boolean allowDowngrade;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode c = parse(client().send("POST", "/api/v1/channels/" + AdminClient.segment(to) + "/promote"
          + AdminClient.query(AdminClient.params("app", app.app)),
          object().put("from", from).put("allow_downgrade", allowDowngrade)));
      out().println(Views.text(c, "name") + ": " + Views.or(Views.text(c, "previous"), "none") + " -> "
          + Views.text(c, "version") + " (from " + from + ")");
    }
  }
}
