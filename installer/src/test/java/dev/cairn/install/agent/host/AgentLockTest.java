package dev.cairn.install.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent lock between two real processes: a child JVM ({@link LockHolder}) holds it while this
 * one tries. (A file lock belongs to the process, so a second channel in one JVM is no test.)
 */
class AgentLockTest {
  @TempDir Path root;

  private Process holder() throws IOException {
    Process p = start();
    assertEquals("held", firstLine(p));
    return p;
  }

  private Process start() throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), root.toString())).redirectErrorStream(true).start();
    return p;
  }

  private static String firstLine(Process p) throws IOException {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
  }

  @Test
  void secondAgent_isRefused_namingTheHoldersPid_andGetsTheLockOnceItExits() throws Exception {
    Process p = holder();
    try {
      IOException e = assertThrows(IOException.class, () -> AgentLock.acquire(root));
      assertEquals("another cairn agent is running (pid " + p.pid() + ", holding "
          + AgentLock.path(root) + ")", e.getMessage());
    } finally {
      p.getOutputStream().close();
      p.waitFor();
    }
    assertEquals(0, p.exitValue());
    try (AgentLock lock = AgentLock.acquire(root)) {
      assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(lock.path()));
    }
  }

  @Test
  void lockLeftByAKilledAgent_doesNotBlock() throws Exception {
    Process p = holder();
    p.destroyForcibly().waitFor();
    assertEquals(p.pid() + "\n", Files.readString(AgentLock.path(root)));
    try (AgentLock lock = AgentLock.acquire(root)) {
      assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(lock.path()));
    }
  }

  @Test
  void secondAcquireInTheSameProcess_isRefusedToo_andReleaseFreesIt() throws Exception {
    try (AgentLock first = AgentLock.acquire(root)) {
      IOException e = assertThrows(IOException.class, () -> AgentLock.acquire(root));
      assertEquals("another cairn agent is running (pid " + ProcessHandle.current().pid() + ", holding "
          + AgentLock.path(root) + ")", e.getMessage());
      // the refused attempt closed its own channel; the first lock must still hold for others
      Process other = start();
      assertEquals("refused: another cairn agent is running (pid " + ProcessHandle.current().pid() + ", holding "
          + AgentLock.path(root) + ")", firstLine(other));
      other.getOutputStream().close();
      assertEquals(0, other.waitFor());
    }
    AgentLock.acquire(root).close();
  }
}
