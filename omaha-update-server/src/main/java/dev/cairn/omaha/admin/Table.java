package dev.cairn.omaha.admin;

import java.util.List;

/** Aligned text columns under a header line, as the list commands print them. */
public final class Table {
  private Table() {}

  /**
   * The rows under the headers, each column as wide as its widest cell, two spaces between
   * columns, no trailing blanks; a null or empty cell shows as {@code -}. Ends with a newline.
   */
  public static String format(List<String> headers, List<List<String>> rows) {
    int[] width = new int[headers.size()];
    for (int c = 0; c < width.length; c++) {
      width[c] = headers.get(c).length();
      for (List<String> row : rows) {
        width[c] = Math.max(width[c], cell(row, c).length());
      }
    }
    StringBuilder b = new StringBuilder();
    line(b, headers, width);
    for (List<String> row : rows) {
      line(b, row, width);
    }
    return b.toString();
  }

  private static void line(StringBuilder b, List<String> cells, int[] width) {
    StringBuilder l = new StringBuilder();
    for (int c = 0; c < width.length; c++) {
      String v = cell(cells, c);
      l.append(v);
      if (c < width.length - 1) {
        l.append(" ".repeat(width[c] - v.length() + 2));
      }
    }
    b.append(l.toString().stripTrailing()).append('\n');
  }

  private static String cell(List<String> row, int c) {
    String v = c < row.size() ? row.get(c) : null;
    return v == null || v.isEmpty() ? "-" : v.replace('\n', ' ');
  }
}
