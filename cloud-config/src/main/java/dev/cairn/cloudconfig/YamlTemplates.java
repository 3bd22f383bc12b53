package dev.cairn.cloudconfig;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.scanner.ScannerImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.tokens.ScalarToken;
import org.snakeyaml.engine.v2.tokens.Token;

/**
 * Substitutes variables ({@link Templates}) into a YAML template so that no value can change the
 * document's structure: a value with a line break, {@code ": "}, {@code " #"}, quotes or
 * indentation stays one scalar, exactly where the template put it, and means exactly itself.
 *
 * <p>The template is read with the YAML scanner, and each scalar that holds a reference is
 * written again from its value with the variables substituted:
 * <ul>
 *   <li>a plain scalar on one line stays plain when the result is made of letters, digits and
 *       {@code _ . / + = @ % ~ -} (and {@code :} outside flow collections), starts with a letter,
 *       a digit, {@code _} or {@code /}, and is not empty: what an operator would have typed there
 *       by hand, typed as YAML 1.1 types it ({@code 8080} an integer, {@code true} a boolean);
 *   <li>any other scalar is written double-quoted, every character that is not printable ASCII or
 *       printable Unicode escaped ({@code \n}, {@code \t}, {@code \"}, {@code \\},
 *       {@code \}{@code uXXXX}), YAML 1.1's extra line breaks (U+0085, U+2028, U+2029) included;
 *       the quoted scalar takes as many lines as the one it replaces (escaped line breaks), so
 *       every later line keeps its number;
 *   <li>a literal or folded block scalar keeps its form when every value put into it is one line
 *       of printable characters that cannot change its indentation; otherwise it is written
 *       double-quoted as above.
 * </ul>
 * Comments are for whoever reads the template: references there are left as written. Anywhere
 * else outside a scalar (in a tag, say) a reference is a problem. A {@code #!} script is not YAML: a value goes into it only when it is made of letters, digits
 * and {@code . _ : / @ + = , % -}. A value that cannot be put in is a problem with the line and
 * column of its reference, and nothing is substituted then.
 *
 * <p>As a last guard the result is scanned again and must have exactly the template's tokens.
 */
public final class YamlTemplates {
  private YamlTemplates() {}

  /** The substituted text, or the template unchanged with the reasons it could not be. */
  public record Substituted(String text, List<Diagnostic> problems) {
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private static final Pattern SCRIPT_SAFE = Pattern.compile("[A-Za-z0-9._:/@+=,%-]*");
  private static final Pattern PLAIN_SAFE_BLOCK = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_./+=@%~:-]*");
  private static final Pattern PLAIN_SAFE_FLOW = Pattern.compile("[A-Za-z0-9_/][A-Za-z0-9_./+=@%~-]*");

  /** Substitutes {@code vars} into {@code template} (named {@code source} in problems). */
  public static Substituted substitute(String template, Map<String, String> vars, String source) {
    if (template.startsWith("#!")) {
      return script(template, vars, source);
    }
    List<Span> scalars;
    try {
      scalars = scan(template);
    } catch (MarkedYamlEngineException e) {
      // An unclosed quote or bracket is noticed at the end of the text: point at where it opened.
      String p = String.valueOf(e.getProblem());
      boolean atEnd = p.contains("end of stream") || p.contains("<stream end>");
      Mark m = (atEnd ? e.getContextMark().or(e::getProblemMark) : e.getProblemMark().or(e::getContextMark))
          .orElse(null);
      return refused(template, new Diagnostic(source, m == null ? 1 : m.getLine() + 1,
          m == null ? 1 : m.getColumn() + 1, Diagnostic.Level.ERROR, "YAML syntax: " + e.getProblem()));
    } catch (YamlEngineException e) {
      return refused(template, new Diagnostic(source, 1, 1, Diagnostic.Level.ERROR, "YAML syntax: " + e.getMessage()));
    }
    List<Diagnostic> problems = new ArrayList<>();
    StringBuilder out = new StringBuilder(template.length() + 64);
    List<Templates.Reference> refs = Templates.references(template);
    int r = 0;
    int at = 0;
    for (Span s : scalars) {
      // Between scalars: indicators, blanks, tags, anchors and comments. References in comments
      // are left as written. One that runs into the scalar is no reference.
      for (; r < refs.size() && refs.get(r).end() <= s.start; r++) {
        gapReference(template, refs.get(r), vars, source, problems);
      }
      for (; r < refs.size() && refs.get(r).start() < s.end; r++) {
        // in (or into) the scalar: its value is substituted as a whole below
      }
      out.append(template, at, s.start);
      out.append(scalar(template, s, vars));
      at = s.end;
    }
    for (; r < refs.size(); r++) {
      gapReference(template, refs.get(r), vars, source, problems);
    }
    if (!problems.isEmpty()) {
      return new Substituted(template, List.copyOf(problems));
    }
    out.append(template, at, template.length());
    String text = out.toString();
    if (!sameStructure(template, text)) {
      return refused(template, new Diagnostic(source, 1, 1, Diagnostic.Level.ERROR,
          "substituting the variables would change the YAML structure; nothing was substituted"));
    }
    return new Substituted(text, List.of());
  }

  private static Substituted refused(String template, Diagnostic d) {
    return new Substituted(template, List.of(d));
  }

  /** A scalar token: its offsets in the text (chars), its style, value and column, and whether it is in a flow collection. */
  private record Span(int start, int end, ScalarStyle style, String value, int column, boolean flow) {}

  private static LoadSettings settings(String text) {
    return LoadSettings.builder().setUseMarks(true).setCodePointLimit(Integer.MAX_VALUE)
        .setBufferSize(text.length() + 2).build();
  }

  private static List<Span> scan(String text) {
    LoadSettings settings = settings(text);
    ScannerImpl scanner = new ScannerImpl(settings, new StreamReader(settings, text));
    List<Span> spans = new ArrayList<>();
    CodePoints cp = new CodePoints(text);
    int flow = 0;
    while (scanner.hasNext()) {
      Token t = scanner.next();
      switch (t.getTokenId()) {
        case FlowMappingStart, FlowSequenceStart -> flow++;
        case FlowMappingEnd, FlowSequenceEnd -> flow--;
        case Scalar -> {
          ScalarToken s = (ScalarToken) t;
          Mark start = s.getStartMark().orElseThrow();
          Mark end = s.getEndMark().orElseThrow();
          spans.add(new Span(cp.chars(start.getIndex()), cp.chars(end.getIndex()), s.getStyle(), s.getValue(),
              start.getColumn(), flow > 0));
        }
        default -> { }
      }
    }
    return spans;
  }

  /** The token kinds of {@code text}, or null when it does not scan. */
  private static List<Token.ID> tokens(String text) {
    try {
      LoadSettings settings = settings(text);
      ScannerImpl scanner = new ScannerImpl(settings, new StreamReader(settings, text));
      List<Token.ID> ids = new ArrayList<>();
      while (scanner.hasNext()) {
        ids.add(scanner.next().getTokenId());
      }
      return ids;
    } catch (YamlEngineException e) {
      return null;
    }
  }

  private static boolean sameStructure(String template, String text) {
    List<Token.ID> a = tokens(template);
    return a != null && a.equals(tokens(text));
  }

  /** Converts the scanner's code point offsets to char offsets. */
  private static final class CodePoints {
    private final String text;
    private final boolean surrogates;
    private int lastCp;
    private int lastChar;

    CodePoints(String text) {
      this.text = text;
      this.surrogates = text.codePoints().count() != text.length();
    }

    int chars(int codePoint) {
      if (!surrogates) {
        return codePoint;
      }
      if (codePoint < lastCp) {
        lastCp = 0;
        lastChar = 0;
      }
      lastChar = text.offsetByCodePoints(lastChar, codePoint - lastCp);
      lastCp = codePoint;
      return lastChar;
    }
  }

  /** A reference outside every scalar: left as written in a comment, a problem anywhere else. */
  private static void gapReference(String text, Templates.Reference ref, Map<String, String> vars, String source,
      List<Diagnostic> problems) {
    if (!ref.escaped() && vars.containsKey(ref.name()) && !inComment(text, ref.start())) {
      problems.add(new Diagnostic(source, ref.line(), ref.column(), Diagnostic.Level.ERROR,
          "${" + ref.name() + "} stands outside a value and a comment; a variable can only be a value or part of one"));
    }
  }

  /**
   * The references that stand in values, where they are substituted: in a YAML template those
   * inside scalars (not those in comments), in a {@code #!} script all of them. A template that
   * does not scan has all of its references.
   */
  public static List<Templates.Reference> valueReferences(String template) {
    List<Templates.Reference> all = Templates.references(template);
    if (template.startsWith("#!")) {
      return all;
    }
    List<Span> scalars;
    try {
      scalars = scan(template);
    } catch (YamlEngineException e) {
      return all;
    }
    List<Templates.Reference> in = new ArrayList<>();
    int s = 0;
    for (Templates.Reference ref : all) {
      while (s < scalars.size() && scalars.get(s).end <= ref.start()) {
        s++;
      }
      if (s < scalars.size() && scalars.get(s).start <= ref.start() && ref.end() <= scalars.get(s).end) {
        in.add(ref);
      }
    }
    return List.copyOf(in);
  }

  /**
   * The names of every variable whose value, or whether it is given at all, can change what
   * {@link #substitute} makes of {@code template}: those referenced in its text, and those
   * referenced in the value of one of its scalars (a double-quoted scalar can spell a reference
   * with escapes: {@code "\x24{name}"}). Two sets of variables that agree on these names (the same
   * value, or both without one) give the same result: what a cache of renders keys on.
   */
  public static Set<String> variables(String template) {
    Set<String> names = new TreeSet<>();
    Templates.references(template).forEach(r -> names.add(r.name()));
    if (!template.startsWith("#!")) {
      try {
        for (Span s : scan(template)) {
          Templates.references(s.value).forEach(r -> names.add(r.name()));
        }
      } catch (YamlEngineException e) {
        // does not scan: substitute refuses it whatever the variables are
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** Whether {@code at} is inside a comment: after a {@code #} that starts its line or follows a blank. */
  private static boolean inComment(String text, int at) {
    int lineStart = text.lastIndexOf('\n', at - 1) + 1;
    for (int i = lineStart; i < at; i++) {
      if (text.charAt(i) == '#' && (i == lineStart || text.charAt(i - 1) == ' ' || text.charAt(i - 1) == '\t')) {
        return true;
      }
    }
    return false;
  }

  /** The scalar {@code s} of {@code text} with the variables put into its value. */
  private static String scalar(String text, Span s, Map<String, String> vars) {
    String source = text.substring(s.start, s.end);
    String value = Templates.substitute(s.value, vars);
    if (value.equals(s.value)) {
      return source;
    }
    int breaks = 0;
    for (int i = 0; i < source.length(); i++) {
      if (source.charAt(i) == '\n') {
        breaks++;
      }
    }
    if (s.style == ScalarStyle.PLAIN && breaks == 0
        && (s.flow ? PLAIN_SAFE_FLOW : PLAIN_SAFE_BLOCK).matcher(value).matches() && !value.endsWith(":")) {
      return value;
    }
    if ((s.style == ScalarStyle.LITERAL || s.style == ScalarStyle.FOLDED) && blockSafe(source, vars)) {
      return Templates.substitute(source, vars);
    }
    return quoted(value, breaks, source.endsWith("\n"), s.column);
  }

  /**
   * Whether the variables can go into the block scalar {@code source} as text: every value is one
   * line of printable characters, and none that starts a line's content is empty or starts with a
   * blank (it would change the block's indentation).
   */
  private static boolean blockSafe(String source, Map<String, String> vars) {
    for (Templates.Reference ref : Templates.references(source)) {
      if (!vars.containsKey(ref.name())) {
        continue;
      }
      String v = vars.get(ref.name());
      if (!oneLine(v)) {
        return false;
      }
      int lineStart = source.lastIndexOf('\n', ref.start() - 1) + 1;
      boolean startsContent = source.substring(lineStart, ref.start()).isBlank();
      if (startsContent && (v.isEmpty() || v.charAt(0) == ' ' || v.charAt(0) == '\t')) {
        return false;
      }
    }
    return true;
  }

  /** One line of printable characters: nothing {@link #quote} would escape but {@code "} and {@code \}. */
  static boolean oneLine(String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c != '"' && c != '\\' && c != '\t' && escape(c) != null) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code value} as a double-quoted scalar over {@code breaks} line breaks (escaped, so they add
   * nothing to the value), continuation lines indented to {@code column}; with a line break after
   * it when {@code trailingBreak} (the block scalar it replaces ended with one).
   */
  static String quoted(String value, int breaks, boolean trailingBreak, int column) {
    String q = quote(value);
    StringBuilder b = new StringBuilder(q.length() + breaks * (column + 3));
    b.append(q, 0, q.length() - 1);
    int continuations = trailingBreak ? breaks - 1 : breaks;
    String indent = " ".repeat(column);
    for (int i = 0; i < continuations; i++) {
      b.append("\\\n").append(indent);
    }
    b.append('"');
    if (trailingBreak) {
      b.append('\n');
    }
    return b.toString();
  }

  /**
   * {@code value} as a one-line double-quoted YAML scalar, also a JSON string: {@code "} and
   * {@code \} escaped, and every character outside printable ASCII and printable Unicode
   * (controls, DEL, C1 controls, U+2028, U+2029, U+FEFF, unpaired surrogates, U+FFFE, U+FFFF).
   */
  public static String quote(String value) {
    StringBuilder b = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        b.append(c).append(value.charAt(++i));
        continue;
      }
      String e = escape(c);
      b.append(e == null ? String.valueOf(c) : e);
    }
    return b.append('"').toString();
  }

  /** How {@code c} is written in a double-quoted scalar, or null when it stands for itself. */
  private static String escape(char c) {
    switch (c) {
      case '"':
        return "\\\"";
      case '\\':
        return "\\\\";
      case '\n':
        return "\\n";
      case '\t':
        return "\\t";
      case '\r':
        return "\\r";
      default:
        break;
    }
    boolean printable = (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF && c != 0x2028 && c != 0x2029)
        || (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
    return printable ? null : String.format("\\u%04x", (int) c);
  }

  /** A {@code #!} script: values made of {@link #SCRIPT_SAFE} characters only. */
  private static Substituted script(String template, Map<String, String> vars, String source) {
    List<Diagnostic> problems = new ArrayList<>();
    for (Templates.Reference ref : Templates.references(template)) {
      if (!ref.escaped() && vars.containsKey(ref.name()) && !SCRIPT_SAFE.matcher(vars.get(ref.name())).matches()) {
        problems.add(new Diagnostic(source, ref.line(), ref.column(), Diagnostic.Level.ERROR,
            "the value of $" + (ref.braced() ? "{" + ref.name() + "}" : ref.name())
                + " cannot go into a #! script: only letters, digits and . _ : / @ + = , % - are put into scripts"));
      }
    }
    return problems.isEmpty() ? new Substituted(Templates.substitute(template, vars), List.of())
        : new Substituted(template, List.copyOf(problems));
  }
}
