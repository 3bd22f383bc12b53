package dev.cairn.omaha;

import java.util.List;

/** An Omaha v3 request as update_engine sends it; unknown attributes are ignored. */
public record OmahaRequest(String protocol, String installSource, String osPlatform, String osVersion,
    List<App> apps) {

  public OmahaRequest {
    apps = List.copyOf(apps);
  }

  /** One {@code <app>}: who is asking and what it asks (ping, updatecheck, events). */
  public record App(String appId, String version, String track, String bootId, String oem,
      String oemVersion, String alephVersion, String machineId, String machineAlias, String board,
      boolean ping, boolean updateCheck, List<Event> events) {
    public App {
      events = List.copyOf(events);
    }
  }

  /** One {@code <event>}; {@code errorCode} is -1 when absent. */
  public record Event(int type, int result, long errorCode, String previousVersion) {}
}
