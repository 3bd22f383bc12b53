package dev.cairn.cloudconfig;

import java.util.Locale;

/** One finding of the validator, at a 1-based line and column of {@code source}. */
public record Diagnostic(String source, int line, int column, Level level, String message) {

  public enum Level {
    ERROR, WARNING, INFO;

    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public Diagnostic {
    if (line < 1 || column < 1) {
      throw new IllegalArgumentException("line and column are 1-based, got " + line + ":" + column);
    }
    if (level == null || message == null || message.isEmpty()) {
      throw new IllegalArgumentException("a diagnostic needs a level and a message");
    }
  }

  /** {@code FILE:LINE:COLUMN: level: message}. */
  @Override
  public String toString() {
    return source + ":" + line + ":" + column + ": " + level.word() + ": " + message;
  }
}
