package dev.cairn.cloudconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The shape of a systemd unit or drop-in: comments, [Section] headers, Key=Value lines. */
final class UnitFile {
  private static final Pattern SECTION = Pattern.compile("\\[[^\\[\\]]+\\]");
  private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z0-9_.-]+\\s*=.*");

  /** A problem on {@code index} (0-based) of the content's lines. */
  record Problem(int index, String message) {}

  private UnitFile() {}

  static List<Problem> check(String content) {
    List<Problem> out = new ArrayList<>();
    String[] lines = content.split("\n", -1);
    boolean inSection = false;
    boolean continued = false;
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      boolean wasContinued = continued;
      continued = line.endsWith("\\");
      if (wasContinued || line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      if (SECTION.matcher(line).matches()) {
        inSection = true;
      } else if (ASSIGNMENT.matcher(line).matches()) {
        if (!inSection) {
          out.add(new Problem(i, "unit content: \"" + abbreviate(line) + "\" comes before any [Section] header"));
        }
      } else {
        out.add(new Problem(i, "unit content: expected \"[Section]\" or \"Key=Value\", got \"" + abbreviate(line) + "\""));
      }
    }
    return out;
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 57) + "..." : s;
  }
}
