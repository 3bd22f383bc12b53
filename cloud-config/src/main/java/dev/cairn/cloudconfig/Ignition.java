package dev.cairn.cloudconfig;

import java.util.regex.Pattern;

/** Recognises an Ignition config (JSON with an ignition version), which is not cloud-config. */
final class Ignition {
  private static final Pattern VERSION = Pattern.compile(
      "\"(ignitionVersion|ignition)\"\\s*:\\s*(\\d|\\{[^}]*\"version\"\\s*:)");

  private Ignition() {}

  static boolean looksLikeIgnition(String text) {
    String t = text.strip();
    return t.startsWith("{") && t.endsWith("}") && VERSION.matcher(t).find();
  }
}
