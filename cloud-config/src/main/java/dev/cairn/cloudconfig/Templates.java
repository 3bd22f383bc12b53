package dev.cairn.cloudconfig;

import java.util.Map;

/**
 * Variable substitution for cloud-config templates. {@code $name} and {@code ${name}} become the
 * value of {@code name} when it is given; {@code \$name} stands for a literal {@code $name} when
 * {@code name} is given. Anything else, including coreos-cloudinit's own {@code $private_ipv4}
 * family when not given and shell variables in scripts, is left exactly as written, so the machine
 * can fill it in at boot.
 */
public final class Templates {
  private Templates() {}

  public static String substitute(String template, Map<String, String> vars) {
    StringBuilder out = new StringBuilder(template.length());
    int i = 0;
    int n = template.length();
    while (i < n) {
      char c = template.charAt(i);
      if (c == '\\' && i + 1 < n && template.charAt(i + 1) == '$') {
        Ref ref = ref(template, i + 1);
        if (ref != null && vars.containsKey(ref.name)) {
          out.append(template, i + 1, ref.end);
          i = ref.end;
          continue;
        }
        out.append(c);
        i++;
        continue;
      }
      if (c == '$') {
        Ref ref = ref(template, i);
        if (ref != null && vars.containsKey(ref.name)) {
          out.append(vars.get(ref.name));
          i = ref.end;
          continue;
        }
      }
      out.append(c);
      i++;
    }
    return out.toString();
  }

  private record Ref(String name, int end) {}

  /** The variable reference starting at the {@code $} at {@code at}: {@code $name} or {@code ${name}}. */
  private static Ref ref(String s, int at) {
    int i = at + 1;
    boolean braced = i < s.length() && s.charAt(i) == '{';
    if (braced) {
      i++;
    }
    int start = i;
    if (i >= s.length() || !(Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
      return null;
    }
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
      i++;
    }
    String name = s.substring(start, i);
    if (braced) {
      if (i >= s.length() || s.charAt(i) != '}') {
        return null;
      }
      i++;
    }
    return new Ref(name, i);
  }
}
