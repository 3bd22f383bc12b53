package dev.cairn.pxe;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Paths of assets and the URLs they are fetched at. A path is relative to the assets folder, its
 * segments separated by {@code /}: none empty, {@code .} or {@code ..}, and no backslash or control
 * character, so a path can never leave the folder by its spelling (symbolic links are judged by
 * the files adapter). A kernel or initrd is either such a path or an http(s) URL.
 */
public final class AssetPaths {
  private static final Pattern URL = Pattern.compile("https?://[^\\s/?#]+[^\\s]*", Pattern.CASE_INSENSITIVE);

  private AssetPaths() {}

  /** Whether {@code s} is written as a URL (http:// or https://), rather than an asset path. */
  public static boolean isUrl(String s) {
    String l = s.toLowerCase(java.util.Locale.ROOT);
    return l.startsWith("http://") || l.startsWith("https://");
  }

  /** {@code url} when it is an http(s) URL with a host and no blank or control character. */
  public static String checkUrl(String url) {
    if (!URL.matcher(url).matches() || url.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException("\"" + url + "\" is not an http:// or https:// URL with a host");
    }
    return url;
  }

  /** The segments of {@code path}; IllegalArgumentException says why it is not a path under the folder. */
  public static List<String> segments(String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException("an empty asset path");
    }
    if (path.startsWith("/")) {
      throw new IllegalArgumentException("asset path \"" + path + "\" starts with /; write it relative to the assets folder");
    }
    List<String> out = new ArrayList<>();
    for (String s : path.split("/", -1)) {
      if (s.isEmpty() || s.equals(".") || s.equals("..")) {
        throw new IllegalArgumentException("asset path \"" + path + "\" has an empty, . or .. segment");
      }
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '\\' || Character.isISOControl(c)) {
          throw new IllegalArgumentException("asset path \"" + Labels.printable(path)
              + "\" has a backslash or a control character");
        }
      }
      out.add(s);
    }
    return out;
  }

  /** The URL of asset {@code path} under {@code publicUrl}: {@code PUBLIC/assets/SEGMENT/...}, percent-encoded. */
  public static String url(String publicUrl, String path) {
    StringBuilder b = new StringBuilder(trim(publicUrl)).append("/assets");
    for (String s : segments(path)) {
      b.append('/').append(encode(s));
    }
    return b.toString();
  }

  /** {@code url} without a trailing slash. */
  public static String trim(String url) {
    String u = url;
    while (u.endsWith("/")) {
      u = u.substring(0, u.length() - 1);
    }
    return u;
  }

  /** Percent-encodes everything but RFC 3986's unreserved characters. */
  static String encode(String segment) {
    StringBuilder b = new StringBuilder(segment.length());
    for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
        b.append(c);
      } else {
        b.append('%').append(String.format("%02X", x & 0xff));
      }
    }
    return b.toString();
  }
}
