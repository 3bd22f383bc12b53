package dev.cairn.omaha.cli;

import dev.cairn.signing.openpgp.OpenPgpReleaseKeys;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

/**
 * The update server as a process of its own, for the tests that kill it: {@code cairn serve}'s
 * options and start-up without the other servers the cli module composes with it (the omaha
 * module has no main, and the cli module's would drag every other module in).
 */
@Command(name = "serve", mixinStandardHelpOptions = true)
public final class ServeMain implements Callable<Integer> {
  @Mixin ServeOptions options;
  @Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(new CommandLine(new ServeMain()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    UpdateServer server = UpdateServer.prepare(options, spec.commandLine().getOut())
        .start(new OpenPgpReleaseKeys(), registry, List.of(), spec.commandLine().getOut(), spec.commandLine().getErr());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "cairn-shutdown"));
    stopped.await();
    return 0;
  }
}
