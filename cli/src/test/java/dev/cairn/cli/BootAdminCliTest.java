package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cairn admin boot ...} against a real {@code cairn serve}: apply, list, show and delete of
 * profiles, groups and templates; a refused change prints the server's findings one per line and
 * exits 1 with the files unchanged. Each test deletes what it added.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootAdminCliTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsKey ops@example.com";

  @TempDir static Path dir;
  ServeProcess serve;
  Path boot;
  final List<String[]> added = new ArrayList<>();

  @BeforeAll
  void start() throws Exception {
    serve = ServeProcess.start(dir);
    boot = serve.data.resolve("boot");
  }

  @AfterAll
  void stop() throws Exception {
    serve.close();
  }

  @AfterEach
  void deleteWhatWasAdded() {
    for (int i = added.size() - 1; i >= 0; i--) {
      admin("boot", added.get(i)[0], "delete", added.get(i)[1]);
    }
    added.clear();
  }

  CliHarness.Result admin(String... args) {
    List<String> all = new ArrayList<>(List.of("admin"));
    all.addAll(List.of(args));
    all.addAll(List.of("--server", serve.url, "--token-file", serve.tokenFile().toString()));
    return CliHarness.cairn(all.toArray(String[]::new));
  }

  Path file(String name, String text) throws Exception {
    Path p = dir.resolve("in").resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  /** Applies {@code text} as {@code kind} from a file {@code name}, expecting success; deleted after the test. */
  CliHarness.Result apply(String kind, String id, String name, String text) throws Exception {
    CliHarness.Result r = admin("boot", kind, "apply", file(name, text).toString()).ok();
    added.add(new String[] {kind, id});
    return r;
  }

  @Test
  void groupApply_list_show_reapply_delete() throws Exception {
    String node1 = "# The first etcd member\nid: node-1\nname: The first etcd member\nprofile: example\nselector:\n"
        + "  mac: 52:54:00:12:34:56\nmetadata:\n  ssh_authorized_key: " + KEY + "\n";
    Path f = file("node-1.yaml", node1);

    assertEquals("created group node-1 (boot/groups/node-1.yaml); serving 1 profile, 2 groups, 1 template\n",
        admin("boot", "group", "apply", f.toString()).ok().out());
    assertEquals("""
        ID       NAME                                  PROFILE  SELECTOR
        default  Every machine no other group selects  example  (default)
        node-1   The first etcd member                 example  mac=52:54:00:12:34:56
        """, admin("boot", "group", "list").ok().out());
    assertEquals(node1, admin("boot", "group", "show", "node-1").ok().out());
    assertEquals(node1, Files.readString(boot.resolve("groups/node-1.yaml")));

    Files.writeString(f, node1.replace("The first", "The 1st"));
    assertEquals("updated group node-1 (boot/groups/node-1.yaml); serving 1 profile, 2 groups, 1 template\n",
        admin("boot", "group", "apply", f.toString()).ok().out());
    JsonNode shown = JSON.readTree(admin("boot", "group", "show", "node-1", "--format", "json").ok().out());
    assertEquals("The 1st etcd member", shown.get("name").asText());

    assertEquals("deleted group node-1 (boot/groups/node-1.yaml); serving 1 profile, 1 group, 1 template\n",
        admin("boot", "group", "delete", "node-1").ok().out());
    assertFalse(Files.exists(boot.resolve("groups/node-1.yaml")));
  }

  @Test
  void templateApply_takesTheNameFromTheFile_andProfileApplyTheIdFromIt() throws Exception {
    apply("template", "node", "node.yaml", "#cloud-config\nhostname: ${name}\n");
    CliHarness.Result p = apply("profile", "node", "whatever.yaml",
        "id: \"node\"\nboot:\n  kernel: https://example.com/vmlinuz\ncloud_config: node\n");

    assertEquals("created profile node (boot/profiles/node.yaml); serving 2 profiles, 1 group, 2 templates\n", p.out());
    assertEquals("""
        ID       FILE                         PROFILES
        example  boot/templates/example.yaml  example
        node     boot/templates/node.yaml     node
        """, admin("boot", "template", "list").ok().out());
    assertEquals("""
        ID       NAME                                                      FILE
        example  Flatcar Container Linux (stable) from the release server  boot/profiles/example.yaml
        node     node                                                      boot/profiles/node.yaml
        """, admin("boot", "profile", "list").ok().out());
    assertEquals("#cloud-config\nhostname: ${name}\n", admin("boot", "template", "show", "node").ok().out());
  }

  @Test
  void aRefusedApply_printsTheErrorAndEachFindingOnItsOwnLine_exit1_andWritesNothing() throws Exception {
    Path other = file("other.yaml", "id: other\nprofile: example\n");
    byte[] before = Files.readAllBytes(boot.resolve("groups/default.yaml"));

    CliHarness.Result r = admin("boot", "group", "apply", other.toString());

    assertEquals(1, r.code(), r.describe("exit 1"));
    assertEquals("", r.out());
    assertEquals(List.of(
        "cairn admin boot group apply: group other would leave the boot data with 2 findings; nothing was changed",
        "boot/groups/other.yaml:1: a second default group (no selector): default in boot/groups/default.yaml:11 is the"
            + " default",
        "boot/templates/example.yaml:9: for group other: ${ssh_authorized_key} is not in the group's metadata, and is"
            + " not a label name or server"), r.errLines());
    assertFalse(Files.exists(boot.resolve("groups/other.yaml")));
    assertEquals(new String(before), Files.readString(boot.resolve("groups/default.yaml")));
  }

  @Test
  void aRefusedApply_asJson_isTheServersAnswerOnStdout_exit1() throws Exception {
    Path bad = file("bad.yaml", "id: bad\nprofile: nope\nselector:\n  serial: B1\n");

    CliHarness.Result r = admin("boot", "group", "apply", bad.toString(), "--format", "json");

    assertEquals(1, r.code(), r.describe("exit 1"));
    JsonNode j = JSON.readTree(r.out());
    assertEquals("boot/groups/bad.yaml", j.at("/findings/0/file").asText());
    assertEquals(2, j.at("/findings/0/line").asInt());
    assertEquals("profile nope does not exist", j.at("/findings/0/reason").asText());
  }

  @Test
  void aRefusedDelete_printsTheDanglingReferences_exit1() throws Exception {
    CliHarness.Result r = admin("boot", "profile", "delete", "example");

    assertEquals(1, r.code(), r.describe("exit 1"));
    assertEquals(List.of("cairn admin boot profile delete: deleting profile example would leave the boot data with 1"
        + " finding; nothing was changed", "boot/groups/default.yaml:13: profile example does not exist"), r.errLines());
    assertTrue(Files.exists(boot.resolve("profiles/example.yaml")));
  }

  @Test
  void aFileWhoseIdIsNotValid_isBadInput_exit2_beforeAnythingIsSent() throws Exception {
    Path upper = file("upper.yaml", "id: Node\nselector:\n  serial: U1\n");
    CliHarness.Result r = admin("boot", "group", "apply", upper.toString());
    assertEquals(2, r.code(), r.describe("exit 2"));
    assertEquals(List.of("cairn admin boot group apply: " + upper + ": group id 'Node': expected lower-case letters,"
        + " digits, '.', '_' and '-', starting with a letter or digit (at most 64)"), r.errLines());

    CliHarness.Result t = admin("boot", "template", "apply", file("node.txt", "#cloud-config\n").toString());
    assertEquals(2, t.code(), t.describe("exit 2"));
    assertTrue(t.err().contains("a template is named by its file, NAME.yaml"), t.err());
  }

  @Test
  void unknownIds_areTheServersOneLine_exit1() {
    CliHarness.Result show = admin("boot", "group", "show", "nope");
    assertEquals(1, show.code(), show.describe("exit 1"));
    assertEquals(List.of("cairn admin boot group show: no group nope in the boot data served"), show.errLines());
    CliHarness.Result delete = admin("boot", "template", "delete", "nope");
    assertEquals(1, delete.code(), delete.describe("exit 1"));
    assertEquals(List.of("cairn admin boot template delete: no template nope in boot/templates/"), delete.errLines());
  }

  @Test
  void aWrongToken_isRefused_exit1() throws Exception {
    Path token = file("wrong.token", "0123456789abcdef0123456789abcdef\n");
    CliHarness.Result r = CliHarness.cairn("admin", "boot", "group", "list", "--server", serve.url, "--token-file",
        token.toString());
    assertEquals(1, r.code(), r.describe("exit 1"));
    assertEquals(List.of("cairn admin boot group list: the server at " + serve.url + " refused the admin token from "
        + token + " (a valid bearer token is required)"), r.errLines());
  }
}
