package dev.cairn.cloudconfig;

import java.util.List;

/** Diagnostics as text (with the source line and a caret) or as a JSON array. Pure. */
public final class DiagnosticFormat {
  private DiagnosticFormat() {}

  /** {@code FILE:LINE:COLUMN: level: message}, then the source line and a caret under the column. */
  public static String text(List<Diagnostic> diagnostics, String sourceText) {
    String[] lines = sourceText.split("\n", -1);
    StringBuilder b = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      b.append(d).append('\n');
      if (d.line() <= lines.length) {
        String line = lines[d.line() - 1];
        if (line.endsWith("\r")) {
          line = line.substring(0, line.length() - 1);
        }
        if (line.length() > 200) {
          line = line.substring(0, 200) + "...";
        }
        b.append("  ").append(line).append('\n');
        StringBuilder caret = new StringBuilder("  ");
        for (int i = 0; i < d.column() - 1 && i < line.length(); i++) {
          caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        b.append(caret).append("^\n");
      }
    }
    return b.toString();
  }

  public static String json(List<Diagnostic> diagnostics) {
    StringBuilder b = new StringBuilder("[");
    String sep = "\n";
    for (Diagnostic d : diagnostics) {
      b.append(sep).append("  {\"file\": ").append(quote(d.source()))
          .append(", \"line\": ").append(d.line())
          .append(", \"column\": ").append(d.column())
          .append(", \"level\": ").append(quote(d.level().word()))
          .append(", \"message\": ").append(quote(d.message())).append('}');
      sep = ",\n";
    }
    return b.append(diagnostics.isEmpty() ? "]\n" : "\n]\n").toString();
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
