package dev.cairn.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Help;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** Man pages in roff, one per command, from picocli's model of the command tree. */
final class ManPages {
  private ManPages() {}

  /** File name ({@code cairn-admin-group-update.1}) to page, for {@code root} and every command below it. */
  static Map<String, String> render(CommandLine root, String version) {
    Map<String, String> pages = new TreeMap<>();
    walk(root, version, pages);
    return pages;
  }

  private static void walk(CommandLine cl, String version, Map<String, String> pages) {
    CommandSpec spec = cl.getCommandSpec();
    if (spec.usageMessage().hidden()) {
      return;
    }
    pages.put(pageName(spec) + ".1", page(cl, version));
    cl.getSubcommands().forEach((name, sub) -> {
      if (sub.getCommandName().equals(name)) {
        walk(sub, version, pages);
      }
    });
  }

  static String pageName(CommandSpec spec) {
    return spec.qualifiedName("-");
  }

  static String page(CommandLine cl, String version) {
    CommandSpec spec = cl.getCommandSpec();
    String name = pageName(spec);
    StringBuilder b = new StringBuilder();
    b.append(".TH \"").append(name.toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"").append(escape(version))
        .append("\" \"Cairn Manual\"\n");
    b.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(firstSentence(spec))).append('\n');
    b.append(".SH SYNOPSIS\n.nf\n");
    String synopsis = cl.getHelp().synopsis(0).strip();
    if (synopsis.startsWith("Usage: ")) {
      synopsis = synopsis.substring("Usage: ".length());
    }
    List<String> lines = synopsis.lines().map(String::strip).toList();
    for (int i = 0; i < lines.size(); i++) {
      b.append(line((i == 0 ? "" : "    ") + lines.get(i)));
    }
    b.append(".fi\n");
    b.append(".SH DESCRIPTION\n");
    String[] paragraphs = spec.usageMessage().description();
    for (int i = 0; i < paragraphs.length; i++) {
      b.append(i == 0 ? "" : ".PP\n").append(line(text(paragraphs[i], null)));
    }
    List<PositionalParamSpec> positionals = new ArrayList<>();
    spec.positionalParameters().forEach(p -> {
      if (!p.hidden()) {
        positionals.add(p);
      }
    });
    if (!positionals.isEmpty()) {
      b.append(".SH ARGUMENTS\n");
      for (PositionalParamSpec p : positionals) {
        b.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n").append(line(description(p)));
      }
    }
    List<OptionSpec> options = new ArrayList<>();
    spec.options().forEach(o -> {
      if (!o.hidden()) {
        options.add(o);
      }
    });
    if (!options.isEmpty()) {
      b.append(".SH OPTIONS\n");
      for (OptionSpec o : options) {
        List<String> names = new ArrayList<>();
        for (String n : o.names()) {
          String shown = o.negatable() && n.startsWith("--") ? "--[no-]" + n.substring(2) : n;
          names.add("\\fB" + escape(shown) + "\\fR");
        }
        b.append(".TP\n").append(String.join(", ", names));
        if (o.typeInfo().isBoolean() || o.arity().max() == 0) {
          b.append('\n');
        } else {
          b.append(" \\fI").append(escape(o.paramLabel())).append("\\fR\n");
        }
        b.append(line(description(o)));
      }
    }
    List<String> seeAlso = new ArrayList<>();
    Map<String, CommandLine> subs = cl.getSubcommands();
    if (!subs.isEmpty()) {
      b.append(".SH COMMANDS\n");
      subs.forEach((n, sub) -> {
        if (sub.getCommandName().equals(n) && !sub.getCommandSpec().usageMessage().hidden()) {
          b.append(".TP\n\\fB").append(escape(n)).append("\\fR\n").append(line(firstSentence(sub.getCommandSpec())));
          seeAlso.add("\\fB" + escape(pageName(sub.getCommandSpec())) + "\\fR(1)");
        }
      });
    }
    if (spec.parent() != null) {
      seeAlso.add(0, "\\fB" + escape(pageName(spec.parent())) + "\\fR(1)");
    }
    if (!seeAlso.isEmpty()) {
      b.append(".SH SEE ALSO\n").append(String.join(", ", seeAlso)).append('\n');
    }
    return b.toString();
  }

  private static String firstSentence(CommandSpec spec) {
    String[] d = spec.usageMessage().description();
    return d.length == 0 ? "" : text(d[0], null);
  }

  private static String description(ArgSpec a) {
    StringBuilder b = new StringBuilder();
    for (String d : a.description()) {
      b.append(b.length() == 0 ? "" : " ").append(text(d, a));
    }
    return b.toString();
  }

  /** The text without picocli's markup and with its variables filled in. */
  private static String text(String d, ArgSpec a) {
    String t = d;
    if (a != null) {
      String def = a.defaultValueString();
      t = t.replace("${DEFAULT-VALUE}", def == null ? "" : def);
      t = t.replace("${COMPLETION-CANDIDATES}", candidates(a));
    }
    return Help.Ansi.OFF.string(t);
  }

  private static String candidates(ArgSpec a) {
    List<String> c = new ArrayList<>();
    if (a.completionCandidates() != null) {
      a.completionCandidates().forEach(c::add);
    }
    return String.join(", ", c);
  }

  /** One line of running text, escaped for roff. */
  private static String line(String s) {
    String e = escape(s);
    if (e.startsWith(".") || e.startsWith("'")) {
      e = "\\&" + e;
    }
    return e + "\n";
  }

  static String escape(String s) {
    return s.replace("\\", "\\e").replace("-", "\\-");
  }
}
