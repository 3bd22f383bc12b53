package dev.cairn.cloudconfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Variable substitution for cloud-config templates. {@code $name} and {@code ${name}} become the
 * value of {@code name} when it is given; {@code ${a.b}} names a nested value ({@code b} inside
 * {@code a}; the dotted form exists only in braces, so {@code $name.example.com} is still
 * {@code name} followed by {@code .example.com}); {@code \$name} stands for a literal {@code $name}
 * when {@code name} is given. Anything else, including coreos-cloudinit's own {@code $private_ipv4}
 * family when not given and shell variables in scripts, is left exactly as written, so the machine
 * can fill it in at boot.
 *
 * <p>{@link #substitute} puts values in as text, wherever they stand; {@link YamlTemplates} puts
 * them into a YAML document so that no value can change its structure.
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

  /**
   * One variable reference in a template: {@code name}, whether it was written in braces, whether
   * a backslash escapes it, and where it stands: {@code start} and {@code end} are offsets in the
   * template (of the {@code $}, or of the backslash when escaped), {@code line} and {@code column}
   * are 1-based, the column counted in code points.
   */
  public record Reference(String name, boolean braced, boolean escaped, int start, int end, int line, int column) {}

  /** Every reference in {@code template}, in order. */
  public static List<Reference> references(String template) {
    List<Reference> found = new ArrayList<>();
    int line = 1;
    int lineStart = 0;
    int n = template.length();
    int i = 0;
    while (i < n) {
      char c = template.charAt(i);
      if (c == '\n') {
        line++;
        lineStart = i + 1;
        i++;
        continue;
      }
      boolean escaped = c == '\\' && i + 1 < n && template.charAt(i + 1) == '$';
      int dollar = escaped ? i + 1 : i;
      if (escaped || c == '$') {
        Ref ref = ref(template, dollar);
        if (ref != null) {
          int column = template.codePointCount(lineStart, i) + 1;
          found.add(new Reference(ref.name, ref.braced, escaped, i, ref.end, line, column));
          i = ref.end;
          continue;
        }
        i = dollar + 1;
        continue;
      }
      i++;
    }
    return List.copyOf(found);
  }

  private record Ref(String name, int end, boolean braced) {}

  /**
   * The variable reference starting at the {@code $} at {@code at}: {@code $name}, {@code ${name}}
   * or {@code ${a.b.c}}.
   */
  private static Ref ref(String s, int at) {
    int i = at + 1;
    boolean braced = i < s.length() && s.charAt(i) == '{';
    if (braced) {
      i++;
    }
    int start = i;
    while (true) {
      if (i >= s.length() || !(Character.isLetter(s.charAt(i)) || s.charAt(i) == '_')) {
        return null;
      }
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
        i++;
      }
      if (braced && i < s.length() && s.charAt(i) == '.') {
        i++;
        continue;
      }
      break;
    }
    String name = s.substring(start, i);
    if (braced) {
      if (i >= s.length() || s.charAt(i) != '}') {
        return null;
      }
      i++;
    }
    return new Ref(name, i, braced);
  }
}
