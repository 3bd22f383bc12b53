package dev.cairn.install.agent.lock;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * locksmith's stored form of the {@link Semaphore}: {@code {"semaphore":1,"max":2,"holders":["a"]}},
 * keys in this order, no spaces, as Go's {@code encoding/json} writes locksmith's struct. Cairn
 * always writes {@code holders} as an array (sorted); it reads what locksmith writes too:
 * {@code "holders":null} (a semaphore locksmith created and nobody took yet), a missing
 * {@code holders}, and keys it does not know, which it ignores.
 */
public final class SemaphoreJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private SemaphoreJson() {}

  /** The value as stored: {@code {"semaphore":N,"max":N,"holders":[...]}}. */
  public static String encode(Semaphore s) {
    ObjectNode o = JSON.createObjectNode();
    o.put("semaphore", s.available());
    o.put("max", s.max());
    ArrayNode holders = o.putArray("holders");
    s.holders().forEach(holders::add);
    return o.toString();
  }

  /**
   * Reads a stored value.
   *
   * @throws IllegalArgumentException naming the key, its value and what was expected: not JSON or
   *     not an object, {@code semaphore} or {@code max} missing or not an integer, {@code max}
   *     below zero, {@code holders} not an array of machine ids, a holder listed twice
   */
  public static Semaphore decode(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("semaphore value is not JSON: '" + abbreviate(json) + "'");
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("semaphore value must be a JSON object, got '" + abbreviate(json) + "'");
    }
    int available = integer(root, "semaphore");
    int max = integer(root, "max");
    if (max < 0) {
      throw new IllegalArgumentException("semaphore value: \"max\" must be 0 or more, got " + max);
    }
    JsonNode h = root.get("holders");
    List<String> holders = new ArrayList<>();
    if (h != null && !h.isNull()) {
      if (!h.isArray()) {
        throw new IllegalArgumentException(
            "semaphore value: \"holders\" must be an array of machine ids or null, got " + h);
      }
      for (JsonNode e : h) {
        if (!e.isTextual()) {
          throw new IllegalArgumentException(
              "semaphore value: \"holders\" must hold machine ids (strings), got " + e);
        }
        try {
          holders.add(Semaphore.checkId(e.textValue()));
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException("semaphore value: \"holders\": " + bad.getMessage());
        }
      }
    }
    try {
      return new Semaphore(available, max, holders);
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException("semaphore value: \"holders\": " + bad.getMessage());
    }
  }

  private static int integer(JsonNode root, String key) {
    JsonNode v = root.get(key);
    if (v == null) {
      throw new IllegalArgumentException("semaphore value: \"" + key + "\" is missing, an integer is expected");
    }
    if (!v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException("semaphore value: \"" + key + "\" must be an integer, got " + v);
    }
    return v.intValue();
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "...";
  }
}
