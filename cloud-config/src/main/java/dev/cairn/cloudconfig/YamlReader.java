package dev.cairn.cloudconfig;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.common.Anchor;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.NodeEvent;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Builds a {@link YamlNode} tree from snakeyaml-engine's parser events, without recursion and
 * within limits, so hostile input (deep nesting, alias bombs) fails fast with a clear message.
 */
final class YamlReader {
  static final int MAX_DEPTH = 64;
  static final long MAX_EXPANDED_NODES = 100_000;

  /** The tree, or null with the reason in {@code problems}. */
  record Result(YamlNode root, List<Diagnostic> problems) {}

  private YamlReader() {}

  private static final class Frame {
    final boolean mapping;
    final int line;
    final int column;
    final String anchor;
    final List<YamlNode> items = new ArrayList<>();
    final List<YamlNode.Entry> entries = new ArrayList<>();
    YamlNode.Scalar pendingKey;
    YamlNode pendingComplexKey;
    long size = 1;

    Frame(boolean mapping, int line, int column, String anchor) {
      this.mapping = mapping;
      this.line = line;
      this.column = column;
      this.anchor = anchor;
    }
  }

  static Result read(String text, String source) {
    List<Diagnostic> problems = new ArrayList<>();
    // One buffer for the whole document: snakeyaml-engine's reader copies what is left of its
    // window on every refill, which makes a long scalar quadratic with its default 1 KiB buffer
    // (a 4 MiB value took over 15 s). The document is at most CloudConfig.MAX_BYTES.
    LoadSettings settings = LoadSettings.builder().setLabel(source).setUseMarks(true)
        .setCodePointLimit(Integer.MAX_VALUE).setBufferSize(text.length() + 2).build();
    Deque<Frame> stack = new ArrayDeque<>();
    Map<String, YamlNode> anchors = new HashMap<>();
    Map<YamlNode, Long> sizes = new HashMap<>();
    YamlNode root = null;
    int documents = 0;
    long expanded = 0;
    try {
      for (Event e : new Parse(settings).parseString(text)) {
        int line = line(e.getStartMark());
        int column = column(e.getStartMark());
        switch (e.getEventId()) {
          case DocumentStart -> {
            documents++;
            if (documents == 2) {
              problems.add(new Diagnostic(source, line, column, Diagnostic.Level.WARNING,
                  "a second YAML document; cloud-config reads only the first"));
            }
          }
          case MappingStart, SequenceStart -> {
            if (stack.size() >= MAX_DEPTH) {
              problems.add(new Diagnostic(source, line, column, Diagnostic.Level.ERROR,
                  "nesting deeper than " + MAX_DEPTH + " levels"));
              return new Result(null, problems);
            }
            stack.push(new Frame(e.getEventId() == Event.ID.MappingStart, line, column, anchor(e)));
          }
          case MappingEnd, SequenceEnd -> {
            Frame f = stack.pop();
            YamlNode node = f.mapping
                ? new YamlNode.Mapping(List.copyOf(f.entries), f.line, f.column)
                : new YamlNode.Sequence(List.copyOf(f.items), f.line, f.column);
            sizes.put(node, f.size);
            if (f.anchor != null) {
              anchors.put(f.anchor, node);
            }
            root = attach(stack, node, f.size, documents, root);
          }
          case Scalar -> {
            ScalarEvent s = (ScalarEvent) e;
            YamlNode.Scalar node = new YamlNode.Scalar(s.getValue(), style(s.getScalarStyle()),
                s.getTag().filter(t -> !t.equals("!")).orElse(null), line, column);
            String a = anchor(e);
            if (a != null) {
              anchors.put(a, node);
              sizes.put(node, 1L);
            }
            root = attach(stack, node, 1, documents, root);
          }
          case Alias -> {
            Anchor a = ((AliasEvent) e).getAlias();
            YamlNode target = anchors.get(a.getValue());
            if (target == null) {
              problems.add(new Diagnostic(source, line, column, Diagnostic.Level.ERROR,
                  "alias *" + a.getValue() + " refers to no anchor"));
              return new Result(null, problems);
            }
            long size = sizes.getOrDefault(target, 1L);
            expanded += size;
            if (expanded > MAX_EXPANDED_NODES) {
              problems.add(new Diagnostic(source, line, column, Diagnostic.Level.ERROR,
                  "aliases expand to more than " + MAX_EXPANDED_NODES + " nodes; refusing the document"));
              return new Result(null, problems);
            }
            root = attach(stack, target, size, documents, root);
          }
          default -> { }
        }
      }
    } catch (MarkedYamlEngineException ex) {
      Optional<Mark> m = where(ex);
      problems.add(new Diagnostic(source, line(m), column(m), Diagnostic.Level.ERROR,
          "YAML syntax: " + describe(ex, m)));
      return new Result(null, problems);
    } catch (YamlEngineException | StackOverflowError ex) {
      problems.add(new Diagnostic(source, 1, 1, Diagnostic.Level.ERROR, "YAML syntax: " + ex.getMessage()));
      return new Result(null, problems);
    }
    return new Result(root, problems);
  }

  /**
   * Where the mistake is. Usually where the parser noticed it; but a key without its ':' is only
   * noticed on a later line, and an unclosed quote or bracket only at the end of the document, so
   * those point at the key or at the opening quote or bracket instead.
   */
  private static Optional<Mark> where(MarkedYamlEngineException ex) {
    Optional<Mark> problem = ex.getProblemMark();
    Optional<Mark> context = ex.getContextMark();
    if (problem.isEmpty()) {
      return context;
    }
    if (context.isPresent() && (endOfStream(ex) || "while scanning a simple key".equals(ex.getContext()))) {
      return context;
    }
    return problem;
  }

  private static boolean endOfStream(MarkedYamlEngineException ex) {
    String problem = ex.getProblem();
    return problem != null && (problem.contains("end of stream") || problem.contains("<stream end>"));
  }

  private static String describe(MarkedYamlEngineException ex, Optional<Mark> at) {
    String context = ex.getContext();
    String problem = ex.getProblem();
    if (context == null || problem == null) {
      return problem != null ? problem : String.valueOf(context);
    }
    Optional<Mark> cm = ex.getContextMark();
    if (cm.isPresent() && at.isPresent() && !same(cm.get(), at.get())) {
      context += " started at line " + line(cm) + ", column " + column(cm);
    }
    return problem + " (" + context + ")";
  }

  private static boolean same(Mark a, Mark b) {
    return a.getLine() == b.getLine() && a.getColumn() == b.getColumn();
  }

  /** Adds a finished node to its parent; returns the document root (first document only). */
  private static YamlNode attach(Deque<Frame> stack, YamlNode node, long size, int documents, YamlNode root) {
    if (stack.isEmpty()) {
      return documents <= 1 ? node : root;
    }
    Frame parent = stack.peek();
    parent.size = Math.min(Long.MAX_VALUE / 2, parent.size + size);
    if (!parent.mapping) {
      parent.items.add(node);
    } else if (parent.pendingKey == null && parent.pendingComplexKey == null) {
      if (node instanceof YamlNode.Scalar k) {
        parent.pendingKey = k;
      } else {
        parent.pendingComplexKey = node;
      }
    } else {
      YamlNode.Scalar key = parent.pendingKey != null ? parent.pendingKey
          : new YamlNode.Scalar("?", YamlNode.Style.QUOTED, null,
              parent.pendingComplexKey.line(), parent.pendingComplexKey.column());
      parent.entries.add(new YamlNode.Entry(key, node));
      parent.pendingKey = null;
      parent.pendingComplexKey = null;
    }
    return root;
  }

  private static String anchor(Event e) {
    return e instanceof NodeEvent n ? n.getAnchor().map(Anchor::getValue).orElse(null) : null;
  }

  private static YamlNode.Style style(ScalarStyle s) {
    return switch (s) {
      case PLAIN -> YamlNode.Style.PLAIN;
      case LITERAL -> YamlNode.Style.LITERAL;
      case FOLDED -> YamlNode.Style.FOLDED;
      default -> YamlNode.Style.QUOTED;
    };
  }

  private static int line(Optional<Mark> m) {
    return m.map(x -> x.getLine() + 1).orElse(1);
  }

  private static int column(Optional<Mark> m) {
    return m.map(x -> x.getColumn() + 1).orElse(1);
  }
}
