package dev.cairn.cloudconfig.cli;

import dev.cairn.cloudconfig.ApplyPlan;
import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import dev.cairn.cloudconfig.DiagnosticFormat;
import dev.cairn.cloudconfig.files.RootWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn cloud-config}: validate and render cloud-configs. */
@Command(name = "cloud-config", mixinStandardHelpOptions = true,
    description = "Validate and render CoreOS cloud-configs.",
    subcommands = {CloudConfigCommand.Validate.class, CloudConfigCommand.Render.class,
        CloudConfigCommand.Apply.class})
public final class CloudConfigCommand {
  /** Input larger than this is refused before parsing. */
  static final int MAX_BYTES = CloudConfig.MAX_BYTES;

  static String read(String name) throws IOException {
    byte[] bytes;
    if (name.equals("-")) {
      bytes = System.in.readNBytes(MAX_BYTES + 1);
    } else {
      Path p = Path.of(name);
      if (Files.size(p) > MAX_BYTES) {
        return null;
      }
      bytes = Files.readAllBytes(p);
    }
    return bytes.length > MAX_BYTES ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  @Command(name = "validate", mixinStandardHelpOptions = true,
      description = {"Check cloud-configs: FILE:LINE:COLUMN: error|warning|info: message.",
          "Exit 0 when nothing is an error, 1 when something is, 2 when a file cannot be read."})
  static final class Validate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--format", defaultValue = "text", paramLabel = "text|json",
        description = "Output format (default: ${DEFAULT-VALUE}).")
    String format;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Files to check; - reads standard input.")
    List<String> files;

    @Override
    public Integer call() {
      if (!format.equals("text") && !format.equals("json")) {
        throw new IllegalArgumentException("--format must be text or json, got '" + format + "'");
      }
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      List<Diagnostic> all = new ArrayList<>();
      boolean unreadable = false;
      for (String f : files) {
        String name = f.equals("-") ? "<stdin>" : f;
        String text;
        try {
          text = read(f);
        } catch (IOException e) {
          err.println(spec.qualifiedName() + ": " + name + ": cannot be read (" + describe(e) + ")");
          unreadable = true;
          continue;
        }
        List<Diagnostic> found = text == null
            ? List.of(new Diagnostic(name, 1, 1, Diagnostic.Level.ERROR,
                "larger than " + MAX_BYTES + " bytes; cloud-config is refused unread"))
            : CloudConfig.validate(text, name);
        all.addAll(found);
        if (format.equals("text")) {
          out.print(DiagnosticFormat.text(found, text == null ? "" : text));
        }
      }
      if (format.equals("json")) {
        out.print(DiagnosticFormat.json(all));
      }
      out.flush();
      if (unreadable) {
        return 2;
      }
      return all.stream().anyMatch(d -> d.level() == Diagnostic.Level.ERROR) ? 1 : 0;
    }
  }

  @Command(name = "render", mixinStandardHelpOptions = true,
      description = {"Substitute variables into a cloud-config template, validate the result,",
          "and print it only if it has no errors. $name and ${name} are replaced when --var gives",
          "name; \\$ stands for a literal $; other $words are left for coreos-cloudinit."})
  static final class Render implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--var", paramLabel = "KEY=VALUE", description = "A variable (repeatable).")
    List<String> vars = new ArrayList<>();

    @Parameters(paramLabel = "TEMPLATE", description = "Template file; - reads standard input.")
    String template;

    @Override
    public Integer call() throws IOException {
      Map<String, String> values = new LinkedHashMap<>();
      for (String v : vars) {
        int eq = v.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("--var '" + v + "' is not KEY=VALUE");
        }
        values.put(v.substring(0, eq), v.substring(eq + 1));
      }
      String name = template.equals("-") ? "<stdin>" : template;
      String text = read(template);
      if (text == null) {
        throw new IllegalArgumentException(name + ": larger than " + MAX_BYTES + " bytes");
      }
      CloudConfig.Rendered r = CloudConfig.render(text, values, name);
      if (!r.valid()) {
        spec.commandLine().getErr().print(DiagnosticFormat.text(r.diagnostics(), r.text()));
        return 1;
      }
      spec.commandLine().getErr().print(DiagnosticFormat.text(r.diagnostics(), r.text()));
      spec.commandLine().getOut().print(r.text());
      return 0;
    }
  }

  @Command(name = "apply", mixinStandardHelpOptions = true,
      description = {"Apply a #cloud-config on the machine, as coreos-cloudinit does at first boot:",
          "hostname (etc/hostname), write_files, coreos.update (etc/coreos/update.conf) and",
          "ssh_authorized_keys (home/core/.ssh/authorized_keys), in that order, under --root.",
          "Everything is validated and checked before anything is written; exit 2 on bad input."})
  static final class Apply implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--root", defaultValue = "/", paramLabel = "DIR",
        description = "The machine's root directory (default: ${DEFAULT-VALUE}).")
    Path root;

    @Parameters(paramLabel = "FILE", description = "The cloud-config; - reads standard input.")
    String file;

    @Override
    public Integer call() throws IOException {
      String name = file.equals("-") ? "<stdin>" : file;
      String text;
      try {
        text = read(file);
      } catch (IOException e) {
        throw new IOException(name + ": cannot be read (" + describe(e) + ")", e);
      }
      if (text == null) {
        throw new IllegalArgumentException(name + ": larger than " + MAX_BYTES + " bytes");
      }
      PrintWriter err = spec.commandLine().getErr();
      if (!text.startsWith("#!") && text.lines().findFirst().orElse("").stripTrailing().equals("#cloud-config")) {
        List<Diagnostic> found = CloudConfig.validate(text, name);
        if (found.stream().anyMatch(d -> d.level() == Diagnostic.Level.ERROR)) {
          err.print(DiagnosticFormat.text(found, text));
          err.println(spec.qualifiedName() + ": " + name + ": does not validate; nothing written");
          err.flush();
          return 2;
        }
        err.print(DiagnosticFormat.text(found, text));
        err.flush();
      }
      List<ApplyPlan.Write> plan = ApplyPlan.plan(text, name);
      PrintWriter out = spec.commandLine().getOut();
      try {
        new RootWriter(root).apply(plan, out::println);
      } finally {
        out.flush();
      }
      return 0;
    }
  }

  private static String describe(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file"
        : e instanceof java.nio.file.AccessDeniedException ? "permission denied"
        : e.getMessage();
  }
}
