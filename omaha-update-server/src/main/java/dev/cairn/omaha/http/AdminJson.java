package dev.cairn.omaha.http;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.omaha.ControlChars;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** What the admin handlers share: reading capped bodies and query parameters, JSON fields, answers. */
final class AdminJson {
  /**
   * Reads and writes the admin API's JSON. It writes every {@link ControlChars control character}
   * as a JSON escape (a backslash, {@code u} and four hex digits): Jackson escapes only those below
   * U+0020 by default, and the DEL, C1 and bidi controls machines send would reach the terminal of
   * whoever reads the API with curl.
   */
  static final ObjectMapper JSON = new ObjectMapper(new JsonFactoryBuilder().characterEscapes(new Escapes()).build());

  /** Jackson's escapes plus DEL, C1 and the bidi controls and separators. */
  static final class Escapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii = standardAsciiEscapesForJSON();

    Escapes() {
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      return ControlChars.isControl(c) ? new SerializedString(String.format("\\u%04X", c)) : null;
    }
  }

  private AdminJson() {}

  /** The whole body, refused as too big past {@code max} bytes (declared or sent). */
  static byte[] readRaw(HttpServerExchange ex, int max) throws IOException {
    if (ex.getRequestContentLength() > max) {
      throw new RequestTooBigException();
    }
    byte[] bytes = ex.getInputStream().readNBytes(max + 1);
    if (bytes.length > max) {
      throw new RequestTooBigException();
    }
    return bytes;
  }

  /** {@code bytes} as a JSON object; anything else is bad input. */
  static JsonNode object(byte[] bytes) {
    try {
      JsonNode n = JSON.readTree(bytes);
      if (n == null || !n.isObject()) {
        throw new IllegalArgumentException("the body must be a JSON object");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("the body is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String param(HttpServerExchange ex, String name, String fallback) {
    var values = ex.getQueryParameters().get(name);
    return values == null || values.isEmpty() ? fallback : values.getFirst();
  }

  /** A string field; required when {@code fallback} is null. */
  static String text(JsonNode n, String field, String fallback) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      if (fallback == null) {
        throw new IllegalArgumentException("field '" + field + "' is required");
      }
      return fallback;
    }
    if (!v.isTextual()) {
      throw new IllegalArgumentException("field '" + field + "' must be a string");
    }
    return v.asText();
  }

  static ObjectNode error(String message) {
    return JSON.createObjectNode().put("error", message);
  }

  /** Answers {@code body} as pretty-printed JSON. */
  static void send(HttpServerExchange ex, int status, Object body) {
    try {
      OmahaServer.text(ex, status, "application/json", JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body)
          + "\n");
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
