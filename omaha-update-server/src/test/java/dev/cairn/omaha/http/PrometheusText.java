package dev.cairn.omaha.http;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, as Prometheus reads it: every
 * line is a {@code # HELP}, a {@code # TYPE} or a sample; names and label names are legal; label
 * values use only the three escapes; values are floats; a family is typed once, before its
 * samples, and its samples are together; no series appears twice; histogram buckets are
 * cumulative and end at {@code +Inf} with the count. Anything else throws {@link AssertionError}
 * naming the line.
 */
final class PrometheusText {
  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (?:[^\\\\\\n]|\\\\[\\\\n])*");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(?:\\{(.*)\\})? (\\S+)(?: (-?[0-9]+))?");
  private static final Pattern PAIR = Pattern.compile("(" + LABEL + ")=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern FLOAT = Pattern.compile("[+-]?(?:Inf|NaN|(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?)");

  /** One series: the sample name and its labels, sorted by name. */
  record Series(String name, Map<String, String> labels) {
    static Series of(String name, String... kv) {
      Map<String, String> m = new TreeMap<>();
      for (int i = 0; i < kv.length; i += 2) {
        m.put(kv[i], kv[i + 1]);
      }
      return new Series(name, m);
    }
  }

  /** The samples, in the order written, and each family's type. */
  record Exposition(Map<Series, Double> samples, Map<String, String> types) {
    /** The value of a series, or null when it is not there. */
    Double value(String name, String... kv) {
      return samples.get(Series.of(name, kv));
    }

    /** The series whose sample name is {@code name}. */
    List<Series> series(String name) {
      return samples.keySet().stream().filter(s -> s.name().equals(name)).toList();
    }
  }

  private PrometheusText() {}

  static Exposition parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new AssertionError("the exposition does not end with a newline");
    }
    Map<Series, Double> samples = new LinkedHashMap<>();
    Map<String, String> types = new HashMap<>();
    Set<String> helped = new java.util.HashSet<>();
    Set<String> closed = new java.util.HashSet<>();
    String family = null;
    String[] lines = text.split("\n", -1);
    for (int n = 0; n < lines.length - 1; n++) {
      String line = lines[n];
      String where = "line " + (n + 1) + ": " + line;
      Matcher m;
      if ((m = HELP.matcher(line)).matches()) {
        check(helped.add(m.group(1)), "a second HELP", where);
        family = enter(m.group(1), family, closed, where);
      } else if ((m = TYPE.matcher(line)).matches()) {
        String name = m.group(1);
        String type = m.group(2);
        check(!types.containsKey(name), "a second TYPE", where);
        check(samples.keySet().stream().noneMatch(s -> familyOf(s.name(), name, type)), "TYPE after its samples", where);
        family = enter(name, family, closed, where);
        types.put(name, type);
      } else if (line.startsWith("#")) {
        throw new AssertionError("not a HELP or TYPE comment: " + where);
      } else if ((m = SAMPLE.matcher(line)).matches()) {
        String name = m.group(1);
        Map<String, String> labels = labels(m.group(2) == null ? "" : m.group(2), where);
        check(FLOAT.matcher(m.group(3)).matches(), "a value that is not a float", where);
        String type = family == null ? null : types.get(family);
        if (family == null || !familyOf(name, family, type == null ? "untyped" : type)) {
          family = enter(name, family, closed, where);
        }
        Series s = new Series(name, labels);
        check(!samples.containsKey(s), "a series written twice", where);
        samples.put(s, Double.parseDouble(m.group(3).replace("Inf", "Infinity")));
      } else if (!line.isEmpty()) {
        throw new AssertionError("not a sample: " + where);
      }
    }
    Exposition e = new Exposition(samples, types);
    types.forEach((name, type) -> {
      if (type.equals("histogram")) {
        checkHistogram(e, name);
      }
    });
    return e;
  }

  private static String enter(String family, String current, Set<String> closed, String where) {
    if (family.equals(current)) {
      return current;
    }
    if (current != null) {
      closed.add(current);
    }
    check(!closed.contains(family), "a family whose lines are not together", where);
    return family;
  }

  private static boolean familyOf(String sample, String family, String type) {
    if (sample.equals(family)) {
      return true;
    }
    return switch (type) {
      case "histogram" -> sample.equals(family + "_bucket") || sample.equals(family + "_sum")
          || sample.equals(family + "_count") || sample.equals(family + "_created");
      case "summary" -> sample.equals(family + "_sum") || sample.equals(family + "_count")
          || sample.equals(family + "_created");
      case "counter" -> sample.equals(family.replaceFirst("_total$", "") + "_created");
      default -> false;
    };
  }

  private static Map<String, String> labels(String text, String where) {
    Map<String, String> m = new TreeMap<>();
    int at = 0;
    Matcher p = PAIR.matcher(text);
    while (at < text.length()) {
      check(p.find(at) && p.start() == at, "a malformed label", where);
      check(m.put(p.group(1), p.group(2).replace("\\n", "\n").replace("\\\"", "\"").replace("\\\\", "\\")) == null,
          "a label given twice", where);
      at = p.end();
    }
    return m;
  }

  private static void checkHistogram(Exposition e, String name) {
    Map<Map<String, String>, List<double[]>> buckets = new LinkedHashMap<>();
    e.samples().forEach((s, v) -> {
      if (s.name().equals(name + "_bucket")) {
        check(s.labels().containsKey("le"), "a bucket without le", s.toString());
        Map<String, String> rest = new TreeMap<>(s.labels());
        double le = Double.parseDouble(rest.remove("le").replace("Inf", "Infinity"));
        buckets.computeIfAbsent(rest, k -> new ArrayList<>()).add(new double[] {le, v});
      }
    });
    buckets.forEach((labels, bs) -> {
      double lastLe = Double.NEGATIVE_INFINITY;
      double lastCount = 0;
      for (double[] b : bs) {
        check(b[0] > lastLe, "buckets not in increasing le", name + labels);
        check(b[1] >= lastCount, "a bucket below the one before", name + labels);
        lastLe = b[0];
        lastCount = b[1];
      }
      check(lastLe == Double.POSITIVE_INFINITY, "no +Inf bucket", name + labels);
      Series count = new Series(name + "_count", new TreeMap<>(labels));
      check(Double.valueOf(lastCount).equals(e.samples().get(count)), "+Inf bucket is not the count", name + labels);
    });
  }

  private static void check(boolean ok, String what, String where) {
    if (!ok) {
      throw new AssertionError(what + ": " + where);
    }
  }
}
