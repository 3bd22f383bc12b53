package dev.cairn.install.agent.host;

import java.nio.file.Path;

/**
 * A second process for {@link AgentLockTest}: takes the agent lock under the root given as its
 * argument, prints {@code held} (or {@code refused: } and the reason), and keeps the lock until its standard input is closed.
 */
public final class LockHolder {
  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    AgentLock taken;
    try {
      taken = AgentLock.acquire(Path.of(args[0]));
    } catch (java.io.IOException e) {
      System.out.println("refused: " + e.getMessage());
      return;
    }
    try (AgentLock lock = taken) {
      System.out.println("held");
      System.out.flush();
      while (System.in.read() >= 0) {
        // wait for the parent to close our input
      }
    }
  }
}
