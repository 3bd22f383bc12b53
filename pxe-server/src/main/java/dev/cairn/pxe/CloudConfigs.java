package dev.cairn.pxe;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import dev.cairn.cloudconfig.DiagnosticFormat;
import dev.cairn.cloudconfig.YamlTemplates;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A machine's cloud-config: its profile's template, rendered with its variables
 * ({@link Variables#forTemplate}) so that no value can change the YAML structure
 * ({@link CloudConfig#renderYaml}); then, when its group has {@code update:}, the update group and
 * server put in where the template leaves them out ({@link CloudConfig#withUpdateDefaults}; the
 * server defaults to {@code PUBLIC_URL/v1/update/}). Each step is validated; a config with an
 * error is never served.
 */
public final class CloudConfigs {
  private CloudConfigs() {}

  /** What {@link #render} gives. */
  public sealed interface Result permits Served, NoTemplate, Rejected {}

  /** The config to send. */
  public record Served(String text) implements Result {}

  /** The profile names no template: one line. */
  public record NoTemplate(String reason) implements Result {}

  /** The render was refused: one line for the log, and the full report for the response. */
  public record Rejected(String reason, String report) implements Result {}

  /** The update server a group's machines get when its {@code update:} names none. */
  public static String defaultUpdateServer(String publicUrl) {
    return AssetPaths.trim(publicUrl) + "/v1/update/";
  }

  /** The cloud-config of the machine {@code match} found (a {@link Match.Kind#FOUND} match). */
  public static Result render(BootData data, Match match, String publicUrl) {
    return render(data, match, t -> attempt(t, Variables.forTemplate(match.group(), match.labels(), data.labelNames(),
        publicUrl), match.group().update(), publicUrl));
  }

  /**
   * As {@link #render(BootData, Match, String)}, with the template's render for the machine made
   * by {@code renders} ({@link RenderCache} takes it from its cache when it can); null when that
   * gives none.
   */
  static Result render(BootData data, Match match, Function<Template, Attempt> renders) {
    Profile p = match.profile();
    if (p.cloudConfig() == null) {
      return new NoTemplate("profile " + p.id() + " (group " + match.group().id() + ") names no cloud_config template");
    }
    Template t = data.template(p.cloudConfig()).orElse(null);
    if (t == null) {
      return new NoTemplate("profile " + p.id() + " names template " + p.cloudConfig() + ", which is not loaded");
    }
    Attempt a = renders.apply(t);
    if (a == null) {
      return null;
    }
    if (a.errors.isEmpty()) {
      return new Served(a.text);
    }
    Diagnostic first = a.errors.get(0);
    String reason = "the cloud-config of group " + match.group().id() + " (template " + t.file() + ", for "
        + match.labels().describe() + ") " + a.stage + ": " + a.errors.size() + " error"
        + (a.errors.size() == 1 ? "" : "s") + ", first at line " + first.line() + ": " + first.message();
    String report = reason + "\n\n" + DiagnosticFormat.text(a.diagnostics, a.text);
    return new Rejected(reason, report);
  }

  /** One render: the text, every finding of the step that failed (or of the last), its errors, and that step. */
  record Attempt(String text, List<Diagnostic> diagnostics, List<Diagnostic> errors, String stage, boolean updateStep) {}

  static Attempt attempt(Template t, Map<String, String> vars, Group.Update update, String publicUrl) {
    return attempt(t, vars, update, publicUrl, CloudConfig::validate);
  }

  /**
   * One render, each text checked by {@code validate} (text, source name): {@link CloudConfig#validate},
   * or a memo of it. The same steps as {@link CloudConfig#renderYaml} and then the update settings.
   */
  static Attempt attempt(Template t, Map<String, String> vars, Group.Update update, String publicUrl,
      BiFunction<String, String, List<Diagnostic>> validate) {
    YamlTemplates.Substituted s = YamlTemplates.substitute(t.text(), vars, t.file());
    List<Diagnostic> diagnostics = s.ok() ? validate.apply(s.text(), t.file()) : s.problems();
    List<Diagnostic> errors = errors(diagnostics);
    if (!errors.isEmpty() || update == null) {
      return new Attempt(s.text(), diagnostics, errors, "does not render", false);
    }
    String server = update.server() != null ? update.server() : defaultUpdateServer(publicUrl);
    String text;
    try {
      text = CloudConfig.withUpdateDefaults(s.text(), update.group(), server);
    } catch (IllegalArgumentException e) {
      Diagnostic d = new Diagnostic(t.file(), 1, 1, Diagnostic.Level.ERROR, e.getMessage());
      return new Attempt(s.text(), List.of(d), List.of(d), "cannot take the group's update settings", true);
    }
    List<Diagnostic> after = validate.apply(text, t.file());
    return new Attempt(text, after, errors(after), "does not validate with the group's update settings", true);
  }

  static List<Diagnostic> errors(List<Diagnostic> all) {
    return all.stream().filter(d -> d.level() == Diagnostic.Level.ERROR).toList();
  }
}
