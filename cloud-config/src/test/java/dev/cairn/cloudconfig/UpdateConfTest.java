package dev.cairn.cloudconfig;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link CloudConfig#updateConf}: the /etc/coreos/update.conf that {@code coreos.update} asks for. */
class UpdateConfTest {
  private static Optional<String> conf(String body) {
    return CloudConfig.updateConf("#cloud-config\n" + body);
  }

  private static Optional<String> of(String s) {
    return Optional.of(s);
  }

  @Test
  void allThree_sortedByKey() {
    assertEquals(of("GROUP=beta\nREBOOT_STRATEGY=etcd-lock\nSERVER=https://update.example.com/v1/update/\n"),
        conf("coreos:\n  update:\n    server: https://update.example.com/v1/update/\n"
            + "    reboot-strategy: etcd-lock\n    group: beta\n"));
  }

  @Test
  void onlyTheKeysThatAreSet() {
    assertEquals(of("GROUP=stable\n"), conf("coreos:\n  update:\n    group: stable\n"));
    assertEquals(of("SERVER=https://u.example.com/\n"), conf("coreos:\n  update:\n    server: https://u.example.com/\n"));
    // coreos-cloudinit's own test vector
    assertEquals(of("GROUP=master\nSERVER=http://foo.com\n"),
        conf("coreos:\n  update:\n    group: master\n    server: http://foo.com\n"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"best-effort", "etcd-lock", "reboot", "off"})
  void eachRebootStrategy(String strategy) {
    assertEquals(of("REBOOT_STRATEGY=" + strategy + "\n"), conf("coreos:\n  update:\n    reboot-strategy: " + strategy + "\n"));
  }

  @Test
  void off_unquoted_isTheWordOff_notFalse() {
    assertEquals(of("GROUP=stable\nREBOOT_STRATEGY=off\n"),
        conf("coreos:\n  update:\n    group: stable\n    reboot-strategy: off\n"));
    assertEquals(of("REBOOT_STRATEGY=off\n"), conf("coreos:\n  update:\n    reboot-strategy: \"off\"\n"));
  }

  @Test
  void hyphenOrUnderscore() {
    assertEquals(of("REBOOT_STRATEGY=reboot\n"), conf("coreos:\n  update:\n    reboot-strategy: reboot\n"));
    assertEquals(of("REBOOT_STRATEGY=reboot\n"), conf("coreos:\n  update:\n    reboot_strategy: reboot\n"));
  }

  @Test
  void quotedAndFlowStyleValues() {
    assertEquals(of("GROUP=stable\nREBOOT_STRATEGY=etcd-lock\n"),
        conf("coreos: {update: {reboot_strategy: 'etcd-lock', group: \"stable\"}}\n"));
  }

  @Test
  void numbersAreWrittenAsTheyAreSpelled() {
    assertEquals(of("GROUP=2015.10\n"), conf("coreos:\n  update:\n    group: 2015.10\n"));
  }

  @Test
  void templateVariables_stayForTheMachine() {
    assertEquals(of("SERVER=http://$private_ipv4:8080/update\n"),
        conf("coreos:\n  update:\n    server: http://$private_ipv4:8080/update\n"));
  }

  @Test
  void repeatedKey_lastOneWins() {
    assertEquals(of("GROUP=beta\n"), conf("coreos:\n  update:\n    group: alpha\n    group: beta\n"));
    assertEquals(of("REBOOT_STRATEGY=off\n"),
        conf("coreos:\n  update:\n    reboot-strategy: reboot\n    reboot_strategy: off\n"));
  }

  @Test
  void mergedKeys_count_andKeysWrittenInPlaceWin() {
    assertEquals(of("GROUP=beta\nREBOOT_STRATEGY=etcd-lock\n"),
        conf("coreos:\n  update:\n    <<: &defaults {group: stable, reboot-strategy: etcd-lock}\n    group: beta\n"));
  }

  @Test
  void emptyValues_andUnknownKeys_areLeftOut() {
    // Warnings only: the config may be served, and update.conf has what is set.
    assertEquals(of("REBOOT_STRATEGY=reboot\n"),
        conf("coreos:\n  update:\n    group:\n    server: \"\"\n    channel: beta\n    reboot-strategy: reboot\n"));
  }

  @Test
  void warningsElsewhere_doNotMatter() {
    assertEquals(of("GROUP=stable\n"), conf("hostnme: node1\ncoreos:\n  update:\n    group: stable\n"));
  }

  @Test
  void noUpdateSection_isEmpty() {
    assertEquals(Optional.empty(), conf("hostname: node1\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update: {}\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    channel: beta\n"));
    assertEquals(Optional.empty(), conf(""));
    assertEquals(Optional.empty(), CloudConfig.updateConf(""));
    assertEquals(Optional.empty(), CloudConfig.updateConf("#!/bin/bash\necho coreos:\n"));
    // update outside coreos is not the update section
    assertEquals(Optional.empty(), conf("update:\n  group: stable\n"));
  }

  @Test
  void locksmith_becomesLocksmithdsOwnNames_besideTheUpdateSection() {
    assertEquals(of("LOCKSMITHD_GROUP=web\n"), conf("coreos:\n  locksmith:\n    group: web\n"));
    assertEquals(of("GROUP=beta\nLOCKSMITHD_ENDPOINT=http://10.0.0.1:2379,http://10.0.0.2:2379\n"
            + "LOCKSMITHD_ETCD_CAFILE=/etc/ssl/etcd/ca.pem\nLOCKSMITHD_ETCD_USERNAME=locksmith\n"
            + "LOCKSMITHD_GROUP=web\nLOCKSMITHD_REBOOT_WINDOW_LENGTH=1h30m\nLOCKSMITHD_REBOOT_WINDOW_START=Thu 04:00\n"
            + "LOCK_SERVER=http://cairn:8080\nREBOOT_STRATEGY=etcd-lock\n"),
        conf("coreos:\n  update:\n    group: beta\n    reboot-strategy: etcd-lock\n    lock-server: http://cairn:8080\n"
            + "  locksmith:\n    endpoint: http://10.0.0.1:2379,http://10.0.0.2:2379\n    group: web\n"
            + "    window_start: Thu 04:00\n    window_length: 1h30m\n    etcd_cafile: /etc/ssl/etcd/ca.pem\n"
            + "    etcd_username: locksmith\n"));
  }

  @Test
  void locksmith_aLineBreakInAValue_isRefused_notSmuggledIntoUpdateConf() {
    assertEquals(Optional.empty(), conf("coreos:\n  locksmith:\n    group: \"web\\nREBOOT_STRATEGY=reboot\"\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  locksmith:\n    window_start: \"Thu 25:00\"\n    window_length: 1h\n"));
  }

  @Test
  void errors_giveNothing() {
    // the update section itself is wrong
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    group: stable\n    reboot-strategy: always\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    reboot-strategy: false\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    server: \"https://x/\\nREBOOT_STRATEGY=always\"\n"));
    // an error anywhere else
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    group: stable\nwrite_files:\n  - path: /usr/x\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    group: stable\nmanage_etc_hosts: true\n"));
    // not a cloud-config, or not YAML
    assertEquals(Optional.empty(), CloudConfig.updateConf("coreos:\n  update:\n    group: stable\n"));
    assertEquals(Optional.empty(), conf("coreos:\n  update:\n    group: stable\n  units: [\n"));
  }

  @Test
  void seedSamples() throws IOException {
    assertEquals(of("GROUP=stable\nREBOOT_STRATEGY=etcd-lock\n"), CloudConfig.updateConf(seed("seed-update-group")));
    assertEquals(of("GROUP=stable\nREBOOT_STRATEGY=off\n"), CloudConfig.updateConf(seed("seed-update-slides")));
    assertEquals(of("REBOOT_STRATEGY=etcd-lock\n"), CloudConfig.updateConf(seed("seed-single-node")));
  }

  private static String seed(String name) throws IOException {
    return Files.readString(GoldenTest.DIR.resolve(name + ".yaml"), StandardCharsets.UTF_8);
  }
}
