package dev.cairn.pxe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

  @Test
  void theRecord_takesOnlyTheNormalForm() {
    assertThrows(IllegalArgumentException.class, () -> new MacAddress("0A:1B:2C:3D:4E:5F"));
  }
}
