package dev.cairn.pxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * {@link RenderCache} against the answers made without it ({@link CloudConfigs#render},
 * {@link IpxeScripts}, {@link GrubConfigs}), for templates whose renders depend on labels in every
 * way they can (a value, one in a comment, one spelled with escapes, a {@code $name} that is
 * substituted only when the machine sends it, the update settings, {@code server}), renders the
 * validator rejects and templates that are scripts; each machine asked twice, so that the second
 * answer comes from the cache. Then what is kept: one render for the machines of a group whose
 * template uses no label, one a hostname for a template that uses it, each text validated once.
 */
class RenderCacheTest {
  static final String URL = "http://boot.example.com:8080/";

  static Template template(String name, String text) {
    return new Template(name, text, "boot/templates/" + name + ".yaml");
  }

  static Profile profile(String id, String template) {
    return new Profile(id, id, "flatcar/vmlinuz", List.of("flatcar/initrd.cpio.gz"), List.of("console=ttyS0"), template,
        Source.of("boot/profiles/" + id + ".yaml"));
  }

  static Group group(String id, String profile, Map<String, String> metadata, Group.Update update) {
    return new Group(id, id, profile, Selector.of(Map.of("rack", id)), new TreeMap<>(metadata), update,
        Source.of("boot/groups/" + id + ".yaml"));
  }

  static final List<Template> TEMPLATES = List.of(
      template("host", "#cloud-config\nhostname: ${hostname}\n"),
      template("meta", "#cloud-config\n# for ${mac}\nhostname: ${name}\n"),
      template("named", "#cloud-config\nhostname: ${name}\ncoreos:\n  etcd2:\n    discovery: ${server}/d\n"),
      template("escaped", "#cloud-config\nhostname: \"\\x24{hostname}\"\n"),
      template("unknown", "#cloud-config\nhostname: h$foo\n"),
      template("files", "#cloud-config\nwrite_files:\n  - path: /etc/hosts.d/${hostname}\n    content: x\n"),
      template("script", "#!/bin/sh\nhostname ${hostname}\n"),
      template("server", "#cloud-config\ncoreos:\n  etcd2:\n    discovery: ${server}/d/${serial}\n"),
      template("flow", "#cloud-config\ncoreos: {update: {group: x}}\nhostname: ${hostname}\n"));

  static BootData data() {
    List<Profile> profiles = new ArrayList<>();
    TEMPLATES.forEach(t -> profiles.add(profile(t.name(), t.name())));
    profiles.add(profile("none", null));
    profiles.add(profile("missing", "not-loaded"));
    profiles.add(new Profile("remote", "remote", "https://example.com/vmlinuz", List.of(), List.of(), "host",
        Source.of("boot/profiles/remote.yaml")));
    List<Group> groups = new ArrayList<>();
    for (Template t : TEMPLATES) {
      groups.add(group(t.name(), t.name(), Map.of(), null));
      groups.add(group(t.name() + "-named", t.name(), Map.of("hostname", "fixed", "name", "n-" + t.name()), null));
      groups.add(group(t.name() + "-update", t.name(), Map.of(), new Group.Update("beta", null)));
    }
    groups.add(group("none", "none", Map.of(), null));
    groups.add(group("missing", "missing", Map.of(), null));
    groups.add(group("remote", "remote", Map.of(), null));
    groups.add(group("no-profile", null, Map.of(), null));
    return new BootData(profiles, groups, TEMPLATES);
  }

  /** Every group, with each of these hostnames, with and without foo, from two machines. */
  static List<Labels> machines(BootData data) {
    List<Labels> out = new ArrayList<>();
    List<String> hostnames = new ArrayList<>(List.of("", "web-1", "web-2", "x: y", "../../usr/bin/x", "x;reboot"));
    for (Group g : data.groups()) {
      for (String hostname : hostnames) {
        for (String foo : List.of("", "bar")) {
          for (String mac : List.of("52:54:00:00:00:01", "52:54:00:00:00:02")) {
            Map<String, String> l = new LinkedHashMap<>();
            l.put("rack", g.id());
            l.put("mac", mac);
            l.put("hostname", hostname);
            l.put("foo", foo);
            out.add(Labels.of(l));
          }
        }
      }
    }
    out.add(Labels.of(Map.of("rack", "nobody")));
    return out;
  }

  @Test
  void everyAnswer_isTheOneMadeWithoutTheCache_whenMadeAndWhenKept() {
    BootData data = data();
    RenderCache cache = new RenderCache(data, URL);
    List<Labels> machines = machines(data);
    int served = 0;
    int rejected = 0;
    for (int round = 0; round < 2; round++) {
      for (Labels l : machines) {
        Match m = data.match(l);
        String why = round + " " + l.describe();
        assertEquals(m.found() ? IpxeScripts.profile(m.group(), m.profile(), URL) : IpxeScripts.noMatch(m, URL),
            cache.ipxe(m), why);
        if (!m.found()) {
          continue;
        }
        RenderCache.Grub grub = cache.grub(m);
        try {
          assertEquals(new RenderCache.Grub(GrubConfigs.profile(m.group(), m.profile(), URL), null), grub, why);
        } catch (IllegalArgumentException e) {
          assertEquals(new RenderCache.Grub(null, e.getMessage()), grub, why);
        }
        CloudConfigs.Result expected = CloudConfigs.render(data, m, URL);
        assertEquals(expected, cache.cloudConfig(m), why);
        served += expected instanceof CloudConfigs.Served ? 1 : 0;
        rejected += expected instanceof CloudConfigs.Rejected ? 1 : 0;
      }
    }
    assertTrue(served > 100 && rejected > 20, served + " served, " + rejected + " rejected: both kinds are checked");
    assertEquals(IpxeScripts.boot(URL), cache.boot());
  }

  @Test
  void theMachinesOfAGroup_whoseTemplateUsesNoLabel_shareOneRender_validatedOnce() {
    BootData data = data();
    RenderCache cache = new RenderCache(data, URL);
    for (int i = 0; i < 50; i++) {
      Match m = data.match(Labels.of(Map.of("rack", "named-named", "mac", String.format("52:54:00:00:01:%02x", i),
          "hostname", "h" + i)));
      assertEquals(new CloudConfigs.Served("#cloud-config\nhostname: n-named\ncoreos:\n  etcd2:\n"
          + "    discovery: http://boot.example.com:8080/d\n"), cache.cloudConfig(m));
    }
    assertEquals(1, cache.renders());
    assertEquals(1, cache.validations());
  }

  @Test
  void aRenderIsKeptByTheValuesOfTheVariablesItUses_only() {
    BootData data = data();
    RenderCache cache = new RenderCache(data, URL);
    for (int i = 0; i < 50; i++) {
      Match m = data.match(Labels.of(Map.of("rack", "meta-named", "mac", "52:54:00:00:00:01", "hostname", "h" + i,
          "serial", "SN" + i)));
      assertEquals(new CloudConfigs.Served("#cloud-config\n# for ${mac}\nhostname: n-meta\n"), cache.cloudConfig(m));
    }
    assertEquals(1, cache.renders(), "meta uses mac (in a comment) and name: the same for all 50");
    assertEquals(1, cache.validations());

    for (int i = 0; i < 50; i++) {
      Match m = data.match(Labels.of(Map.of("rack", "meta-named", "mac", String.format("52:54:00:00:01:%02x", i))));
      cache.cloudConfig(m);
    }
    assertEquals(51, cache.renders(), "one a MAC: the comment's reference makes it part of the key");
    assertEquals(1, cache.validations(), "the text is the same, and is validated once");

    for (String hostname : List.of("a", "b", "a", "c", "b")) {
      cache.cloudConfig(data.match(Labels.of(Map.of("rack", "host", "hostname", hostname, "serial", hostname))));
    }
    assertEquals(54, cache.renders(), "one a hostname");
  }

  @Test
  void keptCloudConfig_isNull_untilTheRenderIsKept_butANoTemplateAnswerNeedsNone() {
    BootData data = data();
    RenderCache cache = new RenderCache(data, URL);
    Match host = data.match(Labels.of(Map.of("rack", "host", "hostname", "web-1")));
    assertEquals(null, cache.keptCloudConfig(host));
    assertEquals(0, cache.renders(), "asking what is kept makes nothing");
    CloudConfigs.Result made = cache.cloudConfig(host);
    assertEquals(made, cache.keptCloudConfig(host));
    assertEquals(null, cache.keptCloudConfig(data.match(Labels.of(Map.of("rack", "host", "hostname", "web-2")))));
    Match none = data.match(Labels.of(Map.of("rack", "none")));
    assertEquals(CloudConfigs.render(data, none, URL), cache.keptCloudConfig(none));
    assertInstanceOf(CloudConfigs.NoTemplate.class, cache.keptCloudConfig(none));
  }

  @Test
  void aCacheAnswersForItsOwnSetAndUrl_only() {
    BootData data = data();
    Match m = data.match(Labels.of(Map.of("rack", "server")));
    String a = ((CloudConfigs.Served) new RenderCache(data, URL).cloudConfig(m)).text();
    String b = ((CloudConfigs.Served) new RenderCache(data, "http://10.0.0.1:8080").cloudConfig(m)).text();
    assertTrue(a.contains("discovery: http://boot.example.com:8080/d/\n"), a);
    assertTrue(b.contains("discovery: http://10.0.0.1:8080/d/\n"), b);
    assertNotEquals(new RenderCache(data, URL).ipxe(m), new RenderCache(data, "http://10.0.0.1:8080").ipxe(m));
  }
}
