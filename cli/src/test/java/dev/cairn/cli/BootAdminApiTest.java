package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The boot data's admin API ({@code /api/v1/boot/}) on a real {@code cairn serve}: behind the admin
 * token, writes checked against the whole set first and refused with the findings (the files left
 * byte for byte as they were), accepted writes on disk owner-only and served before the answer.
 * Each test leaves the server with the example data it started with.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BootAdminApiTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOpsKey ops@example.com";

  @TempDir static Path dir;
  ServeProcess serve;
  Path boot;
  Map<String, String> example;

  @BeforeAll
  void start() throws Exception {
    serve = ServeProcess.start(dir);
    boot = serve.data.resolve("boot");
    example = snapshot();
  }

  @AfterAll
  void stop() throws Exception {
    serve.close();
  }

  /** Deletes what a test added and puts back the example files a test changed, through the API. */
  @AfterEach
  void restore() throws Exception {
    for (String kind : List.of("groups", "profiles", "templates")) {
      for (JsonNode n : JSON.readTree(api("GET", "/api/v1/boot/" + kind, null).body())) {
        if (!n.get("id").asText().equals(kind.equals("groups") ? "default" : "example")) {
          HttpResponse<String> r = api("DELETE", "/api/v1/boot/" + kind + "/" + n.get("id").asText(), null);
          assertEquals(200, r.statusCode(), r.body());
        }
      }
    }
    for (String f : List.of("groups/default.yaml", "profiles/example.yaml", "templates/example.yaml")) {
      if (!Files.exists(boot.resolve(f)) || !sha256(Files.readAllBytes(boot.resolve(f))).equals(example.get(f))) {
        throw new AssertionError(f + " was changed by the test");
      }
    }
    assertEquals(example, snapshot(), "the boot data is the example again");
  }

  HttpResponse<String> api(String method, String path, String body) throws Exception {
    return serve.admin(method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> get(String path) throws Exception {
    return serve.send("GET", path, null, null);
  }

  /** Every file under boot/, hidden ones included, by path, with its SHA-256. */
  Map<String, String> snapshot() throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(boot)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(boot.relativize(p).toString(), sha256(Files.readAllBytes(p)));
      }
    }
    return out;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static String group(String id, String profile, String selector) {
    return "# " + id + "\nid: " + id + "\n" + (profile == null ? "" : "profile: " + profile + "\n")
        + (selector == null ? "" : "selector:\n  " + selector + "\n")
        + "metadata:\n  ssh_authorized_key: " + KEY + "\n";
  }

  /** Sends the write, expects it refused with {@code status}, and checks nothing changed: files and served set. */
  JsonNode refused(int status, String method, String path, String body) throws Exception {
    Map<String, String> before = snapshot();
    String served = api("GET", "/api/v1/boot/groups", null).body() + api("GET", "/api/v1/boot/profiles", null).body()
        + api("GET", "/api/v1/boot/templates", null).body();
    HttpResponse<String> r = api(method, path, body);
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(before, snapshot(), "the files are byte for byte as they were, and no temporary file is left");
    assertEquals(served, api("GET", "/api/v1/boot/groups", null).body() + api("GET", "/api/v1/boot/profiles", null).body()
        + api("GET", "/api/v1/boot/templates", null).body(), "the served set is as it was");
    return JSON.readTree(r.body());
  }

  static List<String> findings(JsonNode refusal) {
    List<String> out = new ArrayList<>();
    for (JsonNode f : refusal.get("findings")) {
      out.add(f.get("file").asText() + ":" + f.get("line").asText() + ": " + f.get("reason").asText());
    }
    return out;
  }

  @Test
  void putOfANewGroup_is201_writesTheBodyOwnerOnly_andIsServedBeforeTheAnswer_andLogged() throws Exception {
    String body = group("node-1", "example", "mac: 52:54:00:00:01:01");

    HttpResponse<String> r = api("PUT", "/api/v1/boot/groups/node-1", body);

    assertEquals(201, r.statusCode(), r.body());
    JsonNode c = JSON.readTree(r.body());
    assertEquals("group", c.get("kind").asText());
    assertEquals("node-1", c.get("id").asText());
    assertEquals("created", c.get("action").asText());
    assertEquals("boot/groups/node-1.yaml", c.get("file").asText());
    assertTrue(c.get("served").asBoolean(), r.body());
    assertEquals("1 profile, 2 groups, 1 template", c.get("boot_data").asText());
    Path file = boot.resolve("groups/node-1.yaml");
    assertEquals(body, Files.readString(file));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    try (Stream<Path> s = Files.list(boot.resolve("groups"))) {
      assertEquals(List.of("default.yaml", "node-1.yaml"), s.map(p -> p.getFileName().toString()).sorted().toList(),
          "no temporary file is left");
    }
    // No waiting: the set was loaded before the answer, not by the watcher a quarter second later.
    String ipxe = get("/ipxe?mac=52-54-00-00-01-01").body();
    assertTrue(ipxe.contains("# Cairn: group node-1, profile example"), ipxe);
    assertTrue(serve.log().contains("INFO dev.cairn.pxe.files.BootFiles: boot data: admin created group node-1"
        + " (boot/groups/node-1.yaml); serving 1 profile, 2 groups, 1 template\n"), serve.log());
  }

  @Test
  void aGroup_isShownParsedWithItsText_listed_replaced_andDeleted_eachServedAtOnce() throws Exception {
    String body = "id: rack-7\nname: Rack seven\nselector:\n  rack: \"7\"\nmetadata:\n  role: spare\n  net:\n"
        + "    ip: 10.0.7.1\nupdate:\n  group: beta\n";
    assertEquals(201, api("PUT", "/api/v1/boot/groups/rack-7", body).statusCode());

    JsonNode shown = JSON.readTree(api("GET", "/api/v1/boot/groups/rack-7", null).body());
    assertEquals(JSON.readTree("{\"id\": \"rack-7\", \"name\": \"Rack seven\", \"file\": \"boot/groups/rack-7.yaml\","
        + " \"profile\": null, \"selector\": {\"rack\": \"7\"}, \"metadata\": {\"net.ip\": \"10.0.7.1\", \"role\": \"spare\"},"
        + " \"update\": {\"group\": \"beta\", \"server\": null}}"), ((com.fasterxml.jackson.databind.node.ObjectNode) shown)
        .deepCopy().without("text"));
    assertEquals(body, shown.get("text").asText());
    JsonNode list = JSON.readTree(api("GET", "/api/v1/boot/groups", null).body());
    assertEquals(JSON.readTree("[{\"id\": \"default\", \"name\": \"Every machine no other group selects\","
        + " \"profile\": \"example\", \"selector\": {}, \"file\": \"boot/groups/default.yaml\"},"
        + " {\"id\": \"rack-7\", \"name\": \"Rack seven\", \"profile\": null, \"selector\": {\"rack\": \"7\"},"
        + " \"file\": \"boot/groups/rack-7.yaml\"}]"), list);
    assertTrue(get("/metadata?rack=7").body().contains("ROLE=spare\n"));

    HttpResponse<String> replaced = api("PUT", "/api/v1/boot/groups/rack-7", body.replace("spare", "storage"));
    assertEquals(200, replaced.statusCode(), replaced.body());
    assertEquals("updated", JSON.readTree(replaced.body()).get("action").asText());
    assertTrue(get("/metadata?rack=7").body().contains("ROLE=storage\n"));

    HttpResponse<String> deleted = api("DELETE", "/api/v1/boot/groups/rack-7", null);
    assertEquals(200, deleted.statusCode(), deleted.body());
    assertEquals("deleted", JSON.readTree(deleted.body()).get("action").asText());
    assertEquals("1 profile, 1 group, 1 template", JSON.readTree(deleted.body()).get("boot_data").asText());
    assertFalse(Files.exists(boot.resolve("groups/rack-7.yaml")));
    assertFalse(get("/metadata?rack=7").body().contains("ROLE="), "rack 7 is the default group's again");
    HttpResponse<String> gone = api("GET", "/api/v1/boot/groups/rack-7", null);
    assertEquals(404, gone.statusCode());
    assertEquals("no group rack-7 in the boot data served", JSON.readTree(gone.body()).get("error").asText());
    assertTrue(serve.log().contains("boot data: admin updated group rack-7 (boot/groups/rack-7.yaml); serving"));
    assertTrue(serve.log().contains("boot data: admin deleted group rack-7 (boot/groups/rack-7.yaml); serving"));
  }

  @Test
  void aTemplate_aProfileNamingIt_andAGroup_areServedTogether_andShownParsed() throws Exception {
    String template = "#cloud-config\nhostname: ${name}\nssh_authorized_keys:\n  - ${ssh_authorized_key}\n";
    String profile = "id: node\nname: Node\nboot:\n  kernel: https://example.com/vmlinuz\n  initrd:\n"
        + "    - https://example.com/initrd.cpio.gz\n  args:\n    - console=ttyS0\ncloud_config: node\n";
    assertEquals(201, api("PUT", "/api/v1/boot/templates/node", template).statusCode());
    assertEquals(201, api("PUT", "/api/v1/boot/profiles/node", profile).statusCode());
    assertEquals(201, api("PUT", "/api/v1/boot/groups/node-2", "id: node-2\nprofile: node\nselector:\n"
        + "  mac: 52:54:00:00:02:02\nmetadata:\n  name: node-2\n  ssh_authorized_key: " + KEY + "\n").statusCode());

    assertEquals("#cloud-config\nhostname: node-2\nssh_authorized_keys:\n  - \"" + KEY + "\"\n",
        get("/cloud-config?mac=52:54:00:00:02:02").body());
    JsonNode p = JSON.readTree(api("GET", "/api/v1/boot/profiles/node", null).body());
    assertEquals("https://example.com/vmlinuz", p.at("/boot/kernel").asText());
    assertEquals("[\"https://example.com/initrd.cpio.gz\"]", p.at("/boot/initrd").toString());
    assertEquals("[\"console=ttyS0\"]", p.at("/boot/args").toString());
    assertEquals("node", p.get("cloud_config").asText());
    assertEquals(profile, p.get("text").asText());
    JsonNode t = JSON.readTree(api("GET", "/api/v1/boot/templates/node", null).body());
    assertEquals("[\"node\"]", t.get("profiles").toString());
    assertEquals(template, t.get("text").asText());
    assertEquals("[{\"id\":\"example\",\"file\":\"boot/templates/example.yaml\",\"profiles\":[\"example\"]},"
        + "{\"id\":\"node\",\"file\":\"boot/templates/node.yaml\",\"profiles\":[\"node\"]}]",
        JSON.readTree(api("GET", "/api/v1/boot/templates", null).body()).toString());
  }

  @Test
  void aSecondDefaultGroup_is422WithTheFinding_andChangesNothing() throws Exception {
    JsonNode r = refused(422, "PUT", "/api/v1/boot/groups/other", group("other", null, null));
    assertEquals("group other would leave the boot data with 1 finding; nothing was changed", r.get("error").asText());
    assertEquals(List.of("boot/groups/other.yaml:2: a second default group (no selector): default in"
        + " boot/groups/default.yaml:11 is the default"), findings(r));
  }

  @Test
  void aGroupNamingAMissingProfile_is422_andChangesNothing() throws Exception {
    JsonNode r = refused(422, "PUT", "/api/v1/boot/groups/node-3", group("node-3", "nope", "mac: 52:54:00:00:03:03"));
    assertEquals(List.of("boot/groups/node-3.yaml:3: profile nope does not exist"), findings(r));
  }

  @Test
  void aTemplateThatRendersToACloudConfigTheValidatorRejects_is422_andTheServedTemplateStays() throws Exception {
    String before = get("/cloud-config?mac=52:54:00:00:04:04").body();
    JsonNode r = refused(422, "PUT", "/api/v1/boot/templates/example",
        "#cloud-config\nwrite_files:\n  - path: /usr/bin/x\n    content: ${ssh_authorized_key}\n");
    assertEquals(List.of("boot/templates/example.yaml:3: for group default: file cannot be written to a read-only"
        + " filesystem (/usr is read-only on CoreOS)"), findings(r));
    assertEquals(before, get("/cloud-config?mac=52:54:00:00:04:04").body());
  }

  @Test
  void aFileThatIsNotYaml_is422WithTheLine() throws Exception {
    JsonNode r = refused(422, "PUT", "/api/v1/boot/profiles/broken", "id: broken\nboot: [kernel\n");
    assertEquals(1, findings(r).size(), findings(r).toString());
    assertTrue(findings(r).get(0).startsWith("boot/profiles/broken.yaml:2: YAML syntax: "), findings(r).toString());
  }

  @Test
  void deletingAProfileAGroupNames_orATemplateAProfileNames_is422WithTheDanglingReferences() throws Exception {
    JsonNode p = refused(422, "DELETE", "/api/v1/boot/profiles/example", null);
    assertEquals("deleting profile example would leave the boot data with 1 finding; nothing was changed",
        p.get("error").asText());
    assertEquals(List.of("boot/groups/default.yaml:13: profile example does not exist"), findings(p));
    JsonNode t = refused(422, "DELETE", "/api/v1/boot/templates/example", null);
    assertEquals(1, findings(t).size(), findings(t).toString());
    assertTrue(findings(t).get(0).startsWith("boot/profiles/example.yaml:"), findings(t).toString());
    assertTrue(findings(t).get(0).endsWith(": cloud_config names template example, which does not exist"
        + " (expected templates/example.yaml)"), findings(t).toString());
  }

  @Test
  void anIdInThePathThatIsNotTheFiles_is400_andChangesNothing() throws Exception {
    JsonNode r = refused(400, "PUT", "/api/v1/boot/groups/node-5", group("node-6", null, "mac: 52:54:00:00:05:05"));
    assertEquals("the file's id is node-6, the path's is node-5 (the id in the path must be the file's)",
        r.get("error").asText());
  }

  @Test
  void hostileIds_are400_andWriteNothing() throws Exception {
    String body = group("x", null, "mac: 52:54:00:00:06:06");
    for (String id : List.of("../x", "..", "%2e%2e", "%2e%2e%2fx", "..%2Fx", "x%2Fy", "%2Fetc%2Fpasswd", ".x", "X",
        "x%00", "x%20y", "a".repeat(65))) {
      JsonNode r = refused(400, "PUT", "/api/v1/boot/groups/" + id, body);
      assertTrue(r.get("error").asText().startsWith("group id \""), id + ": " + r);
      refused(400, "DELETE", "/api/v1/boot/groups/" + id, null);
    }
    assertFalse(Files.exists(serve.data.resolve("x")) || Files.exists(boot.resolve("x")));
  }

  @Test
  void aBodyOverTheCap_is413_andWritesNothing() throws Exception {
    String big = "# " + "x".repeat(1024 * 1024) + "\n" + group("big", null, "mac: 52:54:00:00:07:07");
    JsonNode r = refused(413, "PUT", "/api/v1/boot/groups/big", big);
    assertEquals("request body larger than 1048576 bytes", r.get("error").asText());
  }

  @Test
  void aFileNamedForTheIdHoldingAnotherId_is409() throws Exception {
    Files.writeString(boot.resolve("groups/spare.yaml"), "id: spares\nselector:\n  serial: SPARE\n");
    JsonNode r = refused(409, "PUT", "/api/v1/boot/groups/spare", group("spare", null, "mac: 52:54:00:00:08:08"));
    assertEquals("boot/groups/spare.yaml holds group spares, not spare; change it under its own id",
        r.get("error").asText());
    assertEquals(200, api("DELETE", "/api/v1/boot/groups/spares", null).statusCode(), "deleted by the id it holds");
    assertFalse(Files.exists(boot.resolve("groups/spare.yaml")));
  }

  /** Without the token, or with a wrong one, every call is 401 and changes nothing; with it, the same path answers. */
  @Test
  void withoutTheToken_orWithAWrongOne_everyMethodIs401_andChangesNothing() throws Exception {
    Map<String, String> before = snapshot();
    for (String token : new String[] {null, "0123456789abcdef0123456789abcdef"}) {
      for (String[] call : List.of(new String[] {"GET", "/api/v1/boot/groups"},
          new String[] {"GET", "/api/v1/boot/groups/default"}, new String[] {"PUT", "/api/v1/boot/groups/default"},
          new String[] {"DELETE", "/api/v1/boot/groups/default"}, new String[] {"PUT", "/api/v1/boot/groups/x"})) {
        HttpResponse<String> r = serve.send(call[0], call[1], call[0].equals("PUT")
            ? group("x", null, "mac: 52:54:00:00:09:09").getBytes(StandardCharsets.UTF_8) : null, token);
        assertEquals(401, r.statusCode(), call[0] + " " + call[1] + ": " + r.body());
        assertEquals("{\"error\": \"a valid bearer token is required\"}\n", r.body());
      }
    }
    assertEquals(before, snapshot());
    assertEquals(200, api("GET", "/api/v1/boot/groups/default", null).statusCode(), "with the token, it answers");
  }

  @Test
  void unknownResources_are404_andOtherMethods405() throws Exception {
    assertEquals(404, api("GET", "/api/v1/boot/assets", null).statusCode());
    assertEquals(404, api("GET", "/api/v1/boot/", null).statusCode());
    HttpResponse<String> post = api("POST", "/api/v1/boot/groups/default", "x");
    assertEquals(405, post.statusCode());
    assertEquals("GET, PUT, DELETE", post.headers().firstValue("Allow").orElse(""));
    assertEquals(405, api("PUT", "/api/v1/boot/groups", "x").statusCode());
    assertEquals(404, api("DELETE", "/api/v1/boot/groups/nope", null).statusCode());
  }
}
