package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cairn admin rollout GROUP}: where a group's rollout stands right now. */
@Command(name = "rollout", mixinStandardHelpOptions = true,
    description = "Where a group's rollout stands: the target version, machines per version, how many are "
        + "granted, downloading, installed, complete, failed, timed out, on hold or waiting, and whether the "
        + "group is paused and why.")
final class RolloutCommand extends AdminCall {
  @Parameters(paramLabel = "GROUP", description = "The group.")
  String group;
  @Mixin FormatOption format;
  @Mixin AppOption app;

  @Override
  void run() throws IOException {
    String body = client().get("/api/v1/groups/" + AdminClient.segment(group) + "/rollout"
        + AdminClient.query(AdminClient.params("app", app.app)));
    JsonNode r = parse(body);
    if (!r.has("states") || !r.has("machines")) {
      throw new AdminException(0, "the server at " + client().server() + " answered GET /api/v1/groups/" + group
          + "/rollout without a rollout; it predates the rollout endpoint");
    }
    out().print(format.format == Format.json ? Views.json(body.strip()) + "\n" : Views.rollout(r));
  }
}
