package dev.cairn.pxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link MacAddress#parse}: every common form, any case, to one form; anything else refused with the reason. */
class MacAddressTest {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"0a:1b:2c:3d:4e:5f", "0A:1B:2C:3D:4E:5F", "0a-1b-2c-3d-4e-5f", "0A-1b-2C-3d-4E-5f",
      "0a1b2c3d4e5f", "0A1B2C3D4E5F", "0a1b.2c3d.4e5f", "0A1B.2C3D.4E5F", "\t0a:1b:2c:3d:4e:5f "})
  void commonForms_areOneAddress(String text) {
    MacAddress m = MacAddress.parse(text);
    assertEquals("0a:1b:2c:3d:4e:5f", m.value());
    assertEquals("0a-1b-2c-3d-4e-5f", m.hexhyp());
  }

  @ParameterizedTest(name = "[{0}]")
  @ValueSource(strings = {"", "0a:1b:2c:3d:4e", "0a:1b:2c:3d:4e:5f:60", "0a:1b-2c:3d:4e:5f", "a:1b:2c:3d:4e:5f",
      "0a:1b:2c:3d:4e:5g", "0a1b2c3d4e5", "0a1b2c3d4e5f0", "0a.1b.2c.3d.4e.5f", "0a1b:2c3d:4e5f", "0a1b.2c3d.4e5",
      "0a:1b:2c:3d:4e:5f:", ":0a:1b:2c:3d:4e:5f", "0a 1b 2c 3d 4e 5f", "０a:1b:2c:3d:4e:5f"})
  void anythingElse_isRefused_namingTheValue(String text) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text));
    assertEquals("MAC address \"" + text + "\": expected six hex octets, like 52:54:00:12:34:56, 52-54-00-12-34-56,"
        + " 5254.0012.3456 or 525400123456", e.getMessage());
  }

  /** The forms as regular expressions: what {@link MacAddress#parse}, which reads characters one by one, must agree with. */
  static String byRegex(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    String hex;
    if (t.matches("[0-9a-f]{2}([:-])[0-9a-f]{2}(\\1[0-9a-f]{2}){4}")) {
      hex = t.replace(":", "").replace("-", "");
    } else if (t.matches("[0-9a-f]{4}\\.[0-9a-f]{4}\\.[0-9a-f]{4}")) {
      hex = t.replace(".", "");
    } else if (t.matches("[0-9a-f]{12}")) {
      hex = t;
    } else {
      return null;
    }
    return hex.replaceAll("(..)(?!$)", "$1:");
  }

  /**
   * 200,000 strings made from the three forms with one to three characters replaced, added or
   * removed (hex digits of both cases, separators, blanks, look-alikes): parsed as the regular
   * expressions say, and refused where they refuse.
   */
  @Test
  void parse_agreesWithTheFormsAsRegularExpressions() {
    java.util.Random rnd = new java.util.Random(7);
    String[] forms = {"0a:1B:2c:3D:4e:5F", "0a-1b-2c-3d-4e-5f", "0A1b.2C3d.4E5f", "0a1b2c3d4e5f", " 0a:1b:2c:3d:4e:5f\t"};
    String alphabet = "09afAFgG:-. \t\u00a0\uff10\u212a";
    int parsed = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder b = new StringBuilder(forms[rnd.nextInt(forms.length)]);
      for (int edits = 1 + rnd.nextInt(3); edits > 0; edits--) {
        int at = rnd.nextInt(b.length() + 1);
        char c = alphabet.charAt(rnd.nextInt(alphabet.length()));
        int op = rnd.nextInt(3);
        if (op == 0 || at == b.length()) {
          b.insert(at, c);
        } else if (op == 1) {
          b.deleteCharAt(at);
        } else {
          b.setCharAt(at, c);
        }
      }
      String text = b.toString();
      String expected = byRegex(text);
      if (expected == null) {
        assertThrows(IllegalArgumentException.class, () -> MacAddress.parse(text), text);
      } else {
        assertEquals(expected, MacAddress.parse(text).value(), text);
        parsed++;
      }
    }
    assertTrue(parsed > 10_000, parsed + " parsed: both outcomes are checked");
  }

  @Test
  void theRecord_takesOnlyTheNormalForm() {
    assertThrows(IllegalArgumentException.class, () -> new MacAddress("0A:1B:2C:3D:4E:5F"));
  }
}
