package dev.cairn.install.agent;

/**
 * One {@code <event>} of a request, with update_engine's type and result numbers.
 * {@code errorCode} is the full code with its flag bits, sent only for an error or deferral
 * ({@link #sendsErrorCode()}); {@code previousVersion} is sent when not null (the first check after a
 * reboot).
 */
public record AgentEvent(int type, int result, int errorCode, String previousVersion) {
  public static final int TYPE_UNKNOWN = 0;
  public static final int TYPE_DOWNLOAD_COMPLETE = 1;
  public static final int TYPE_INSTALL_COMPLETE = 2;
  public static final int TYPE_UPDATE_COMPLETE = 3;
  public static final int TYPE_UPDATE_DOWNLOAD_STARTED = 13;
  public static final int TYPE_UPDATE_DOWNLOAD_FINISHED = 14;

  public static final int RESULT_ERROR = 0;
  public static final int RESULT_SUCCESS = 1;
  public static final int RESULT_SUCCESS_REBOOT = 2;
  public static final int RESULT_UPDATE_DEFERRED = 9;

  public AgentEvent {
    if (type < 0) {
      throw new IllegalArgumentException("event type must be >= 0, got " + type);
    }
    if (result < 0) {
      throw new IllegalArgumentException("event result must be >= 0, got " + result);
    }
  }

  /** 13/1: the payload download started. */
  public static AgentEvent downloadStarted() {
    return new AgentEvent(TYPE_UPDATE_DOWNLOAD_STARTED, RESULT_SUCCESS, 0, null);
  }

  /** 14/1: the payload download finished. */
  public static AgentEvent downloadFinished() {
    return new AgentEvent(TYPE_UPDATE_DOWNLOAD_FINISHED, RESULT_SUCCESS, 0, null);
  }

  /** 3/1: the update is installed and waits for a reboot. */
  public static AgentEvent updateComplete() {
    return new AgentEvent(TYPE_UPDATE_COMPLETE, RESULT_SUCCESS, 0, null);
  }

  /**
   * 3/2 with {@code previousversion}: sent with every update check; after a successful update and
   * reboot it names the version the machine ran before, otherwise it is "" (or "0.0.0.0" when the
   * agent has never recorded one).
   */
  public static AgentEvent bootedAfterUpdate(String previousVersion) {
    if (previousVersion == null) {
      throw new IllegalArgumentException("previousversion must not be null (use \"\" when there is none)");
    }
    return new AgentEvent(TYPE_UPDATE_COMPLETE, RESULT_SUCCESS_REBOOT, 0, previousVersion);
  }

  /** 3/0 with {@code code} and {@code flags}: the update failed. */
  public static AgentEvent error(ErrorCode code, int flags) {
    return new AgentEvent(TYPE_UPDATE_COMPLETE, RESULT_ERROR, code.withFlags(flags), null);
  }

  /** 3/0/44, without flags, as update_engine sends it: the machine came back on the old version. */
  public static AgentEvent rolledBack() {
    return new AgentEvent(TYPE_UPDATE_COMPLETE, RESULT_ERROR, ErrorCode.ROLLBACK_ERROR.code(), null);
  }

  /**
   * Whether the {@code errorcode} attribute is sent: for an error or a deferral, not for success
   * (1) nor for the 3/2 update_engine puts in every update check.
   */
  public boolean sendsErrorCode() {
    return result != RESULT_SUCCESS && result != RESULT_SUCCESS_REBOOT;
  }
}
