package dev.cairn.cloudconfig.bench;

import dev.cairn.cloudconfig.CloudConfig;
import dev.cairn.cloudconfig.Diagnostic;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Validating a realistic 30-line and 300-line cloud-config on one thread. The baseline beside each
 * is snakeyaml-engine merely loading the same text, so the ratio shows what validation adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(1)
public class ValidateBench {
  static final String SMALL = Docs.thirtyLines();
  static final String LARGE = Docs.threeHundredLines();

  @Benchmark
  public List<Diagnostic> validate030Lines() {
    return CloudConfig.validate(SMALL, "bench.yaml");
  }

  @Benchmark
  public List<Diagnostic> validate300Lines() {
    return CloudConfig.validate(LARGE, "bench.yaml");
  }

  @Benchmark
  public Object baselineLoadOnly030Lines() {
    return new Load(LoadSettings.builder().build()).loadFromString(SMALL);
  }

  @Benchmark
  public Object baselineLoadOnly300Lines() {
    return new Load(LoadSettings.builder().build()).loadFromString(LARGE);
  }
}
