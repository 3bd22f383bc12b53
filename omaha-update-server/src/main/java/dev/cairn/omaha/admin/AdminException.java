package dev.cairn.omaha.admin;

import dev.cairn.omaha.ControlChars;

/**
 * The server refused a request, or could not be reached; the message is one line for the operator,
 * with the control characters of whatever the server said escaped ({@link ControlChars#escape}).
 */
public final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String body;

  AdminException(int status, String message) {
    this(status, message, "");
  }

  /** With the server's answer as it came, for a command that shows more of it (the findings of a refused edit). */
  AdminException(int status, String message, String body) {
    super(ControlChars.escape(message));
    this.status = status;
    this.body = body == null ? "" : body;
  }

  /** The body of the server's answer, as it came (raw: escape what of it is shown); empty when none. */
  String body() {
    return body;
  }

  /** The HTTP status the server answered with; 0 when it did not answer. */
  public int status() {
    return status;
  }
}
