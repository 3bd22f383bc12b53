package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Template substitution ({@link Templates#substitute}) and {@link CloudConfig#render}. */
class RenderTest {
  private static final Map<String, String> VARS = Map.of("name", "node1", "channel", "beta");

  private static String sub(String template) {
    return Templates.substitute(template, VARS);
  }

  // ---- substitution

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      // $name and ${name}
      "$name                 | node1",
      "${name}               | node1",
      "hostname: $name       | hostname: node1",
      "$name-$channel        | node1-beta",
      "${name}${channel}     | node1beta",
      "$$name                | $node1",
      // identifier boundaries: the name runs over letters, digits and _
      "$name.example.com     | node1.example.com",
      "$name-1               | node1-1",
      "$name:4001            | node1:4001",
      "${name}x              | node1x",
      "$namex                | $namex",
      "$name_1               | $name_1",
      "$name1                | $name1",
      "$Name                 | $Name",
      // \\$name stands for a literal $name when name is given
      "\\$name               | $name",
      "\\${name}             | ${name}",
      "\\\\$name             | \\$name",
      "a\\$name b $name      | a$name b node1",
      // unknown names and shell variables are left exactly as written
      "\\$HOME               | \\$HOME",
      "$HOME                 | $HOME",
      "${HOME:-/root}        | ${HOME:-/root}",
      "\\$unknown            | \\$unknown",
      "$private_ipv4:2379    | $private_ipv4:2379",
      "http://$public_ipv4/  | http://$public_ipv4/",
      // not references at all
      "$                     | $",
      "cost: 5$              | cost: 5$",
      "$1 $2                 | $1 $2",
      "${                    | ${",
      "${name                | ${name",
      "${}                   | ${}",
      "$ name                | $ name",
      "\\                    | \\",
  })
  void substitute(String template, String expected) {
    assertEquals(expected, sub(template));
  }

  @ParameterizedTest(name = "[{0}] -> [{1}]")
  @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
      "${net.ip}               | 10.0.0.5",
      "${net.ip}:4001          | 10.0.0.5:4001",
      "${rack.row.n}           | 7",
      "\\${net.ip}           | ${net.ip}",
      // the dotted form exists only in braces: $net.ip is $net then .ip
      "$net.ip                 | $net.ip",
      "$name.ip                | node1.ip",
      // not references: an empty segment, a segment starting with a digit, an unknown name
      "${net.}                 | ${net.}",
      "${.ip}                  | ${.ip}",
      "${net..ip}              | ${net..ip}",
      "${net.1}                | ${net.1}",
      "${net.mask}             | ${net.mask}",
  })
  void substitute_dottedNames(String template, String expected) {
    Map<String, String> vars = Map.of("net.ip", "10.0.0.5", "rack.row.n", "7", "name", "node1");
    assertEquals(expected, Templates.substitute(template, vars));
  }

  @Test
  void references_nameWhereEachStands() {
    assertEquals(List.of(
            new Templates.Reference("a", false, false, 14, 16, 2, 1),
            new Templates.Reference("b.c", true, false, 17, 23, 2, 4),
            new Templates.Reference("d", true, true, 28, 33, 3, 4)),
        Templates.references("#cloud-config\n$a ${b.c}\n😀: \\${d} ${} $1 $\n"));
  }

  @Test
  void substitute_coreosVariables_onlyWhenGiven() {
    String t = "addr: $private_ipv4:4001\npeer: ${public_ipv4}:7001\n";
    assertEquals(t, Templates.substitute(t, Map.of()));
    assertEquals("addr: 10.0.0.5:4001\npeer: ${public_ipv4}:7001\n",
        Templates.substitute(t, Map.of("private_ipv4", "10.0.0.5")));
    assertEquals("addr: 10.0.0.5:4001\npeer: 203.0.113.9:7001\n",
        Templates.substitute(t, Map.of("private_ipv4", "10.0.0.5", "public_ipv4", "203.0.113.9")));
  }

  @Test
  void substitute_valuesAreInsertedLiterally_andOnlyOnce() {
    // A value that looks like a reference, a regex replacement or an escape is copied as it is.
    Map<String, String> vars = Map.of("a", "$b", "b", "B", "path", "C:\\dir\\$1", "empty", "");
    assertEquals("$b B", Templates.substitute("$a $b", vars));
    assertEquals("C:\\dir\\$1", Templates.substitute("$path", vars));
    assertEquals("[]", Templates.substitute("[$empty]", vars));
  }

  @Test
  void substitute_withoutVariables_isIdentity() {
    String t = "#cloud-config\nhostname: $name\nwrite_files:\n  - content: \\$HOME ${x} \\\\ $\n";
    assertEquals(t, Templates.substitute(t, Map.of()));
  }

  // ---- render

  private static final String TEMPLATE = """
      #cloud-config
      hostname: $name
      coreos:
        etcd2:
          advertise-client-urls: http://$private_ipv4:2379
        update:
          group: ${channel}
          reboot-strategy: $strategy
      write_files:
        - path: /etc/profile.d/cost.sh
          content: |
            echo "\\$HOME costs 5$"
      """;

  @Test
  void render_valid() {
    CloudConfig.Rendered r = CloudConfig.render(TEMPLATE,
        Map.of("name", "node1", "channel", "stable", "strategy", "etcd-lock"), "node1.yaml");
    assertEquals("""
        #cloud-config
        hostname: node1
        coreos:
          etcd2:
            advertise-client-urls: http://$private_ipv4:2379
          update:
            group: stable
            reboot-strategy: etcd-lock
        write_files:
          - path: /etc/profile.d/cost.sh
            content: |
              echo "\\$HOME costs 5$"
        """, r.text());
    assertEquals(List.of(), r.diagnostics());
    assertTrue(r.valid());
  }

  @Test
  void render_invalidValue_isReportedWhereTheSubstitutedValueStands() {
    CloudConfig.Rendered r = CloudConfig.render(TEMPLATE,
        Map.of("name", "node1", "channel", "stable", "strategy", "always"), "node1.yaml");
    assertFalse(r.valid());
    assertEquals(List.of(new Diagnostic("node1.yaml", 8, 22, Diagnostic.Level.ERROR,
        "invalid value always (expected best-effort, etcd-lock, reboot or off)")), r.diagnostics());
  }

  @Test
  void render_missingVariable_isLeftForTheMachine_andStillValidates() {
    // $strategy not given: it stays as written, which is not a reboot strategy.
    CloudConfig.Rendered r = CloudConfig.render(TEMPLATE, Map.of("name", "node1", "channel", "stable"), "t.yaml");
    assertTrue(r.text().contains("reboot-strategy: $strategy\n"), r.text());
    assertFalse(r.valid());
    assertEquals("invalid value $strategy (expected best-effort, etcd-lock, reboot or off)",
        r.diagnostics().get(0).message());
  }

  @Test
  void render_valueThatBreaksTheYaml_isInvalid() {
    CloudConfig.Rendered r = CloudConfig.render("#cloud-config\nhostname: $name\n",
        Map.of("name", "a: b"), "t.yaml");
    assertEquals("#cloud-config\nhostname: a: b\n", r.text());
    assertFalse(r.valid());
    assertEquals(1, r.diagnostics().size(), r.diagnostics()::toString);
    assertEquals(new Diagnostic("t.yaml", 2, 12, Diagnostic.Level.ERROR, "YAML syntax: mapping values are not allowed here"),
        r.diagnostics().get(0));
  }

  @Test
  void render_valueWithALineBreak_cannotSmuggleAnUpdateSetting() {
    CloudConfig.Rendered r = CloudConfig.render("#cloud-config\ncoreos:\n  update:\n    server: \"$server\"\n",
        Map.of("server", "https://x/\\nREBOOT_STRATEGY=always"), "t.yaml");
    assertFalse(r.valid(), r.diagnostics()::toString);
  }

  @Test
  void render_warningsOnly_isStillValid() {
    CloudConfig.Rendered r = CloudConfig.render("#cloud-config\nhostnme: $name\n", Map.of("name", "node1"), "t.yaml");
    assertTrue(r.valid());
    assertEquals(List.of(new Diagnostic("t.yaml", 2, 1, Diagnostic.Level.WARNING,
        "unrecognized key \"hostnme\" (did you mean \"hostname\"?)")), r.diagnostics());
  }

  @Test
  void render_script_isNotValidatedAsYaml() {
    String script = "#!/bin/bash\necho \"$HOME\" ${name} \\$name\n";
    CloudConfig.Rendered r = CloudConfig.render(script, Map.of("name", "node1"), "t.sh");
    assertEquals("#!/bin/bash\necho \"$HOME\" node1 $name\n", r.text());
    assertEquals(List.of(), r.diagnostics());
    assertTrue(r.valid());
  }

  @Test
  void render_headerFromAVariable_isValidatedAfterSubstitution() {
    CloudConfig.Rendered r = CloudConfig.render("$header\nhostname: x\n", Map.of("header", "#cloud-config"), "t.yaml");
    assertEquals(List.of(), r.diagnostics());
    CloudConfig.Rendered missing = CloudConfig.render("$header\nhostname: x\n", Map.of(), "t.yaml");
    assertFalse(missing.valid());
  }
}
