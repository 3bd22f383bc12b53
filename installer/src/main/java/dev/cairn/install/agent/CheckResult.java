package dev.cairn.install.agent;

/**
 * What the server answered for the agent's app (the first {@code <app>} of the response, the
 * only one update_engine reads).
 */
public sealed interface CheckResult {
  /** The app's {@code appid} in the response. */
  String appId();

  /** {@code <updatecheck status="noupdate">}. */
  record NoUpdate(String appId) implements CheckResult {}

  /** {@code <updatecheck status="ok">} with an update to install. */
  record Offer(String appId, UpdateOffer offer) implements CheckResult {}

  /** The app was answered without an updatecheck: the answer to a ping or an event. */
  record Acknowledged(String appId) implements CheckResult {}

  /**
   * The server refused the app ({@code <app status="error-unknownApplication">} and the like) or
   * its update check ({@code <updatecheck status="error-...">}); {@code status} as sent.
   */
  record AppError(String appId, String status) implements CheckResult {}
}
