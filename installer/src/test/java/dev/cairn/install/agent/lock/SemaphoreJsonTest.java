package dev.cairn.install.agent.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * locksmith's stored value, byte for byte: Go's {@code encoding/json} of locksmith's struct writes
 * {@code semaphore}, {@code max}, {@code holders} in that order with no spaces, and {@code null}
 * for holders of a semaphore nobody took yet. Each refusal names the key, the value and what was
 * expected.
 */
class SemaphoreJsonTest {
  @Test
  void encode_isLocksmithsForm_holdersSortedAndAlwaysAnArray() {
    assertEquals("{\"semaphore\":1,\"max\":1,\"holders\":[]}", SemaphoreJson.encode(Semaphore.fresh(1)));
    assertEquals("{\"semaphore\":0,\"max\":2,\"holders\":[\"a\",\"b\"]}",
        SemaphoreJson.encode(new Semaphore(0, 2, List.of("b", "a"))));
    assertEquals("{\"semaphore\":-1,\"max\":0,\"holders\":[\"x\\\"y\"]}",
        SemaphoreJson.encode(new Semaphore(-1, 0, List.of("x\"y"))));
  }

  /** What locksmith itself stores: a fresh semaphore's {@code "holders":null}, and after use an array. */
  @Test
  void decode_readsLocksmithsGoldenValues() {
    assertEquals(Semaphore.fresh(1), SemaphoreJson.decode("{\"semaphore\":1,\"max\":1,\"holders\":null}"));
    assertEquals(new Semaphore(0, 2, List.of("a", "b")),
        SemaphoreJson.decode("{\"semaphore\":0,\"max\":2,\"holders\":[\"b\",\"a\"]}"));
    assertEquals(new Semaphore(1, 1, List.of()), SemaphoreJson.decode("{\"semaphore\":1,\"max\":1,\"holders\":[]}"));
  }

  @Test
  void decode_takesAMissingHolders_otherKeyOrders_andIgnoresUnknownKeys() {
    assertEquals(Semaphore.fresh(3), SemaphoreJson.decode("{\"max\":3,\"semaphore\":3}"));
    assertEquals(new Semaphore(0, 1, List.of("m")),
        SemaphoreJson.decode(" {\"holders\":[\"m\"],\"future\":{\"x\":[1]},\"max\":1,\"semaphore\":0} "));
  }

  @Test
  void roundTrip_keepsEveryField() {
    for (Semaphore s : List.of(Semaphore.fresh(0), new Semaphore(-2, 0, List.of("a", "b")),
        new Semaphore(3, 5, List.of("0123456789abcdef0123456789abcdef", "zz")))) {
      assertEquals(s, SemaphoreJson.decode(SemaphoreJson.encode(s)));
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "not json|semaphore value is not JSON: 'not json'",
      "[1]|semaphore value must be a JSON object, got '[1]'",
      "{\"max\":1}|semaphore value: \"semaphore\" is missing, an integer is expected",
      "{\"semaphore\":1}|semaphore value: \"max\" is missing, an integer is expected",
      "{\"semaphore\":\"1\",\"max\":1}|semaphore value: \"semaphore\" must be an integer, got \"1\"",
      "{\"semaphore\":1,\"max\":1.5}|semaphore value: \"max\" must be an integer, got 1.5",
      "{\"semaphore\":1,\"max\":4294967296}|semaphore value: \"max\" must be an integer, got 4294967296",
      "{\"semaphore\":1,\"max\":-1}|semaphore value: \"max\" must be 0 or more, got -1",
      "{\"semaphore\":1,\"max\":1,\"holders\":\"a\"}|semaphore value: \"holders\" must be an array of machine ids or null, got \"a\"",
      "{\"semaphore\":1,\"max\":1,\"holders\":[1]}|semaphore value: \"holders\" must hold machine ids (strings), got 1",
      "{\"semaphore\":1,\"max\":1,\"holders\":[\"a\",\"a\"]}|semaphore value: \"holders\": holder 'a' is listed twice",
      "{\"semaphore\":1,\"max\":1,\"holders\":[\"\"]}|semaphore value: \"holders\": a machine id must be 1 to 256 characters, got ''",
  })
  void badValues_areRefused_namingKeyValueAndExpectation(String json, String message) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, () -> SemaphoreJson.decode(json)).getMessage());
  }
}
