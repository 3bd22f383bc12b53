package dev.cairn.omaha.admin;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cairn admin activity}: the activity log, newest first. */
@Command(name = "activity", mixinStandardHelpOptions = true, description = "The activity log, newest first: who changed what, and what machines did.")
final class ActivityCommand extends AdminCall {
  @Option(names = "--since", paramLabel = "DURATION", description = "Only the last DURATION, like 1h or 2d.")
  String since;
  @Option(names = "--limit", paramLabel = "N", description = "At most N rows (1-10000; the server's default is 100).")
  Integer limit;
  @Mixin FormatOption format;

  Clock clock = Clock.systemUTC();

  @Override
  void run() throws IOException {
    if (limit != null && (limit < 1 || limit > 10_000)) {
      throw new IllegalArgumentException("--limit must be 1-10000, got " + limit);
    }
    String from = since == null ? null : since(clock.instant(), since).toString();
    list(client().get("/api/v1/activity" + AdminClient.query(AdminClient.params("since", from, "limit", limit))),
        format.format, List.of("AT", "ACTOR", "KIND", "MACHINE", "MESSAGE"),
        a -> List.of(Views.or(Views.text(a, "at"), ""), Views.or(Views.text(a, "actor"), ""),
            Views.or(Views.text(a, "kind"), ""), Views.or(Views.text(a, "machine_id"), ""),
            Views.or(Views.text(a, "message"), "")));
  }

  /** {@code now} minus the duration. */
  static Instant since(Instant now, String duration) {
    try {
      return now.minusSeconds(Durations.seconds(duration));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--since: " + e.getMessage());
    }
  }
}
