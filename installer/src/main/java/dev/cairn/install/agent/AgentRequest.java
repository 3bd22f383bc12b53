package dev.cairn.install.agent;

import java.util.List;

/**
 * One Omaha v3 request from the agent, as update_engine (Flatcar's) sends it. There are three
 * kinds: an update check ({@link #updateCheck}: ping, updatecheck and one event), a ping only
 * ({@link #pingOnly}: while an installed update waits for its reboot) and an event report
 * ({@link #event}: one event and nothing else; update_engine posts each event on its own).
 *
 * <p>{@code updaterVersion} goes into both {@code version} and {@code updaterversion} of
 * {@code <request>}; the agent sends {@link #UPDATE_ENGINE_VERSION} so that a server which tells
 * clients apart by it treats the agent as the update_engine whose protocol it speaks (Cairn's
 * server does not read it).
 */
public record AgentRequest(String updaterVersion, InstallSource installSource, Machine machine, boolean ping,
    boolean updateCheck, List<AgentEvent> events) {

  /** What Flatcar's update_engine puts in {@code version} and {@code updaterversion}. */
  public static final String UPDATE_ENGINE_VERSION = "update_engine-0.4.10";

  /** Who started the request: the periodic scheduler or a person ({@code update_engine_client -check_for_update}). */
  public enum InstallSource {
    SCHEDULER("scheduler"),
    ON_DEMAND("ondemandupdate");

    private final String wire;

    InstallSource(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /**
   * The facts about the machine every request carries. {@code osVersion}/{@code osPlatform} are
   * update_engine's constants ({@link #OS_VERSION}, {@link #OS_PLATFORM}); {@code sp} is
   * "{release version}_{machine}", e.g. "3510.2.1_x86_64". {@code bootId} is the kernel's boot_id
   * in braces, {@code machineId} /etc/machine-id as is (32 hex digits). Every value is required;
   * "" is sent as an empty attribute.
   */
  public record Machine(String appId, String version, String track, String bootId, String oem, String oemVersion,
      String alephVersion, String machineId, String machineAlias, String lang, String board, String osVersion,
      String osPlatform, String sp) {
    public static final String OS_VERSION = "Chateau";
    public static final String OS_PLATFORM = "CoreOS";
    public static final String LANG = "en-US";

    public Machine {
      require("appid", appId);
      if (appId.isEmpty()) {
        throw new IllegalArgumentException("appid must not be empty");
      }
      require("version", version);
      require("track", track);
      require("bootid", bootId);
      require("oem", oem);
      require("oemversion", oemVersion);
      require("alephversion", alephVersion);
      require("machineid", machineId);
      require("machinealias", machineAlias);
      require("lang", lang);
      require("board", board);
      require("os version", osVersion);
      require("os platform", osPlatform);
      require("os sp", sp);
    }

    private static void require(String name, String value) {
      if (value == null) {
        throw new IllegalArgumentException(name + " must be given (\"\" when unknown), got null");
      }
    }
  }

  public AgentRequest {
    if (updaterVersion == null || updaterVersion.isEmpty()) {
      throw new IllegalArgumentException("updater version must not be empty");
    }
    if (installSource == null || machine == null || events == null) {
      throw new IllegalArgumentException("install source, machine and events must be given");
    }
    events = List.copyOf(events);
    if (!ping && !updateCheck && events.isEmpty()) {
      throw new IllegalArgumentException("a request must carry a ping, an update check or an event");
    }
  }

  /**
   * An update check: ping, updatecheck and {@code event}, which update_engine always adds: 3/2
   * with the previous version, or 3/0/44 after a rollback.
   */
  public static AgentRequest updateCheck(InstallSource source, Machine machine, AgentEvent event) {
    return new AgentRequest(UPDATE_ENGINE_VERSION, source, machine, true, true, List.of(event));
  }

  /** A ping only, sent by the scheduler while an installed update waits for its reboot. */
  public static AgentRequest pingOnly(InstallSource source, Machine machine) {
    return new AgentRequest(UPDATE_ENGINE_VERSION, source, machine, true, false, List.of());
  }

  /** One event report, without ping or updatecheck. */
  public static AgentRequest event(InstallSource source, Machine machine, AgentEvent event) {
    return new AgentRequest(UPDATE_ENGINE_VERSION, source, machine, false, false, List.of(event));
  }

  /**
   * The request body, byte for byte in the layout of update_engine's GetRequestXml: attribute
   * order, four-space indentation, empty elements written as start and end tag, the space before
   * {@code >} of {@code <app>}. {@code hardware_class} is always "" and {@code delta_okay} "false"
   * as in Flatcar.
   */
  public String toXml() {
    Machine m = machine;
    StringBuilder b = new StringBuilder(1024);
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append("<request protocol=\"3.0\" version=\"").append(esc(updaterVersion))
        .append("\" updaterversion=\"").append(esc(updaterVersion))
        .append("\" installsource=\"").append(installSource.wire()).append("\" ismachine=\"1\">\n");
    b.append("    <os version=\"").append(esc(m.osVersion())).append("\" platform=\"").append(esc(m.osPlatform()))
        .append("\" sp=\"").append(esc(m.sp())).append("\"></os>\n");
    b.append("    <app appid=\"").append(esc(m.appId()))
        .append("\" version=\"").append(esc(m.version()))
        .append("\" track=\"").append(esc(m.track()))
        .append("\" bootid=\"").append(esc(m.bootId()))
        .append("\" oem=\"").append(esc(m.oem()))
        .append("\" oemversion=\"").append(esc(m.oemVersion()))
        .append("\" alephversion=\"").append(esc(m.alephVersion()))
        .append("\" machineid=\"").append(esc(m.machineId()))
        .append("\" machinealias=\"").append(esc(m.machineAlias()))
        .append("\" lang=\"").append(esc(m.lang()))
        .append("\" board=\"").append(esc(m.board()))
        .append("\" hardware_class=\"\" delta_okay=\"false\" >\n");
    if (ping) {
      b.append("        <ping active=\"1\"></ping>\n");
    }
    if (updateCheck) {
      b.append("        <updatecheck></updatecheck>\n");
    }
    for (AgentEvent e : events) {
      b.append("        <event eventtype=\"").append(e.type()).append("\" eventresult=\"").append(e.result())
          .append('"');
      if (e.sendsErrorCode()) {
        b.append(" errorcode=\"").append(ErrorCode.render(e.errorCode())).append('"');
      }
      if (e.previousVersion() != null) {
        b.append(" previousversion=\"").append(esc(e.previousVersion())).append('"');
      }
      b.append("></event>\n");
    }
    b.append("    </app>\n</request>\n");
    return b.toString();
  }

  /**
   * An attribute value: the five markup characters as entities, and control characters (which
   * XML 1.0 cannot carry) as a space, as the server writes its responses.
   */
  static String esc(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&apos;");
        default -> b.append(c < 0x20 ? ' ' : c);
      }
    }
    return b.toString();
  }
}
