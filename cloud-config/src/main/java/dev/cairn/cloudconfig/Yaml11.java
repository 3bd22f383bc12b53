package dev.cairn.cloudconfig;

import java.util.regex.Pattern;

/**
 * How coreos-cloudinit's YAML 1.1 parser types a plain scalar: the words it takes for booleans and
 * null, and integers in any base (so {@code 0644} is an integer, written in octal). Quoted and
 * block scalars are always strings.
 */
final class Yaml11 {
  enum Type { NULL, BOOL, INT, FLOAT, STRING }

  private static final Pattern BOOL = Pattern.compile(
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
  private static final Pattern NULL = Pattern.compile("|~|null|Null|NULL");
  private static final Pattern INT = Pattern.compile("[-+]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)");
  private static final Pattern FLOAT = Pattern.compile(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

  private Yaml11() {}

  static Type type(YamlNode.Scalar s) {
    if (!s.plain()) {
      return Type.STRING;
    }
    String v = s.value();
    if (NULL.matcher(v).matches()) {
      return Type.NULL;
    }
    if (BOOL.matcher(v).matches()) {
      return Type.BOOL;
    }
    char c = v.charAt(0);
    if (Character.isDigit(c) || c == '-' || c == '+' || c == '.') {
      String digits = v.replace("_", "");
      if (INT.matcher(digits).matches()) {
        return Type.INT;
      }
      if (FLOAT.matcher(digits).matches()) {
        return Type.FLOAT;
      }
    }
    return Type.STRING;
  }
}
