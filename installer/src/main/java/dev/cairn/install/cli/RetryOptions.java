package dev.cairn.install.cli;

import dev.cairn.install.net.Http;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How often and how patiently to retry downloads: the same options for {@code install} and {@code agent}. */
public final class RetryOptions {
  @Option(names = "--retries", paramLabel = "N", defaultValue = "6",
      description = "Retries after a failed request or a broken download, in a row (default: ${DEFAULT-VALUE}).")
  int retries;

  @Option(names = "--retry-delay", paramLabel = "DURATION", defaultValue = "1s",
      description = "First delay between retries, doubling up to 30s (default: ${DEFAULT-VALUE}).")
  String retryDelay;

  /** The policy these options give, with {@code read} as the read timeout. */
  public Http.Policy policy(Duration read) {
    if (retries < 0 || retries > 100) {
      throw new IllegalArgumentException("--retries must be 0-100, got " + retries);
    }
    return new Http.Policy(Duration.ofSeconds(Math.min(10, Math.max(1, read.toSeconds()))), read, retries,
        InstallCommand.duration(retryDelay, "--retry-delay"));
  }
}
