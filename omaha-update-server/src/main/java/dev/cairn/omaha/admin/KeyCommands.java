package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code cairn admin key}: the release keys the server trusts. */
@Command(name = "key", mixinStandardHelpOptions = true, description = "The OpenPGP release keys the server trusts.",
    subcommands = {KeyCommands.Add.class, KeyCommands.ListKeys.class, KeyCommands.Remove.class})
final class KeyCommands {

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Trust the public key(s) in FILE (armored or binary OpenPGP) for signing packages.")
  static final class Add extends AdminCall {
    @Parameters(paramLabel = "FILE", description = "The public key file.")
    Path file;

    @Override
    void run() throws IOException {
      byte[] key = Files.readAllBytes(file);
      for (JsonNode k : parse(client().sendBytes("POST", "/api/v1/keys", key, "application/pgp-keys"))) {
        out().println("trusted " + Views.text(k, "fingerprint") + "  " + userIds(k));
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the trusted keys.")
  static final class ListKeys extends AdminCall {
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      list(client().get("/api/v1/keys"), format.format, List.of("FINGERPRINT", "USER IDS", "CREATED", "SUBKEYS"),
          k -> List.of(Views.or(Views.text(k, "fingerprint"), ""), userIds(k), Views.or(Views.text(k, "created"), ""),
              String.valueOf(k.path("subkeys").size())));
    }
  }

  @Command(name = "remove", mixinStandardHelpOptions = true, description = "Stop trusting a key.")
  static final class Remove extends AdminCall {
    @Parameters(paramLabel = "FINGERPRINT", description = "The key's fingerprint (40 hex digits).")
    String fingerprint;

    @Override
    void run() throws IOException {
      String fpr = fingerprint.replace(" ", "").toUpperCase(java.util.Locale.ROOT);
      if (!fpr.matches("[0-9A-F]{40}")) {
        throw new IllegalArgumentException("a fingerprint is 40 hex digits, got '" + fingerprint + "'");
      }
      JsonNode r = parse(client().send("DELETE", "/api/v1/keys/" + AdminClient.segment(fpr), null));
      out().println("removed " + Views.or(Views.text(r, "removed"), fpr));
    }
  }

  static String userIds(JsonNode k) {
    List<String> ids = new ArrayList<>();
    k.path("user_ids").forEach(u -> ids.add(Views.shown(u)));
    return String.join("; ", ids);
  }
}
