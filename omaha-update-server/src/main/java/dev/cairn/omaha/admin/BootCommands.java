package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cairn.omaha.ControlChars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code cairn admin boot profile|group|template list|show|apply|delete}: the boot server's files
 * through the admin API ({@code /api/v1/boot/}). The server checks the whole set with a change
 * before it writes anything; a refused change prints the findings, one per line, and exits 1.
 */
@Command(name = "boot", mixinStandardHelpOptions = true,
    description = {"The boot server's profiles, groups and templates (the files in DATA_DIR/boot/): list, show, "
        + "apply a file, delete. The server checks the whole set with a change before it writes anything, and "
        + "serves it at once."},
    subcommands = {BootCommands.Profiles.class, BootCommands.Groups.class, BootCommands.Templates.class})
final class BootCommands {
  /** The ids the server writes: a file name in its folder, never a path. */
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  /** The most bytes of a file the server takes. */
  static final int MAX_FILE = 1024 * 1024;

  private BootCommands() {}

  /** What a {@code profile}, {@code group} or {@code template} command works on. */
  enum Kind {
    PROFILE("profile", "profiles"), GROUP("group", "groups"), TEMPLATE("template", "templates");

    final String word;
    final String folder;

    Kind(String word, String folder) {
      this.word = word;
      this.folder = folder;
    }

    String path() {
      return "/api/v1/boot/" + folder;
    }
  }

  /** The parent command of list, show, apply and delete: which kind they work on. */
  interface Of {
    Kind kind();
  }

  @Command(name = "profile", mixinStandardHelpOptions = true,
      description = "Profiles: how to boot (kernel, initrds, arguments) and which template a machine's cloud-config "
          + "comes from.",
      subcommands = {ListAll.class, Show.class, Apply.class, Delete.class})
  static final class Profiles implements Of {
    @Override
    public Kind kind() {
      return Kind.PROFILE;
    }
  }

  @Command(name = "group", mixinStandardHelpOptions = true,
      description = "Groups: the machines a selector matches, the profile they boot and their metadata.",
      subcommands = {ListAll.class, Show.class, Apply.class, Delete.class})
  static final class Groups implements Of {
    @Override
    public Kind kind() {
      return Kind.GROUP;
    }
  }

  @Command(name = "template", mixinStandardHelpOptions = true,
      description = "Templates: cloud-configs with variables, named by their file (NAME.yaml).",
      subcommands = {ListAll.class, Show.class, Apply.class, Delete.class})
  static final class Templates implements Of {
    @Override
    public Kind kind() {
      return Kind.TEMPLATE;
    }
  }

  /** A command under profile, group or template. */
  abstract static class BootCall extends AdminCall {
    Kind kind() {
      return ((Of) spec.parent().userObject()).kind();
    }

    /**
     * Prints what a change did ({@code created group node-1 (boot/groups/node-1.yaml); serving ...}),
     * or the server's JSON.
     */
    void changed(String json, Format format) throws IOException {
      if (format == Format.json) {
        out().println(Views.json(json.strip()));
        return;
      }
      JsonNode c = parse(json);
      out().println(Views.text(c, "action") + " " + kind().word + " " + Views.text(c, "id") + " ("
          + Views.text(c, "file") + "); " + (c.path("served").asBoolean(false)
              ? "serving " + Views.or(Views.text(c, "boot_data"), "-")
              : "not served yet: other files of the boot data changed at the same time and have findings"
                  + " (see /healthz)"));
    }

    /**
     * A refusal with findings (422): the server's error on one line, then each finding on its own
     * line ({@code FILE:LINE: reason}), on stderr, or the server's JSON on stdout; exit 1. Anything
     * else is thrown on, for the one-line error.
     */
    void refused(AdminException e, Format format) throws IOException {
      if (e.status() != 422) {
        throw e;
      }
      exitCode = 1;
      if (format == Format.json) {
        out().println(Views.json(e.body().strip()));
        return;
      }
      err().println(spec.qualifiedName() + ": " + e.getMessage());
      for (JsonNode f : parse(e.body()).path("findings")) {
        String line = f.path("line").isInt() ? ":" + f.path("line").asInt() : "";
        err().println(Views.or(Views.text(f, "file"), "-") + line + ": " + Views.or(Views.text(f, "reason"), ""));
      }
    }
  }

  /** {@code id} when the server could take it; IllegalArgumentException (nothing sent) otherwise. */
  static String checkId(Kind kind, String id, String where) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(where + kind.word + " id '" + ControlChars.escape(id) + "': expected lower-case"
          + " letters, digits, '.', '_' and '-', starting with a letter or digit (at most 64)");
    }
    return id;
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List the ${PARENT-COMMAND-NAME}s the server serves, by id.")
  static final class ListAll extends BootCall {
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      Kind kind = kind();
      String json = client().get(kind.path());
      switch (kind) {
        case PROFILE -> list(json, format.format, List.of("ID", "NAME", "FILE"),
            p -> List.of(Views.or(Views.text(p, "id"), ""), Views.or(Views.text(p, "name"), ""),
                Views.or(Views.text(p, "file"), "")));
        case GROUP -> list(json, format.format, List.of("ID", "NAME", "PROFILE", "SELECTOR"),
            g -> List.of(Views.or(Views.text(g, "id"), ""), Views.or(Views.text(g, "name"), ""),
                Views.or(Views.text(g, "profile"), ""), selector(g.path("selector"))));
        case TEMPLATE -> list(json, format.format, List.of("ID", "FILE", "PROFILES"),
            t -> List.of(Views.or(Views.text(t, "id"), ""), Views.or(Views.text(t, "file"), ""),
                strings(t.path("profiles"))));
      }
    }

    /** {@code mac=52:54:00:12:34:56 arch=x86_64}, or {@code (default)}. */
    static String selector(JsonNode s) {
      List<String> parts = new ArrayList<>();
      s.fields().forEachRemaining(e -> parts.add(ControlChars.escape(e.getKey()) + "=" + Views.shown(e.getValue())));
      return parts.isEmpty() ? "(default)" : String.join(" ", parts);
    }

    static String strings(JsonNode a) {
      List<String> parts = new ArrayList<>();
      a.forEach(x -> parts.add(Views.shown(x)));
      return String.join(", ", parts);
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = {"Print a ${PARENT-COMMAND-NAME}'s file as the server has it (control characters escaped, "
          + "line by line); --format json: the parsed ${PARENT-COMMAND-NAME} and the file's text."})
  static final class Show extends BootCall {
    @Parameters(paramLabel = "ID", description = "The ${PARENT-COMMAND-NAME}'s id.")
    String id;
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      Kind kind = kind();
      checkId(kind, id, "");
      String json = client().get(kind.path() + "/" + AdminClient.segment(id));
      if (format.format == Format.json) {
        out().println(Views.json(json.strip()));
        return;
      }
      String text = parse(json).path("text").asText("");
      StringBuilder b = new StringBuilder();
      for (String line : text.split("\n", -1)) {
        b.append(ControlChars.escape(line)).append('\n');
      }
      String shown = b.toString();
      out().print(text.endsWith("\n") ? shown.substring(0, shown.length() - 1) : shown);
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Write FILE as the ${PARENT-COMMAND-NAME} it holds: created, or replacing the one with its id. "
          + "A profile's or group's id is the file's id: key; a template's is the file's name without .yaml. The "
          + "server checks the whole set with it first; when that has findings, nothing is written, they are "
          + "printed one per line, and the exit code is 1."})
  static final class Apply extends BootCall {
    @Parameters(paramLabel = "FILE", description = "The YAML file (for a template: NAME.yaml).")
    Path file;
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      Kind kind = kind();
      if (Files.isRegularFile(file) && Files.size(file) > MAX_FILE) {
        throw new IllegalArgumentException(file + ": larger than " + MAX_FILE + " bytes, the most the server takes");
      }
      byte[] bytes = Files.readAllBytes(file);
      String id = checkId(kind, kind == Kind.TEMPLATE ? templateName(file) : idOf(file, bytes), file + ": ");
      try {
        changed(client().sendBytes("PUT", kind.path() + "/" + AdminClient.segment(id), bytes, "application/yaml"),
            format.format);
      } catch (AdminException e) {
        refused(e, format.format);
      }
    }

    /** A template's name: the file's name without {@code .yaml} or {@code .yml}. */
    static String templateName(Path file) {
      String name = file.getFileName().toString();
      for (String ext : new String[] {".yaml", ".yml"}) {
        if (name.endsWith(ext) && name.length() > ext.length()) {
          return name.substring(0, name.length() - ext.length());
        }
      }
      throw new IllegalArgumentException(file + ": a template is named by its file, NAME.yaml; rename it");
    }

    /** The top-level {@code id} of the YAML in {@code bytes}, as written. */
    static String idOf(Path file, byte[] bytes) {
      Optional<Node> root;
      try {
        root = new Compose(LoadSettings.builder().setLabel(file.toString()).setMaxAliasesForCollections(50).build())
            .composeString(new String(bytes, StandardCharsets.UTF_8));
      } catch (YamlEngineException e) {
        throw new IllegalArgumentException(file + ": not YAML (" + String.valueOf(e.getMessage()).lines().findFirst()
            .orElse("") + "); check it with cairn boot check");
      }
      if (root.isPresent() && root.get() instanceof MappingNode m) {
        for (NodeTuple t : m.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("id")
              && t.getValueNode() instanceof ScalarNode v && !v.getValue().isEmpty()) {
            return v.getValue();
          }
        }
      }
      throw new IllegalArgumentException(file + ": no id (expected a mapping with id: NAME at the top)");
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = {"Delete a ${PARENT-COMMAND-NAME}'s file. Refused, with the findings, when the set would have "
          + "any without it (a group naming a deleted profile, a profile naming a deleted template)."})
  static final class Delete extends BootCall {
    @Parameters(paramLabel = "ID", description = "The ${PARENT-COMMAND-NAME}'s id.")
    String id;
    @Mixin FormatOption format;

    @Override
    void run() throws IOException {
      Kind kind = kind();
      checkId(kind, id, "");
      try {
        changed(client().send("DELETE", kind.path() + "/" + AdminClient.segment(id), null), format.format);
      } catch (AdminException e) {
        refused(e, format.format);
      }
    }
  }
}
