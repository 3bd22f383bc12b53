package dev.cairn.omaha.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** What every {@code cairn admin} command shares: the client, the output, JSON. */
abstract class AdminCall implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** table or json, for the list commands. */
  enum Format { table, json }

  /** The {@code --format} option of the list commands. */
  static final class FormatOption {
    @Option(names = "--format", defaultValue = "table", paramLabel = "table|json",
        description = "table: aligned columns with a header line; json: the server's JSON (default: ${DEFAULT-VALUE}).")
    Format format = Format.table;
  }

  /** The exit code: 0 unless {@link #run} reported a refusal itself and set it. */
  int exitCode;

  @Override
  public final Integer call() throws Exception {
    run();
    out().flush();
    err().flush();
    return exitCode;
  }

  abstract void run() throws IOException;

  /** The client, made on first use so that bad input is named before the token is looked for. */
  AdminClient client() throws IOException {
    if (client == null) {
      client = AdminCommand.of(spec).client();
    }
    return client;
  }

  private AdminClient client;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }

  static ObjectNode object() {
    return AdminClient.JSON.createObjectNode();
  }

  /** The server's answer as JSON; an answer that is not JSON is one escaped line. */
  static JsonNode parse(String json) throws IOException {
    try {
      return AdminClient.JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new AdminException(0, "the server's answer is not JSON: " + e.getOriginalMessage());
    }
  }

  /** Prints a list answer: the server's JSON, or a table of one row per element. */
  void list(String json, Format format, List<String> headers, Function<JsonNode, List<String>> row) throws IOException {
    if (format == Format.json) {
      out().println(Views.json(json.strip()));
      return;
    }
    List<List<String>> rows = new java.util.ArrayList<>();
    for (JsonNode n : parse(json)) {
      rows.add(row.apply(n));
    }
    out().print(Table.format(headers, rows));
  }
}
