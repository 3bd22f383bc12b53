package dev.cairn.omaha;

import dev.cairn.omaha.Model.Package;
import java.util.List;

/** What the server answers: per app, its status, ping and event acknowledgements, and the verdict. */
public record OmahaResponse(long daystartElapsedSeconds, List<App> apps) {
  public OmahaResponse {
    apps = List.copyOf(apps);
  }

  /** {@code status} is "ok" or "error-unknownApplication"; {@code update} is null without an updatecheck. */
  public record App(String appId, String status, boolean ping, int events, Update update) {}

  /** The updatecheck verdict: {@code pkg} null means noupdate. */
  public record Update(Package pkg) {
    public static Update none() {
      return new Update(null);
    }
  }
}
