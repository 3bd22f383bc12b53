package dev.cairn.install.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.cairn.install.agent.UpdateConf.RebootStrategy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpdateConfTest {
  private static final String USR = "/usr/share/coreos/update.conf";
  private static final String ETC = "/etc/coreos/update.conf";

  @Test
  void emptyConf_givesCoreosDefaults_stableAndBestEffort_andNoServer() {
    UpdateConf c = UpdateConf.parse(USR, "\n# nothing\n\n");
    assertEquals("stable", c.group());
    assertEquals(Optional.empty(), c.server());
    assertEquals(RebootStrategy.BEST_EFFORT, c.rebootStrategy());
  }

  @Test
  void quotesCommentsAndBlanks_areHandled_andUnknownKeysKept() {
    UpdateConf c = UpdateConf.parse(ETC, "# machine\n  GROUP = \"beta\"  \n\nSERVER='https://u.example/v1/update/'\r\n"
        + "DOWNLOAD_USER=ops\nREBOOT_STRATEGY=etcd-lock\nEMPTY=\n");
    assertEquals("beta", c.group());
    assertEquals(Optional.of("https://u.example/v1/update/"), c.server());
    assertEquals(RebootStrategy.ETCD_LOCK, c.rebootStrategy());
    assertEquals(Optional.of("ops"), c.get("DOWNLOAD_USER"));
    assertEquals(Optional.of(""), c.get("EMPTY"));
  }

  @Test
  void valueWithEqualsSign_keepsEverythingAfterTheFirst() {
    assertEquals(Optional.of("https://h/u?a=b"), UpdateConf.parse(ETC, "SERVER=https://h/u?a=b").server());
  }

  @Test
  void etcOverUsr_keyByKey() {
    UpdateConf usr = UpdateConf.parse(USR, "GROUP=stable\nSERVER=https://image/\nREBOOT_STRATEGY=reboot\n");
    UpdateConf etc = UpdateConf.parse(ETC, "GROUP=alpha\n");
    UpdateConf c = UpdateConf.merge(etc, usr);
    assertEquals("alpha", c.group());
    assertEquals(Optional.of("https://image/"), c.server());
    assertEquals(RebootStrategy.REBOOT, c.rebootStrategy());
    assertEquals(ETC + ":1", c.entries().get("GROUP").where());
  }

  @Test
  void lineWithoutEquals_isRefused_namingFileAndLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpdateConf.parse(ETC, "GROUP=beta\n\nSERVER https://x\n"));
    assertEquals(ETC + ":3: expected KEY=value (a KEY of letters, digits and _), got 'SERVER https://x'",
        e.getMessage());
  }

  @Test
  void keyThatIsNoName_isRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpdateConf.parse(ETC, "=beta\n"));
    assertEquals(ETC + ":1: expected KEY=value (a KEY of letters, digits and _), got '=beta'", e.getMessage());
  }

  @Test
  void unclosedQuote_isRefused_namingFileAndLine() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> UpdateConf.parse(ETC, "GROUP=\"beta\n"));
    assertEquals(ETC + ":1: quote \" is not closed in \"beta", e.getMessage());
  }

  @Test
  void unknownRebootStrategy_isRefused_namingWhereItWasSet() {
    UpdateConf c = UpdateConf.merge(UpdateConf.parse(ETC, "# x\nREBOOT_STRATEGY=sometimes\n"), UpdateConf.EMPTY);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::rebootStrategy);
    assertEquals(ETC + ":2: REBOOT_STRATEGY must be reboot, etcd-lock, best-effort or off, got 'sometimes'",
        e.getMessage());
  }

  @Test
  void rebootStrategyOff_andUppercase_areRead() {
    assertEquals(RebootStrategy.OFF, UpdateConf.parse(ETC, "REBOOT_STRATEGY=off").rebootStrategy());
    assertEquals(RebootStrategy.REBOOT, UpdateConf.parse(ETC, "REBOOT_STRATEGY=\"REBOOT\"").rebootStrategy());
  }

  @Test
  void emptyGroup_fallsBackToStable() {
    assertEquals("stable", UpdateConf.parse(ETC, "GROUP=\"\"").group());
  }
}
