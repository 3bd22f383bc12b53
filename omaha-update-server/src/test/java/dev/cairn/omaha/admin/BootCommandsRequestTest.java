package dev.cairn.omaha.admin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests {@code cairn admin boot} sends and how it prints the answers, on a server that
 * records requests and answers what it is told: the file's bytes go unchanged to the id the file
 * names, bad input is refused before anything is sent, and every string from the server is shown
 * escaped. (The real server is {@code BootAdminCliTest}'s, in the cli module.)
 */
class BootCommandsRequestTest {
  static final String CHANGED = "{\"kind\": \"group\", \"id\": \"node-1\", \"action\": \"created\","
      + " \"file\": \"boot/groups/node-1.yaml\", \"served\": true, \"boot_data\": \"1 profile, 2 groups, 1 template\"}";

  @TempDir Path dir;
  RecordingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  Admin.Result admin(String... args) {
    return Admin.run(server.env(), args);
  }

  Path file(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void groupApply_putsTheFileBytesUnchanged_atTheIdTheFileNames() throws Exception {
    String text = "# first member\nname: x\nid: \"node-1\"   # quoted\nselector: {mac: 52:54:00:12:34:56}\n";
    server.answer(201, CHANGED);

    Admin.Result r = admin("boot", "group", "apply", file("anything.yaml", text).toString()).ok();

    RecordingServer.Request req = server.only();
    assertEquals("PUT", req.method());
    assertEquals("/api/v1/boot/groups/node-1", req.path());
    assertEquals("application/yaml", req.header("Content-Type"));
    assertArrayEquals(text.getBytes(StandardCharsets.UTF_8), req.body());
    assertEquals("created group node-1 (boot/groups/node-1.yaml); serving 1 profile, 2 groups, 1 template\n", r.out());
  }

  @Test
  void templateApply_isNamedByItsFile_yamlOrYml() throws Exception {
    server.answer(200, CHANGED.replace("created", "updated"));
    admin("boot", "template", "apply", file("node.yml", "#cloud-config\n").toString()).ok();
    assertEquals("/api/v1/boot/templates/node", server.only().path());
  }

  @Test
  void delete_isADeleteOfTheId() {
    server.answer(200, "{\"kind\": \"profile\", \"id\": \"node-1\", \"action\": \"deleted\","
        + " \"file\": \"boot/profiles/node-1.yaml\", \"served\": true, \"boot_data\": \"1 profile, 1 group, 1 template\"}");
    assertEquals("deleted profile node-1 (boot/profiles/node-1.yaml); serving 1 profile, 1 group, 1 template\n",
        admin("boot", "profile", "delete", "node-1").ok().out());
    assertEquals("DELETE", server.only().method());
    assertEquals("/api/v1/boot/profiles/node-1", server.only().path());
  }

  @Test
  void aChangeNotServedYet_saysSo() throws Exception {
    server.answer(200, CHANGED.replace("\"served\": true", "\"served\": false"));
    assertEquals("created group node-1 (boot/groups/node-1.yaml); not served yet: other files of the boot data changed"
        + " at the same time and have findings (see /healthz)\n",
        admin("boot", "group", "apply", file("g.yaml", "id: node-1\n").toString()).ok().out());
  }

  @Test
  void badInput_isExit2_andSendsNothing() throws Exception {
    List<String[]> cases = List.of(
        new String[] {"group", file("noid.yaml", "name: x\nselector: {serial: A}\n").toString(), "no id"},
        new String[] {"group", file("list.yaml", "- id: x\n").toString(), "no id"},
        new String[] {"group", file("syntax.yaml", "id: [x\n").toString(), "not YAML"},
        new String[] {"profile", file("path.yaml", "id: ../x\n").toString(), "profile id '../x': expected"},
        new String[] {"profile", file("upper.yaml", "id: Node\n").toString(), "profile id 'Node': expected"},
        new String[] {"template", file("node.txt", "#cloud-config\n").toString(), "a template is named by its file"},
        new String[] {"template", file(".yaml", "#cloud-config\n").toString(), "a template is named by its file"},
        new String[] {"template", file("big.yaml", "#" + "x".repeat(1024 * 1024)).toString(), "larger than 1048576"});
    for (String[] c : cases) {
      Admin.Result r = admin("boot", c[0], "apply", c[1]);
      assertEquals(2, r.code(), c[1] + ": " + r.err());
      assertTrue(r.err().startsWith("admin boot " + c[0] + " apply: " + c[1] + ": "), r.err());
      assertTrue(r.err().contains(c[2]), r.err());
    }
    for (String id : new String[] {"../x", "a/b", "X", ".x", ""}) {
      assertEquals(2, admin("boot", "group", "show", id).code(), id);
      assertEquals(2, admin("boot", "group", "delete", id).code(), id);
    }
    assertEquals(List.of(), server.requests, "nothing was sent");
  }

  @Test
  void aRefusal_printsTheErrorThenEachFinding_escaped_exit1() throws Exception {
    server.answer(422, "{\"error\": \"group x would leave the boot data with 2 findings; nothing was changed\","
        + " \"findings\": [{\"file\": \"boot/groups/x.yaml\", \"line\": 2, \"reason\": \"id \\\"a\\u001b[2J\\u202e\\\": expected"
        + " letters\"}, {\"file\": \"boot/templates/t\\u009b.yaml\", \"line\": null, \"reason\": \"r\\r\\n\"}]}");

    Admin.Result r = admin("boot", "group", "apply", file("x.yaml", "id: x\n").toString());

    assertEquals(1, r.code());
    assertEquals("", r.out());
    assertEquals("admin boot group apply: group x would leave the boot data with 2 findings; nothing was changed\n"
        + "boot/groups/x.yaml:2: id \"a\\e[2J\\u202e\": expected letters\n"
        + "boot/templates/t\\x9b.yaml: r\\r\\n\n", r.err());
  }

  @Test
  void show_printsTheFileText_lineByLine_withControlCharactersEscaped() {
    server.answer(200, "{\"id\": \"x\", \"text\": \"# \\u001b]0;owned\\u0007\\nid: x\\r\\nname: \\u202eevil\\n\"}");
    assertEquals("# \\e]0;owned\\a\nid: x\\r\nname: \\u202eevil\n", admin("boot", "group", "show", "x").ok().out());
    assertEquals("/api/v1/boot/groups/x", server.only().path());
  }

  @Test
  void lists_areTables_withEverythingEscaped() {
    server.answer(200, "[{\"id\": \"default\", \"name\": \"All\", \"profile\": \"example\", \"selector\": {},"
        + " \"file\": \"boot/groups/default.yaml\"}, {\"id\": \"n\", \"name\": \"n\\u001b[2J\", \"profile\": null,"
        + " \"selector\": {\"mac\": \"52:54:00:12:34:56\", \"rack\\u0007\": \"7\\u009b\"}, \"file\": \"boot/groups/n.yaml\"}]");
    assertEquals("""
        ID       NAME    PROFILE  SELECTOR
        default  All     example  (default)
        n        n\\e[2J  -        mac=52:54:00:12:34:56 rack\\a=7\\x9b
        """, admin("boot", "group", "list").ok().out());
    assertEquals("/api/v1/boot/groups", server.only().path());
  }
}
