package dev.cairn.install.agent;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An update the server offers: the manifest's {@code version}, the {@code codebase} of every
 * {@code <url>} (tried in order), the first {@code <package>} and the postinstall action.
 * {@code sha1Base64} ({@code hash}) and {@code sha256Base64} ({@code hash_sha256}) of the package
 * are "" when absent; update_engine checks neither, it checks {@link Postinstall#sha256Base64()}.
 */
public record UpdateOffer(String version, List<String> codebases, String packageName, long size, String sha1Base64,
    String sha256Base64, Postinstall postinstall) {

  public UpdateOffer {
    if (version == null || version.isEmpty()) {
      throw new IllegalArgumentException("manifest version must not be empty");
    }
    codebases = List.copyOf(codebases);
    if (codebases.isEmpty()) {
      throw new IllegalArgumentException("an offer needs at least one url codebase");
    }
    for (String c : codebases) {
      if (c.isEmpty()) {
        throw new IllegalArgumentException("url codebase must not be empty");
      }
    }
    if (packageName == null || packageName.isEmpty()) {
      throw new IllegalArgumentException("package name must not be empty");
    }
    if (size <= 0) {
      throw new IllegalArgumentException("package size must be > 0, got " + size);
    }
    checkBase64("package hash", sha1Base64, 20);
    checkBase64("package hash_sha256", sha256Base64, 32);
    if (postinstall == null) {
      throw new IllegalArgumentException("an offer needs the postinstall action");
    }
  }

  /**
   * The postinstall {@code <action>}: {@code sha256} (base64 SHA-256 of the payload, required) and
   * every attribute as sent, in order ({@code DisablePayloadBackoff}, {@code IsDeltaPayload}, ...).
   */
  public record Postinstall(String sha256Base64, Map<String, String> attributes) {
    public Postinstall {
      if (sha256Base64 == null || sha256Base64.isEmpty()) {
        throw new IllegalArgumentException("postinstall action sha256 must not be empty");
      }
      checkBase64("postinstall action sha256", sha256Base64, 32);
      attributes = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    /** The attribute's value, "" when absent. */
    public String attribute(String name) {
      return attributes.getOrDefault(name, "");
    }

    /** {@code DisablePayloadBackoff="true"}. */
    public boolean disablePayloadBackoff() {
      return attribute("DisablePayloadBackoff").equals("true");
    }
  }

  /** The payload's URLs, one per codebase: codebase, "/" unless it ends with one, package name. */
  public List<String> payloadUrls() {
    return codebases.stream().map(c -> (c.endsWith("/") ? c : c + "/") + packageName).toList();
  }

  /** The SHA-256 the payload must have, as bytes. */
  public byte[] payloadSha256() {
    return Base64.getDecoder().decode(postinstall.sha256Base64());
  }

  /** {@code value} ("" for absent) must be the base64 of {@code bytes} bytes. */
  private static void checkBase64(String name, String value, int bytes) {
    if (value == null) {
      throw new IllegalArgumentException(name + " must be given (\"\" when absent), got null");
    }
    if (value.isEmpty()) {
      return;
    }
    byte[] d;
    try {
      d = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " '" + value + "' is not base64");
    }
    if (d.length != bytes) {
      throw new IllegalArgumentException(name + " '" + value + "' is " + d.length + " bytes, expected " + bytes);
    }
  }
}
