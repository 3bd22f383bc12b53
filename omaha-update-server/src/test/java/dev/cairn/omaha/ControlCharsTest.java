package dev.cairn.omaha;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ControlCharsTest {
  @Test
  void escape_showsEveryTerminalControlAsAVisibleEscape() {
    assertEquals("a\\eb\\ac\\rd\\ne\\tf\\bg\\vh\\fi", ControlChars.escape("a\u001bb\u0007c\rd\ne\tf\bg\u000bh\fi"));
    assertEquals("\\x00\\x01\\x1f\\x7f\\x80\\x9b\\x9f", ControlChars.escape("\u0000\u0001\u001f\u007f\u0080\u009b\u009f"));
    assertEquals("\\u202e\\u202a\\u2066\\u2069\\u200e\\u200f\\u061c\\u2028\\u2029",
        ControlChars.escape("\u202e\u202a\u2066\u2069\u200e\u200f\u061c\u2028\u2029"));
  }

  @Test
  void escape_ofAnAnsiColourSequence_leavesNoControlCharacter() {
    String shown = ControlChars.escape("node\u001b[31mRED\u001b]0;pwned\u0007\u009b2J");

    assertEquals("node\\e[31mRED\\e]0;pwned\\a\\x9b2J", shown);
    assertTrue(shown.chars().noneMatch(ControlChars::isControl), shown);
  }

  @Test
  void escape_doublesABackslash_soThatATypedEscapeCannotPassForARealOne() {
    assertEquals("\\\\e[31m", ControlChars.escape("\\e[31m"));
    assertEquals("\\e[31m", ControlChars.escape("\u001b[31m"));
  }

  @Test
  void escape_leavesPlainTextOtherScriptsAndEmojiAsTheyAre() {
    String plain = "rack4-node17 {6d1a0c5e} 3602.2.0 Zürich Ελλάδα 東京 \u05e9\u05dc\u05d5\u05dd 👩‍💻 \u00a0";
    assertSame(plain, ControlChars.escape(plain));
    assertEquals(null, ControlChars.escape(null));
  }

  @Test
  void isControl_coversC0DelC1AndBidi_notPrintableNeighbours() {
    for (int c : new int[] {0, 0x1b, 0x1f, 0x7f, 0x80, 0x9f, 0x202e, 0x2066}) {
      assertTrue(ControlChars.isControl(c), Integer.toHexString(c));
    }
    for (int c : new int[] {0x20, 0x7e, 0xa0, 0xff, 0x200d, 0x202f, 0x2065, 0x206a}) {
      assertFalse(ControlChars.isControl(c), Integer.toHexString(c));
    }
  }
}
