package dev.cairn.install;

/**
 * The download's progress as the operator sees it: a bar redrawn in place on a terminal, or a
 * plain line every few seconds in a log.
 */
public final class Progress {
  private Progress() {}

  /**
   * {@code [#########.........]  42%  430.1 MiB / 1.00 GiB  52.3 MiB/s  ETA 0:12}; without a
   * known total, the bytes and the rate only.
   */
  public static String bar(long done, long total, double seconds, int width) {
    String rate = seconds > 0 ? Units.rate(done / seconds) : "-";
    if (total <= 0) {
      return Units.bytes(done) + "  " + rate;
    }
    long pct = Math.min(100, done * 100 / total);
    int fill = (int) Math.min(width, done * width / total);
    String eta = done > 0 && seconds > 0 && done < total
        ? "ETA " + Units.duration((long) Math.ceil((total - done) / (done / seconds))) : (done >= total ? "done" : "ETA -");
    return "[" + "#".repeat(fill) + ".".repeat(width - fill) + "] " + String.format("%3d%%", pct) + "  "
        + Units.bytes(done) + " / " + Units.bytes(total) + "  " + rate + "  " + eta;
  }

  /** The same facts as one log line, with a prefix. */
  public static String line(long done, long total, double seconds) {
    return "downloaded " + bar(done, total, seconds, 0).replace("[] ", "");
  }
}
