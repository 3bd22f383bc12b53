package dev.cairn.install.agent.omaha;

import dev.cairn.install.agent.ErrorCode;
import java.io.IOException;

/**
 * The server's answer could not be used: the message says what was wrong, {@link #errorCode()}
 * is the update_engine code the agent reports for it (30 empty, 31 not XML, 34 not a valid
 * answer, 2000 plus the HTTP status for a refused request).
 */
public final class OmahaResponseException extends IOException {
  private final int errorCode;

  public OmahaResponseException(int errorCode, String message) {
    super(message);
    this.errorCode = errorCode;
  }

  public OmahaResponseException(ErrorCode errorCode, String message) {
    this(errorCode.code(), message);
  }

  /** The update_engine error code for this failure, without flag bits. */
  public int errorCode() {
    return errorCode;
  }
}
