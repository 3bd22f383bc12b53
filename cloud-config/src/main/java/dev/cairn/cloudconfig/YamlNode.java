package dev.cairn.cloudconfig;

import java.util.List;

/**
 * A YAML node with its position, built from parser events so that every value keeps the line and
 * column it was written at. Scalars keep their text and whether they were quoted, so YAML 1.1
 * idioms can be judged on what the operator wrote.
 */
sealed interface YamlNode {
  int line();

  int column();

  /** How a scalar was written. */
  enum Style { PLAIN, QUOTED, LITERAL, FOLDED }

  /** A scalar; {@code tag} is the explicit tag written, or null. */
  record Scalar(String value, Style style, String tag, int line, int column) implements YamlNode {
    boolean plain() {
      return style == Style.PLAIN && tag == null;
    }
  }

  record Entry(Scalar key, YamlNode value) {}

  record Mapping(List<Entry> entries, int line, int column) implements YamlNode {}

  record Sequence(List<YamlNode> items, int line, int column) implements YamlNode {}

  /** A key whose value is not a scalar (complex keys) is kept as this stand-in. */
  record Other(String what, int line, int column) implements YamlNode {}
}
