package dev.cairn.install.agent;

/**
 * update_engine's action exit codes (Flatcar's {@code ActionExitCode}), with their wire numbers.
 * An error event carries one of these in its {@code errorcode}, OR-ed with the {@code *_FLAG}
 * bits; {@link #render(int)} gives the attribute text.
 */
public enum ErrorCode {
  SUCCESS(0),
  ERROR(1),
  OMAHA_REQUEST_ERROR(2),
  OMAHA_RESPONSE_HANDLER_ERROR(3),
  FILESYSTEM_COPIER_ERROR(4),
  POSTINSTALL_RUNNER_ERROR(5),
  SET_BOOTABLE_FLAG_ERROR(6),
  INSTALL_DEVICE_OPEN_ERROR(7),
  KERNEL_DEVICE_OPEN_ERROR(8),
  DOWNLOAD_TRANSFER_ERROR(9),
  PAYLOAD_HASH_MISMATCH_ERROR(10),
  PAYLOAD_SIZE_MISMATCH_ERROR(11),
  DOWNLOAD_PAYLOAD_VERIFICATION_ERROR(12),
  DOWNLOAD_NEW_PARTITION_INFO_ERROR(13),
  DOWNLOAD_WRITE_ERROR(14),
  NEW_ROOTFS_VERIFICATION_ERROR(15),
  NEW_KERNEL_VERIFICATION_ERROR(16),
  SIGNED_DELTA_PAYLOAD_EXPECTED_ERROR(17),
  DOWNLOAD_PAYLOAD_PUB_KEY_VERIFICATION_ERROR(18),
  POSTINSTALL_BOOTED_FROM_FIRMWARE_B(19),
  DOWNLOAD_STATE_INITIALIZATION_ERROR(20),
  DOWNLOAD_INVALID_METADATA_MAGIC_STRING(21),
  DOWNLOAD_SIGNATURE_MISSING_IN_MANIFEST(22),
  DOWNLOAD_MANIFEST_PARSE_ERROR(23),
  DOWNLOAD_METADATA_SIGNATURE_ERROR(24),
  DOWNLOAD_METADATA_SIGNATURE_VERIFICATION_ERROR(25),
  DOWNLOAD_METADATA_SIGNATURE_MISMATCH(26),
  DOWNLOAD_OPERATION_HASH_VERIFICATION_ERROR(27),
  DOWNLOAD_OPERATION_EXECUTION_ERROR(28),
  DOWNLOAD_OPERATION_HASH_MISMATCH(29),
  OMAHA_REQUEST_EMPTY_RESPONSE_ERROR(30),
  OMAHA_REQUEST_XML_PARSE_ERROR(31),
  DOWNLOAD_INVALID_METADATA_SIZE(32),
  DOWNLOAD_INVALID_METADATA_SIGNATURE(33),
  OMAHA_RESPONSE_INVALID(34),
  OMAHA_UPDATE_IGNORED_PER_POLICY(35),
  OMAHA_UPDATE_DEFERRED_PER_POLICY(36),
  OMAHA_ERROR_IN_HTTP_RESPONSE(37),
  DOWNLOAD_OPERATION_HASH_MISSING_ERROR(38),
  DOWNLOAD_METADATA_SIGNATURE_MISSING_ERROR(39),
  OMAHA_UPDATE_DEFERRED_FOR_BACKOFF(40),
  POSTINSTALL_POWERWASH_ERROR(41),
  NEW_PCR_POLICY_VERIFICATION_ERROR(42),
  NEW_PCR_POLICY_HTTP_ERROR(43),
  /** The machine booted the version it ran before the update: the new one was rolled back. */
  ROLLBACK_ERROR(44);

  /** The code was reported by a developer-mode system (update_engine's kActionCodeDevModeFlag). */
  public static final int DEV_MODE_FLAG = 1 << 31;
  /** The failed attempt had resumed an earlier download. */
  public static final int RESUMED_FLAG = 1 << 30;
  /** The system is a test image. */
  public static final int TEST_IMAGE_FLAG = 1 << 29;
  /** SERVER is not the distribution's default update server (set by Flatcar on every error then). */
  public static final int TEST_OMAHA_URL_FLAG = 1 << 28;
  /** All four flag bits. */
  public static final int FLAGS = DEV_MODE_FLAG | RESUMED_FLAG | TEST_IMAGE_FLAG | TEST_OMAHA_URL_FLAG;
  /**
   * update_engine's kActionCodeOmahaRequestHTTPResponseBase: an update check whose HTTP transfer
   * failed reports 2000 plus the HTTP status (capped at 999).
   */
  public static final int HTTP_RESPONSE_BASE = 2000;

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /** The number update_engine sends. */
  public int code() {
    return code;
  }

  /** The code with that number; {@code code} must not carry flag bits. */
  public static ErrorCode of(int code) {
    ErrorCode[] all = values();
    if (code < 0 || code >= all.length) {
      throw new IllegalArgumentException("error code must be 0-" + (all.length - 1) + ", got " + code);
    }
    return all[code];
  }

  /** The code without its flag bits, as update_engine's GetBaseErrorCode. */
  public static int base(int errorcode) {
    return errorcode & ~FLAGS;
  }

  /** This code with {@code flags} (only the four flag bits are accepted), as sent. */
  public int withFlags(int flags) {
    if ((flags & ~FLAGS) != 0) {
      throw new IllegalArgumentException("flags must be a combination of the four flag bits 28-31, got 0x"
          + Integer.toHexString(flags));
    }
    return code | flags;
  }

  /**
   * The {@code errorcode} attribute's text: the number in decimal, as update_engine's {@code %d}
   * prints it (the developer-mode bit makes it negative; Flatcar never sets that bit).
   */
  public static String render(int errorcode) {
    return Integer.toString(errorcode);
  }
}
