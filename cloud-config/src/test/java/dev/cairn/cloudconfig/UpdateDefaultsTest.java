package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link CloudConfig#withUpdateDefaults}: group and server put in where the config leaves them out. */
class UpdateDefaultsTest {
  private static final String SERVER = "https://cairn.example.com/v1/update/";

  private static String with(String config) {
    String out = CloudConfig.withUpdateDefaults(config, "beta", SERVER);
    assertEquals(List.of(), CloudConfig.validate(out, "t.yaml"), out);
    return out;
  }

  @Test
  void noCoreos_addsTheWholeSection_beforeTheFirstKey() {
    assertEquals("#cloud-config\ncoreos:\n  update:\n    group: \"beta\"\n    server: \"" + SERVER + "\"\nhostname: x\n",
        with("#cloud-config\nhostname: x\n"));
  }

  @Test
  void emptyConfig_getsTheSectionAtTheEnd() {
    assertEquals("#cloud-config\ncoreos:\n  update:\n    group: \"beta\"\n    server: \"" + SERVER + "\"\n",
        with("#cloud-config\n"));
    assertEquals("#cloud-config\n# nothing\ncoreos:\n  update:\n    group: \"beta\"\n    server: \"" + SERVER + "\"\n",
        with("#cloud-config\n# nothing"));
  }

  @Test
  void coreosWithoutUpdate_getsUpdate_atItsIndentation() {
    assertEquals("#cloud-config\ncoreos:\n    update:\n      group: \"beta\"\n      server: \"" + SERVER + "\"\n"
            + "    etcd2:\n      name: x\n",
        with("#cloud-config\ncoreos:\n    etcd2:\n      name: x\n"));
  }

  @Test
  void updateWithOtherKeys_getsOnlyWhatIsMissing() {
    assertEquals("#cloud-config\ncoreos:\n  update:\n    server: \"" + SERVER + "\"\n    group: stable\n"
            + "    reboot-strategy: off\n",
        with("#cloud-config\ncoreos:\n  update:\n    group: stable\n    reboot-strategy: off\n"));
    String both = "#cloud-config\ncoreos:\n  update:\n    group: stable\n    server: https://other/\n";
    assertEquals(both, with(both));
  }

  @Test
  void emptyCoreosOrUpdate_isFilledIn() {
    assertEquals("#cloud-config\ncoreos:\n  update:\n    group: \"beta\"\n    server: \"" + SERVER + "\"\nhostname: x\n",
        with("#cloud-config\ncoreos:\nhostname: x\n"));
    assertEquals("#cloud-config\ncoreos:\n  update: # here\n    group: \"beta\"\n    server: \"" + SERVER + "\"\n",
        with("#cloud-config\ncoreos:\n  update: # here\n"));
  }

  @Test
  void nullValues_addNothing() {
    assertEquals("#cloud-config\ncoreos:\n  update:\n    group: \"beta\"\nhostname: x\n",
        CloudConfig.withUpdateDefaults("#cloud-config\nhostname: x\n", "beta", null));
    assertEquals("#cloud-config\nhostname: x\n", CloudConfig.withUpdateDefaults("#cloud-config\nhostname: x\n", null, null));
  }

  @Test
  void hostileGroup_staysOneValue_andTheValidatorStillCatchesALineBreak() {
    String out = CloudConfig.withUpdateDefaults("#cloud-config\nhostname: x\n", "a\nREBOOT_STRATEGY=off", null);
    assertEquals("#cloud-config\ncoreos:\n  update:\n    group: \"a\\nREBOOT_STRATEGY=off\"\nhostname: x\n", out);
    assertTrue(CloudConfig.validate(out, "t").stream().anyMatch(d -> d.level() == Diagnostic.Level.ERROR));
    assertEquals(Optional.empty(), CloudConfig.updateConf(out));
    String quoteAndKey = CloudConfig.withUpdateDefaults("#cloud-config\nhostname: x\n", "b\"\nx: y", null);
    assertEquals(Optional.empty(), CloudConfig.updateConf(quoteAndKey));
  }

  @Test
  void updateConf_ofTheResult_isWhatTheGroupAsks() {
    assertEquals(Optional.of("GROUP=beta\nSERVER=" + SERVER + "\n"),
        CloudConfig.updateConf(with("#cloud-config\ncoreos:\n  etcd2:\n    name: x\n")));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "#cloud-config\ncoreos: {etcd2: {name: x}}\n",
      "#cloud-config\ncoreos:\n  update: {group: x}\n",
      "#cloud-config\n{hostname: x}\n",
      "#cloud-config\nbase: &b\n  update:\n    group: x\ncoreos:\n  <<: *b\n",
      "#cloud-config\ncoreos: 5\n",
      "#!/bin/sh\necho hi\n",
      "#cloud-config\nk: \"unclosed\n",
  })
  void unsafeToEdit_isRefused(String config) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> CloudConfig.withUpdateDefaults(config, "beta", SERVER));
    assertTrue(e.getMessage().startsWith("cannot add coreos.update"), e.getMessage());
  }
}
