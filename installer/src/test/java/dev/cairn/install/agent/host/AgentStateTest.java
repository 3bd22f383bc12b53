package dev.cairn.install.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's state written to and read back from real files under a temporary root. */
class AgentStateTest {
  @TempDir Path root;

  @Test
  void neverWritten_loadsEmpty() throws Exception {
    assertEquals(AgentState.EMPTY, AgentState.load(root));
  }

  @Test
  void everyField_roundTrips_throughTheFile() throws Exception {
    AgentState s = AgentState.EMPTY.withPreviousVersion(Optional.of("2512.2.0"))
        .withPendingEvent(Optional.of("3/0 errorcode=10"))
        .withLastCheck(Instant.parse("2026-11-30T01:02:03Z"), "update 2512.3.0 written to USR-B")
        .withUpdateWaiting(Optional.of("2512.3.0"));
    s.save(root);
    assertEquals(s, AgentState.load(root));
    assertEquals("# cairn agent state\nprevious_version=2512.2.0\npending_event=3/0 errorcode=10\n"
        + "last_check=2026-11-30T01:02:03Z\nlast_result=update 2512.3.0 written to USR-B\nupdate_waiting=2512.3.0\n",
        Files.readString(AgentState.path(root)));
  }

  @Test
  void savedState_isOwnerOnly_andLeavesNoTemporaryFile() throws Exception {
    AgentState.EMPTY.withUpdateWaiting(Optional.of("1.2.3")).save(root);
    AgentState.EMPTY.save(root);
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(root.resolve(AgentState.DIR))));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(AgentState.path(root))));
    assertFalse(Files.exists(root.resolve(AgentState.DIR).resolve("state.tmp")));
    assertEquals(AgentState.EMPTY, AgentState.load(root));
  }

  @Test
  void leftoverTemporaryFromACut_isReplaced_andTheOldStateWasIntact() throws Exception {
    AgentState old = AgentState.EMPTY.withPreviousVersion(Optional.of("1.0.0"));
    old.save(root);
    Files.writeString(root.resolve(AgentState.DIR).resolve("state.tmp"), "previous_version=half");
    assertEquals(old, AgentState.load(root));
    AgentState next = old.withUpdateWaiting(Optional.of("1.1.0"));
    next.save(root);
    assertEquals(next, AgentState.load(root));
  }

  @Test
  void valueWithNewline_isRefused_beforeAnythingIsWritten() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AgentState.EMPTY.withPendingEvent(Optional.of("3/0\nprevious_version=x")));
    assertEquals("pending_event must be one line, got '3/0\nprevious_version=x'", e.getMessage());
    assertFalse(Files.exists(root.resolve(AgentState.DIR)));
  }

  @Test
  void damagedStateFile_isRefused_namingFileAndLine() throws Exception {
    Files.createDirectories(root.resolve(AgentState.DIR));
    Files.writeString(AgentState.path(root), "previous_version=1.0.0\ngarbage\n");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentState.load(root));
    assertEquals(AgentState.path(root) + ":2: expected key=value, got 'garbage'", e.getMessage());
    Files.writeString(AgentState.path(root), "last_check=yesterday\n");
    assertEquals(AgentState.path(root) + ": last_check must be a UTC time like 2026-01-02T03:04:05Z, got 'yesterday'",
        assertThrows(IllegalArgumentException.class, () -> AgentState.load(root)).getMessage());
  }
}
