package dev.cairn.omaha.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** What the admin handlers share: reading capped bodies and query parameters, JSON fields, answers. */
final class AdminJson {
  static final ObjectMapper JSON = new ObjectMapper();

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
