package dev.cairn.install.agent.omaha;

import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.ErrorCode;
import dev.cairn.install.agent.UpdateOffer;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads an Omaha v3 response the way update_engine does: only the first {@code <app>}, its
 * {@code updatecheck}, the urls, the first package and the postinstall action. The StAX parser is
 * set up as the update server's request parser: no DTD, no external entities, no entity
 * replacement; a DOCTYPE or an entity reference is refused.
 */
public final class ResponseParser {
  /** The largest response accepted, in bytes (Cairn's answers are below 2 KiB). */
  public static final int MAX_BYTES = 1 << 20;

  private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(ResponseParser::factory);

  private ResponseParser() {}

  private static XMLInputFactory factory() {
    XMLInputFactory f = XMLInputFactory.newFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, false);
    return f;
  }

  /** The answer for the agent's app in {@code body} (UTF-8). */
  public static CheckResult parse(byte[] body) throws OmahaResponseException {
    if (body.length == 0) {
      throw new OmahaResponseException(ErrorCode.OMAHA_REQUEST_EMPTY_RESPONSE_ERROR, "the response is empty");
    }
    if (body.length > MAX_BYTES) {
      throw new OmahaResponseException(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR,
          "the response is larger than " + MAX_BYTES + " bytes");
    }
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

  private static String utf8(byte[] body) throws OmahaResponseException {
    ByteBuffer in = ByteBuffer.wrap(body);
    try {
      String text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(in).toString();
      return text.startsWith("\uFEFF") ? text.substring(1) : text;
    } catch (CharacterCodingException e) {
      throw new OmahaResponseException(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR,
          "the response is not UTF-8 (invalid byte at offset " + in.position() + ")");
    }
  }

  private static OmahaResponseException malformed(XMLStreamException e) {
    String m = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").strip();
    return new OmahaResponseException(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR,
        "the response is not XML: " + (m.length() > 160 ? m.substring(0, 160) : m));
  }

  private static OmahaResponseException invalid(String message) {
    return new OmahaResponseException(ErrorCode.OMAHA_RESPONSE_INVALID, "invalid response: " + message);
  }

  /** What the first app said, gathered while the whole document is read (to know it is well-formed). */
  private static final class FirstApp {
    String appId;
    String status;
    String checkStatus;
    String manifestVersion;
    final List<String> codebases = new ArrayList<>();
    Map<String, String> pkg;
    Map<String, String> postinstall;
  }

  private static CheckResult read(XMLStreamReader r) throws XMLStreamException, OmahaResponseException {
    Deque<String> path = new ArrayDeque<>();
    FirstApp app = null;
    boolean inFirstApp = false;
    boolean sawRoot = false;
    while (r.hasNext()) {
      int ev = r.next();
      if (ev == XMLStreamConstants.DTD || ev == XMLStreamConstants.ENTITY_REFERENCE) {
        throw new OmahaResponseException(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR,
            "the response has a DOCTYPE or an entity reference; neither is accepted");
      }
      if (ev == XMLStreamConstants.START_ELEMENT) {
        String name = r.getLocalName();
        path.addLast(name);
        String where = String.join("/", path);
        if (path.size() == 1) {
          if (!name.equals("response")) {
            throw invalid("the root element is <" + name + ">, expected <response>");
          }
          String protocol = attr(r, "protocol");
          if (!protocol.equals("3.0")) {
            throw invalid("protocol '" + protocol + "' is not Omaha 3.0");
          }
          sawRoot = true;
        } else if (where.equals("response/app") && app == null) {
          app = new FirstApp();
          inFirstApp = true;
          app.appId = attr(r, "appid");
          app.status = attr(r, "status");
        } else if (inFirstApp) {
          switch (where) {
            case "response/app/updatecheck" -> app.checkStatus = attr(r, "status");
            case "response/app/updatecheck/urls/url" -> {
              String codebase = attr(r, "codebase");
              if (codebase.isEmpty()) {
                throw invalid("a <url> without codebase");
              }
              app.codebases.add(codebase);
            }
            case "response/app/updatecheck/manifest" -> app.manifestVersion = attr(r, "version");
            case "response/app/updatecheck/manifest/packages/package" -> {
              if (app.pkg == null) {
                app.pkg = attrs(r);
              }
            }
            case "response/app/updatecheck/manifest/actions/action" -> {
              Map<String, String> a = attrs(r);
              if (app.postinstall == null && "postinstall".equals(a.get("event"))) {
                app.postinstall = a;
              }
            }
            default -> { }
          }
        }
      } else if (ev == XMLStreamConstants.END_ELEMENT) {
        if (path.size() == 2 && inFirstApp) {
          inFirstApp = false;
        }
        path.removeLast();
      }
    }
    if (!sawRoot) {
      throw invalid("no <response> element");
    }
    if (app == null) {
      throw invalid("no <app> in the response");
    }
    return result(app);
  }

  private static CheckResult result(FirstApp app) throws OmahaResponseException {
    if (!app.status.equals("ok")) {
      if (app.status.isEmpty()) {
        throw invalid("<app appid=\"" + app.appId + "\"> has no status");
      }
      return new CheckResult.AppError(app.appId, app.status);
    }
    if (app.checkStatus == null) {
      return new CheckResult.Acknowledged(app.appId);
    }
    switch (app.checkStatus) {
      case "noupdate" -> {
        return new CheckResult.NoUpdate(app.appId);
      }
      case "ok" -> {
        return new CheckResult.Offer(app.appId, offer(app));
      }
      case "" -> throw invalid("<updatecheck> has no status");
      default -> {
        return new CheckResult.AppError(app.appId, app.checkStatus);
      }
    }
  }

  private static UpdateOffer offer(FirstApp app) throws OmahaResponseException {
    if (app.manifestVersion == null) {
      throw invalid("an offer without <manifest>");
    }
    if (app.codebases.isEmpty()) {
      throw invalid("an offer without <urls><url codebase=...>");
    }
    if (app.pkg == null) {
      throw invalid("an offer without <package>");
    }
    if (app.postinstall == null) {
      throw invalid("an offer without <action event=\"postinstall\">");
    }
    String sizeText = app.pkg.getOrDefault("size", "");
    long size;
    try {
      size = Long.parseLong(sizeText);
    } catch (NumberFormatException e) {
      throw invalid("package size '" + sizeText + "' is not a number");
    }
    Map<String, String> post = new LinkedHashMap<>(app.postinstall);
    try {
      return new UpdateOffer(app.manifestVersion, app.codebases, app.pkg.getOrDefault("name", ""), size,
          app.pkg.getOrDefault("hash", ""), app.pkg.getOrDefault("hash_sha256", ""),
          new UpdateOffer.Postinstall(post.getOrDefault("sha256", ""), post));
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
  }

  private static String attr(XMLStreamReader r, String name) {
    String v = r.getAttributeValue(null, name);
    return v == null ? "" : v;
  }

  private static Map<String, String> attrs(XMLStreamReader r) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < r.getAttributeCount(); i++) {
      m.put(r.getAttributeLocalName(i), r.getAttributeValue(i));
    }
    return m;
  }
}
