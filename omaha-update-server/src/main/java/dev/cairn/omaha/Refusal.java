package dev.cairn.omaha;

/**
 * A well-formed request that the current state refuses: the thing it names does not exist, or
 * doing it would conflict with what is there (a name already taken, a channel moved backwards).
 * Nothing has changed when it is thrown. The admin API answers 404 or 409 with its message.
 */
public final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why the request was refused. */
  public enum Kind { NOT_FOUND, CONFLICT }

  private final Kind kind;

  private Refusal(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public static Refusal notFound(String message) {
    return new Refusal(Kind.NOT_FOUND, message);
  }

  public static Refusal conflict(String message) {
    return new Refusal(Kind.CONFLICT, message);
  }

  public Kind kind() {
    return kind;
  }
}
