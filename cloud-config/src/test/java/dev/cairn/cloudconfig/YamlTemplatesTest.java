package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;

/**
 * {@link YamlTemplates}: values put into a YAML template cannot change its structure. Every
 * hostile value in every place a reference can stand: the result parses to the template's events,
 * with each scalar's value exactly the template's value with the variable substituted.
 */
class YamlTemplatesTest {
  static final List<String> HOSTILE = List.of(
      "a: b", "x\nhostname: evil", "x\n  - evil", "x\n", "\nx", "x # comment", "#comment", "\"quoted\"", "'single'",
      "- item", "-", "---", "...", "--- x", "{a: b}", "[1, 2]", "a, b", "&anchor", "*alias", "!!binary AAAA",
      "|\n  block", "> folded", "%YAML 1.1", "@reserved", "`tick", "\\", "\\n", "x\u0085hostname: evil",
      "x\u2028y", "\u2029", "\r\nkey: v", "x\rhostname: evil", "\t", "\tx", "", " leading", "trailing ", "  ",
      "?", ":", "a:", "? x", "\u0000", "\u001b[31m", "\u007f", "\u00a0", "😀", "\uFEFF", "${other}", "$other",
      "\ud800", "yes", "0644", "~", "null", "x".repeat(2000), "line1\nline2\n\nline4", "  indented\nless");

  static final List<String> CONTEXTS = List.of(
      "#cloud-config\nhostname: ${v}\n",
      "#cloud-config\nhostname: \"pre ${v} post\"\n",
      "#cloud-config\nhostname: 'pre ${v} post'\n",
      "#cloud-config\nk:\n  ${v}: value\n  other: 1\n",
      "#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: |\n      first ${v}\n      ${v}\n\n    permissions: '0644'\n",
      "#cloud-config\nwrite_files:\n  - path: /etc/x\n    content: >-\n      ${v} folded\n      more\n",
      "#cloud-config\nssh_authorized_keys:\n  - ${v}\n  - second\n",
      "#cloud-config\nflow: {a: \"${v}\", b: [\"${v}\", 2]}\n",
      "#cloud-config\ndescription: a\n  ${v} b\nnext: 1\n",
      "#cloud-config\ntagged: !!str ${v}\n",
      "#cloud-config\nurl: http://${v}:2379/x\n",
      "#cloud-config\nlast: |\n  ${v}",
      "#cloud-config\n# comment ${v}\nk: v # ${v}\n");

  static Stream<Arguments> cases() {
    List<Arguments> all = new ArrayList<>();
    for (int c = 0; c < CONTEXTS.size(); c++) {
      for (String v : HOSTILE) {
        all.add(Arguments.of(c, v));
      }
    }
    return all.stream();
  }

  /** The events of {@code text} as {@code KIND} or {@code Scalar=value}; anchors, tags and styles left out. */
  static List<String> events(String text) {
    List<String> out = new ArrayList<>();
    for (Event e : new Parse(LoadSettings.builder().build()).parseString(text)) {
      out.add(e instanceof ScalarEvent s ? "Scalar=" + s.getValue() : e.getEventId().name());
    }
    return out;
  }

  /** The template's events with the variables substituted into each scalar's value. */
  static List<String> expected(String template, Map<String, String> vars) {
    List<String> out = new ArrayList<>();
    for (String e : events(template)) {
      out.add(e.startsWith("Scalar=") ? "Scalar=" + Templates.substitute(e.substring(7), vars) : e);
    }
    return out;
  }

  @ParameterizedTest(name = "context {0}, value {1}")
  @MethodSource("cases")
  void hostileValue_staysOneScalar_withExactlyItsValue(int context, String value) {
    String template = CONTEXTS.get(context);
    Map<String, String> vars = Map.of("v", value);
    YamlTemplates.Substituted s = YamlTemplates.substitute(template, vars, "t.yaml");
    if (!s.ok()) {
      // Refusing is allowed only for a key that would grow past YAML's 1024-character limit.
      assertTrue(context == 3 && value.length() > 1000, s.problems()::toString);
      assertEquals(template, s.text());
      return;
    }
    assertEquals(expected(template, vars), events(s.text()), s.text());
    // Nothing YAML 1.1 (coreos-cloudinit) reads as a line break, and no control character, comes in raw.
    String added = s.text();
    for (char c : new char[] {'\r', '\u0085', '\u2028', '\u2029', '\u0000', '\u001b', '\u007f', '\uFEFF'}) {
      assertEquals(template.indexOf(c) >= 0, added.indexOf(c) >= 0, "raw U+" + Integer.toHexString(c) + " in " + added);
    }
    // Every line keeps its number: the lines after the scalars are where they were.
    assertEquals(template.split("\n", -1).length, s.text().split("\n", -1).length, s.text());
  }

  @Test
  void plainValues_thatAreSafe_stayPlain_andKeepTheirYaml11Type() {
    Map<String, String> vars = Map.of("h", "node-1.example.com", "port", "8080", "on", "true", "url", "http://10.0.0.1:2379");
    YamlTemplates.Substituted s = YamlTemplates.substitute(
        "#cloud-config\nhostname: ${h}\nport: $port\nenable: ${on}\nurl: ${url}/v2\n", vars, "t.yaml");
    assertEquals("#cloud-config\nhostname: node-1.example.com\nport: 8080\nenable: true\nurl: http://10.0.0.1:2379/v2\n",
        s.text());
  }

  @Test
  void unsafePlainValue_isQuoted_andTheOperatorsTextAroundItToo() {
    YamlTemplates.Substituted s = YamlTemplates.substitute("#cloud-config\nhostname: ${h}\nurl: http://${h}:80/\n",
        Map.of("h", "a: b\nc"), "t.yaml");
    assertEquals("#cloud-config\nhostname: \"a: b\\nc\"\nurl: \"http://a: b\\nc:80/\"\n", s.text());
  }

  @Test
  void blockScalar_withOneLineValues_keepsItsForm() {
    String t = "#cloud-config\nwrite_files:\n  - path: /etc/env\n    content: |\n      HOST=${h}\n      ${h} is here\n";
    YamlTemplates.Substituted s = YamlTemplates.substitute(t, Map.of("h", "web \"1\" # x: y"), "t.yaml");
    assertEquals(t.replace("${h}", "web \"1\" # x: y"), s.text());
  }

  @Test
  void blockScalar_withALineBreakInAValue_becomesADoubleQuotedScalar_overTheSameLines() {
    String t = "#cloud-config\nwrite_files:\n  - path: /etc/env\n    content: |\n      HOST=${h}\n      END\n"
        + "    permissions: '0600'\n";
    YamlTemplates.Substituted s = YamlTemplates.substitute(t, Map.of("h", "x\nmanage_etc_hosts: localhost"), "t.yaml");
    assertEquals("#cloud-config\nwrite_files:\n  - path: /etc/env\n"
        + "    content: \"HOST=x\\nmanage_etc_hosts: localhost\\nEND\\n\\\n"
        + "             \\\n"
        + "             \"\n"
        + "    permissions: '0600'\n", s.text());
  }

  @Test
  void comments_areLeftAsWritten_whateverTheValue() {
    String t = "#cloud-config\n# made for ${h}\nhostname: ${h} # ${h}\n";
    assertEquals("#cloud-config\n# made for ${h}\nhostname: \"x\\nhostname: evil\" # ${h}\n",
        YamlTemplates.substitute(t, Map.of("h", "x\nhostname: evil"), "t.yaml").text());
  }

  @Test
  void referenceInADirective_isAProblem() {
    YamlTemplates.Substituted s = YamlTemplates.substitute("%FOO x ${h}\n---\na: v\n", Map.of("h", "y"), "t.yaml");
    assertEquals(List.of(new Diagnostic("t.yaml", 1, 8, Diagnostic.Level.ERROR,
        "${h} stands outside a value and a comment; a variable can only be a value or part of one")), s.problems());
  }

  @Test
  void valueReferences_leaveOutComments() {
    List<Templates.Reference> refs = YamlTemplates.valueReferences(
        "#cloud-config\n# ${a}\nk: ${b} # ${c}\nl: |\n  ${d}\nm: \"${e}\"\n");
    assertEquals(List.of("b", "d", "e"), refs.stream().map(Templates.Reference::name).toList());
    assertEquals(List.of("a", "b"), YamlTemplates.valueReferences("#!/bin/sh\n# ${a}\necho $b\n").stream()
        .map(Templates.Reference::name).toList());
  }

  /**
   * A reference spelled with escapes in a double-quoted scalar is substituted (the value holds it),
   * so it is one of the template's variables though its text has no {@code $}: a cache keyed on
   * fewer names would serve one machine's render to another.
   */
  @Test
  void variables_includeReferencesSpelledWithEscapes_andThoseInComments() {
    String t = "#cloud-config\n# ${a}\nk: ${b}\nm: \"\\x24{c} $\\\n  {d}\"\nn: '${e.f}'\no: \\$g\n";
    assertEquals("#cloud-config\n# ${a}\nk: B\nm: \"C D\\\n   \"\nn: \"E\"\no: \\$g\n",
        YamlTemplates.substitute(t, Map.of("b", "B", "c", "C", "d", "D", "e.f", "E"), "t.yaml").text());
    assertEquals(java.util.Set.of("a", "b", "c", "d", "e.f", "g"), YamlTemplates.variables(t));
    assertEquals(java.util.Set.of("h"), YamlTemplates.variables("#!/bin/sh\necho \"\\x24{x}\" $h\n"));
    assertEquals(java.util.Set.of("h"), YamlTemplates.variables("#cloud-config\nk: [${h}\n"));
  }

  @Test
  void unknownVariables_areLeftAsWritten() {
    String t = "#cloud-config\nhostname: ${h}\naddr: $private_ipv4:4001\n# ${x}\n";
    assertEquals(t, YamlTemplates.substitute(t, Map.of(), "t.yaml").text());
  }

  @Test
  void script_takesOnlyPlainWordValues() {
    String t = "#!/bin/bash\nhostnamectl set-hostname ${h}\n";
    assertEquals("#!/bin/bash\nhostnamectl set-hostname web-1.example.com\n",
        YamlTemplates.substitute(t, Map.of("h", "web-1.example.com"), "t.sh").text());
    for (String bad : List.of("x; rm -rf /", "$(reboot)", "`id`", "a b", "x\nreboot", "x|y", "x&", "'", "\"")) {
      YamlTemplates.Substituted s = YamlTemplates.substitute(t, Map.of("h", bad), "t.sh");
      assertFalse(s.ok(), bad);
      assertEquals(t, s.text());
      assertEquals(2, s.problems().get(0).line());
      assertEquals(26, s.problems().get(0).column());
    }
  }

  @Test
  void templateThatIsNotYaml_isAProblemWhereTheUnclosedQuoteOpens() {
    YamlTemplates.Substituted s = YamlTemplates.substitute("#cloud-config\nk: \"unclosed ${h}\n\n", Map.of("h", "x"),
        "t.yaml");
    assertEquals(List.of(new Diagnostic("t.yaml", 2, 4, Diagnostic.Level.ERROR, "YAML syntax: found unexpected end of stream")),
        s.problems());
  }

  @Test
  void nonBmpCharacters_beforeAReference_doNotShiftIt() {
    // the scanner counts code points; the text is in chars
    YamlTemplates.Substituted s = YamlTemplates.substitute("#cloud-config\na: \"😀😀\"\nb: ${h} c\n",
        Map.of("h", "x: y"), "t.yaml");
    assertEquals("#cloud-config\na: \"😀😀\"\nb: \"x: y c\"\n", s.text());
  }

  @Test
  void quote_isAlsoAJsonString() {
    assertEquals("\"a\\\"b\\\\c\\n\\t\\u0000\\u2028😀\"", YamlTemplates.quote("a\"b\\c\n\t\u0000\u2028😀"));
  }

  @Test
  void renderYaml_validatesTheSubstitutedText() {
    CloudConfig.Rendered r = CloudConfig.renderYaml("#cloud-config\nhostname: ${h}\ncoreos:\n  update:\n"
        + "    reboot-strategy: ${s}\n", Map.of("h", "a: b", "s", "sometimes"), "t.yaml");
    assertEquals("#cloud-config\nhostname: \"a: b\"\ncoreos:\n  update:\n    reboot-strategy: sometimes\n", r.text());
    assertEquals(List.of(new Diagnostic("t.yaml", 5, 22, Diagnostic.Level.ERROR,
        "invalid value sometimes (expected best-effort, etcd-lock, reboot or off)")), r.diagnostics());
  }
}
