package dev.cairn.omaha.admin;

import dev.cairn.omaha.ControlChars;

/**
 * The server refused a request, or could not be reached; the message is one line for the operator,
 * with the control characters of whatever the server said escaped ({@link ControlChars#escape}).
 */
public final class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  AdminException(int status, String message) {
    super(ControlChars.escape(message));
    this.status = status;
  }

  /** The HTTP status the server answered with; 0 when it did not answer. */
  public int status() {
    return status;
  }
}
