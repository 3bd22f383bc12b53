package dev.cairn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of docs/STYLE.md, checked on the compiled classes of every module. */
class ArchitectureTest {
  /** Packages that are wiring, not a module's core. */
  private static final String WIRING = "dev.cairn.cli";

  /** What a pure core may not reach: frameworks, files, sockets, databases, logging. */
  private static final List<String> NOT_IN_CORE = List.of(
      "picocli", "io.undertow", "org.xnio", "org.slf4j", "java.sql", "java.net", "java.nio.channels",
      "java.nio.file", "java.util.logging", "org.bouncycastle", "org.sqlite", "org.postgresql", "com.zaxxer", "io.prometheus");

  private static PackageGraph graph;

  @BeforeAll
  static void read() throws IOException {
    graph = PackageGraph.ofClassPath();
  }

  static boolean isCore(String pkg) {
    return pkg.split("\\.").length == 3 && !pkg.equals(WIRING);
  }

  static String moduleOf(String pkg) {
    String[] parts = pkg.split("\\.");
    return parts.length >= 3 ? parts[2] : pkg;
  }

  @Test
  void classesOfEveryModuleWereFound() {
    assertTrue(graph.edges.containsKey("dev.cairn.gpt"), graph.edges.keySet().toString());
    assertTrue(graph.edges.containsKey("dev.cairn.gpt.cli"), graph.edges.keySet().toString());
    assertTrue(graph.edges.get(WIRING).contains("dev.cairn.gpt.cli"), graph.edges.get(WIRING).toString());
  }

  @Test
  void coreDependsOnNoAdapterAndNoFramework() {
    List<String> bad = new ArrayList<>();
    graph.edges.forEach((from, tos) -> {
      if (!isCore(from)) {
        return;
      }
      for (String to : tos) {
        boolean adapter = to.startsWith("dev.cairn.") && !isCore(to);
        boolean framework = NOT_IN_CORE.stream().anyMatch(f -> to.equals(f) || to.startsWith(f + "."));
        if (adapter || framework) {
          bad.add(from + " -> " + to);
        }
      }
    });
    assertEquals(List.of(), bad, "a core package reaches outside the core");
  }

  @Test
  void adaptersReachOtherModulesOnlyThroughTheirCore() {
    List<String> bad = new ArrayList<>();
    graph.edges.forEach((from, tos) -> {
      if (isCore(from) || from.equals(WIRING)) {
        return;
      }
      for (String to : tos) {
        if (to.startsWith("dev.cairn.") && !isCore(to) && !moduleOf(to).equals(moduleOf(from))) {
          bad.add(from + " -> " + to);
        }
      }
    });
    assertEquals(List.of(), bad, "an adapter uses another module's adapter");
  }

  @Test
  void nothingDependsOnTheWiring() {
    List<String> bad = new ArrayList<>();
    graph.edges.forEach((from, tos) -> {
      if (!from.equals(WIRING) && tos.contains(WIRING)) {
        bad.add(from + " -> " + WIRING);
      }
    });
    assertEquals(List.of(), bad);
  }

  @Test
  void packagesHaveNoCycles() {
    List<String> cycles = new ArrayList<>();
    for (String start : graph.edges.keySet()) {
      if (reaches(start, start, new HashSet<>())) {
        cycles.add(start);
      }
    }
    assertEquals(List.of(), cycles, "packages on a dependency cycle");
  }

  private static boolean reaches(String from, String target, Set<String> seen) {
    for (String to : graph.edges.getOrDefault(from, Set.of())) {
      if (to.equals(target)) {
        return true;
      }
      if (to.startsWith("dev.cairn") && seen.add(to) && reaches(to, target, seen)) {
        return true;
      }
    }
    return false;
  }

  /** The rules themselves must be able to fail: a made-up graph with each violation. */
  @Test
  void rulesCatchViolations() {
    Map<String, Set<String>> saved = Map.copyOf(graph.edges);
    try {
      graph.edges.put("dev.cairn.fake", Set.of("picocli", "dev.cairn.fake.disk"));
      graph.edges.put("dev.cairn.fake.disk", Set.of("dev.cairn.fake"));
      assertThrowsAssertion(this::coreDependsOnNoAdapterAndNoFramework);
      assertThrowsAssertion(this::packagesHaveNoCycles);
      graph.edges.put("dev.cairn.other.cli", Set.of("dev.cairn.fake.disk", WIRING));
      assertThrowsAssertion(this::adaptersReachOtherModulesOnlyThroughTheirCore);
      assertThrowsAssertion(this::nothingDependsOnTheWiring);
    } finally {
      graph.edges.clear();
      graph.edges.putAll(saved);
    }
  }

  private static void assertThrowsAssertion(Runnable r) {
    try {
      r.run();
    } catch (AssertionError expected) {
      return;
    }
    throw new AssertionError("rule did not catch its violation");
  }
}
