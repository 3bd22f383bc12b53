package dev.cairn.omaha;

import dev.cairn.omaha.Model.Package;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Omaha XML in and out. Requests are read with a StAX parser that refuses DTDs and external
 * entities, with limits on apps and events; responses are written as update_engine parses them.
 */
public final class OmahaXml {
  public static final int MAX_APPS = 16;
  public static final int MAX_EVENTS_PER_APP = 16;

  /** One factory per thread: creating readers from a shared one would need a lock. */
  private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(OmahaXml::factory);

  private OmahaXml() {}

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, false);
    return f;
  }

  /** A request that is not Omaha; the message is the short reason for the 400 answer. */
  public static final class BadRequest extends IllegalArgumentException {
    public BadRequest(String message) {
      super(message);
    }
  }

  /**
   * The request in {@code body}, which must be UTF-8 (as update_engine sends it). The bytes are
   * decoded here, strictly, and the parser reads characters: the JDK's parser, given bytes that
   * are not UTF-8, prints a "[Fatal Error]" line to standard error before it throws (its error
   * reporter falls back to a handler that prints, and the StAX API has no way to replace it). It
   * reports every other error by throwing only.
   */
  public static OmahaRequest parseRequest(byte[] body) {
    String text = utf8(body);
    XMLStreamReader r;
    try {
      r = FACTORY.get().createXMLStreamReader(new StringReader(text));
    } catch (XMLStreamException e) {
      throw malformed(e);
    }
    try {
      return read(r);
    } catch (XMLStreamException e) {
      throw malformed(e);
    } finally {
      try {
        r.close();
      } catch (XMLStreamException ignored) {
        // nothing was held open
      }
    }
  }

  private static String utf8(byte[] body) {
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in).toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new BadRequest("the body is not UTF-8 (invalid byte at offset " + in.position() + ")");
    }
  }

  /** A parse error as the one-line reason of a 400. */
  private static BadRequest malformed(XMLStreamException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").strip();
    return new BadRequest("malformed XML: " + (m.length() > 160 ? m.substring(0, 160) : m));
  }

  private static OmahaRequest read(XMLStreamReader r) throws XMLStreamException {
    String protocol = null;
    String installSource = "";
    String osPlatform = "";
    String osVersion = "";
    List<OmahaRequest.App> apps = new ArrayList<>();
    int depth = 0;
    boolean sawRequest = false;
    AppBuilder app = null;
    while (r.hasNext()) {
      int ev = r.next();
      if (ev == XMLStreamConstants.DTD || ev == XMLStreamConstants.ENTITY_REFERENCE) {
        throw new BadRequest("DTDs and entities are not accepted");
      }
      if (ev == XMLStreamConstants.START_ELEMENT) {
        depth++;
        String name = r.getLocalName();
        if (depth == 1) {
          if (!name.equals("request")) {
            throw new BadRequest("the root element is <" + name + ">, expected <request>");
          }
          sawRequest = true;
          protocol = attr(r, "protocol");
          installSource = attr(r, "installsource");
        } else if (depth == 2 && name.equals("os")) {
          osPlatform = attr(r, "platform");
          osVersion = attr(r, "version");
        } else if (depth == 2 && name.equals("app")) {
          if (apps.size() >= MAX_APPS) {
            throw new BadRequest("more than " + MAX_APPS + " apps in one request");
          }
          app = new AppBuilder(r);
        } else if (depth == 3 && app != null) {
          switch (name) {
            case "ping" -> app.ping = true;
            case "updatecheck" -> app.updateCheck = true;
            case "event" -> {
              if (app.events.size() >= MAX_EVENTS_PER_APP) {
                throw new BadRequest("more than " + MAX_EVENTS_PER_APP + " events in one app");
              }
              app.events.add(new OmahaRequest.Event(intAttr(r, "eventtype"), intAttr(r, "eventresult"),
                  longAttr(r, "errorcode"), attr(r, "previousversion")));
            }
            default -> { }
          }
        }
      } else if (ev == XMLStreamConstants.END_ELEMENT) {
        if (depth == 2 && app != null && r.getLocalName().equals("app")) {
          apps.add(app.build());
          app = null;
        }
        depth--;
      }
    }
    if (!sawRequest) {
      throw new BadRequest("no <request> element");
    }
    if (!"3.0".equals(protocol)) {
      throw new BadRequest("protocol '" + protocol + "' is not Omaha 3.0");
    }
    if (apps.isEmpty()) {
      throw new BadRequest("no <app> in the request");
    }
    return new OmahaRequest(protocol, installSource, osPlatform, osVersion, apps);
  }

  private static final class AppBuilder {
    final String appId;
    final String version;
    final String track;
    final String bootId;
    final String oem;
    final String oemVersion;
    final String alephVersion;
    final String machineId;
    final String machineAlias;
    final String board;
    boolean ping;
    boolean updateCheck;
    final List<OmahaRequest.Event> events = new ArrayList<>();

    AppBuilder(XMLStreamReader r) {
      appId = attr(r, "appid");
      if (appId.isEmpty()) {
        throw new BadRequest("an <app> without appid");
      }
      version = attr(r, "version");
      track = attr(r, "track");
      bootId = attr(r, "bootid");
      oem = attr(r, "oem");
      oemVersion = attr(r, "oemversion");
      alephVersion = attr(r, "alephversion");
      machineId = attr(r, "machineid");
      machineAlias = attr(r, "machinealias");
      board = attr(r, "board");
    }

    OmahaRequest.App build() {
      return new OmahaRequest.App(appId, version, track, bootId, oem, oemVersion, alephVersion, machineId,
          machineAlias, board, ping, updateCheck, events);
    }
  }

  /**
   * The attribute's value, "" when absent. Any length is accepted (the body's limit bounds it):
   * update_engine bounds neither the alias nor the track, and a machine refused for them would be
   * refused at every check. What is stored is cut to {@link Store#MAX_TEXT} by the service.
   */
  private static String attr(XMLStreamReader r, String name) {
    String v = r.getAttributeValue(null, name);
    return v == null ? "" : v;
  }

  private static int intAttr(XMLStreamReader r, String name) {
    String v = attr(r, name);
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new BadRequest("event " + name + "='" + v + "' is not a number");
    }
  }

  private static long longAttr(XMLStreamReader r, String name) {
    String v = attr(r, name);
    if (v.isEmpty()) {
      return -1;
    }
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new BadRequest("event " + name + "='" + v + "' is not a number");
    }
  }

  /** The response text, rendered fully in memory before it is sent. */
  public static String renderResponse(OmahaResponse resp) {
    StringBuilder b = new StringBuilder(512);
    b.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    b.append("<response protocol=\"3.0\" server=\"cairn\">\n");
    b.append(" <daystart elapsed_seconds=\"").append(resp.daystartElapsedSeconds()).append("\"/>\n");
    for (OmahaResponse.App a : resp.apps()) {
      b.append(" <app appid=\"").append(esc(a.appId())).append("\" status=\"").append(esc(a.status())).append("\">\n");
      if (a.ping()) {
        b.append("  <ping status=\"ok\"/>\n");
      }
      for (int i = 0; i < a.events(); i++) {
        b.append("  <event status=\"ok\"/>\n");
      }
      if (a.update() != null) {
        Package p = a.update().pkg();
        if (p == null) {
          b.append("  <updatecheck status=\"noupdate\"/>\n");
        } else {
          b.append("  <updatecheck status=\"ok\">\n");
          b.append("   <urls>\n    <url codebase=\"").append(esc(p.baseUrl())).append("\"/>\n   </urls>\n");
          b.append("   <manifest version=\"").append(esc(p.version().toString())).append("\">\n");
          b.append("    <packages>\n     <package name=\"").append(esc(p.name())).append("\" size=\"").append(p.size())
              .append("\" hash=\"").append(esc(p.sha1Base64())).append("\" required=\"true\"/>\n    </packages>\n");
          b.append("    <actions>\n     <action event=\"postinstall\" sha256=\"").append(esc(p.sha256Base64()))
              .append("\" DisablePayloadBackoff=\"true\"/>\n    </actions>\n");
          b.append("   </manifest>\n  </updatecheck>\n");
        }
      }
      b.append(" </app>\n");
    }
    return b.append("</response>\n").toString();
  }

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
        default -> b.append(c < 0x20 && c != '\t' ? ' ' : c);
      }
    }
    return b.toString();
  }
}
