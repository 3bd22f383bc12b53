package dev.cairn.cloudconfig;

/**
 * Recognises an Ignition config (a JSON object with {@code ignitionVersion}, or with an {@code
 * ignition} object that has a {@code version}), which is not cloud-config.
 */
final class Ignition {
  private Ignition() {}

  static boolean looksLikeIgnition(String text) {
    String t = text.strip();
    if (!t.startsWith("{") || !t.endsWith("}")) {
      return false;
    }
    // JSON is YAML: read it with the same bounded reader, so nesting and size limits hold here too.
    YamlReader.Result r = YamlReader.read(t, "ignition");
    if (!(r.root() instanceof YamlNode.Mapping root)) {
      return false;
    }
    for (YamlNode.Entry e : root.entries()) {
      String key = e.key().value();
      if (key.equals("ignitionVersion")) {
        return true;
      }
      if (key.equals("ignition") && e.value() instanceof YamlNode.Mapping ignition
          && ignition.entries().stream().anyMatch(v -> v.key().value().equals("version"))) {
        return true;
      }
    }
    return false;
  }
}
