package dev.cairn.pxe.http;

import dev.cairn.pxe.files.AssetFolder;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.DateUtils;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Date;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * {@code GET|HEAD /assets/PATH}: a file of the assets folder, found only through
 * {@link AssetFolder#resolve} (no {@code ..}, no symbolic link out of the folder), with one byte
 * range, an ETag (size, modification time and inode, so a replaced kernel gets a new one),
 * If-None-Match and If-Range, and the body sent zero-copy ({@link FileSend}).
 */
final class AssetResponses {
  private AssetResponses() {}

  /**
   * Serves {@code path} (the part after {@code /assets/}, decoded); {@code count} is given the
   * status before the answer goes out.
   */
  static void serve(HttpServerExchange ex, AssetFolder folder, String path, boolean head, IntConsumer count)
      throws IOException {
    Optional<Path> found = folder.resolve(path);
    if (found.isEmpty()) {
      count.accept(StatusCodes.NOT_FOUND);
      BootRoutes.text(ex, StatusCodes.NOT_FOUND, "no such asset\n");
      return;
    }
    FileChannel ch;
    BasicFileAttributes a;
    try {
      ch = FileChannel.open(found.get(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
      a = java.nio.file.Files.readAttributes(found.get(), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.FileSystemException e) {    // gone, a loop, no permission
      count.accept(StatusCodes.NOT_FOUND);
      BootRoutes.text(ex, StatusCodes.NOT_FOUND, "no such asset\n");
      return;
    }
    boolean sending = false;
    try {
      long size = ch.size();
      String etag = "\"" + Long.toHexString(size) + "-" + Long.toHexString(a.lastModifiedTime().toMillis()) + "-"
          + Integer.toHexString(String.valueOf(a.fileKey()).hashCode()) + "\"";
      var h = ex.getResponseHeaders();
      h.put(Headers.ACCEPT_RANGES, "bytes");
      h.put(Headers.ETAG, etag);
      h.put(Headers.LAST_MODIFIED, DateUtils.toDateString(new Date(a.lastModifiedTime().toMillis())));
      h.put(Headers.CACHE_CONTROL, "no-cache");
      if (matches(ex.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH), etag)) {
        count.accept(StatusCodes.NOT_MODIFIED);
        ex.setStatusCode(StatusCodes.NOT_MODIFIED);
        ex.endExchange();
        return;
      }
      long start = 0;
      long end = size - 1;
      int status = StatusCodes.OK;
      String range = ex.getRequestHeaders().getFirst(Headers.RANGE);
      String ifRange = ex.getRequestHeaders().getFirst(Headers.IF_RANGE);
      if (range != null && (ifRange == null || ifRange.trim().equals(etag))) {
        long[] r = range(range, size);
        if (r == UNSATISFIABLE) {
          ex.setStatusCode(StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE);
          h.put(Headers.CONTENT_RANGE, "bytes */" + size);
          h.put(Headers.CONTENT_LENGTH, 0);
          count.accept(StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE);
          ex.endExchange();
          return;
        }
        if (r != null) {
          start = r[0];
          end = r[1];
          status = StatusCodes.PARTIAL_CONTENT;
          ex.setStatusCode(status);
          h.put(Headers.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + size);
        }
      }
      long length = end - start + 1;
      h.put(Headers.CONTENT_TYPE, "application/octet-stream");
      h.put(Headers.CONTENT_LENGTH, length);
      count.accept(status);
      if (head || length == 0) {
        ex.endExchange();
        return;
      }
      FileSend.start(ex, ch, start, length);
      sending = true;
    } finally {
      if (!sending) {
        ch.close();
      }
    }
  }

  static final long[] UNSATISFIABLE = new long[0];

  /**
   * The one range {@code header} asks for, as first and last byte; null to ignore the header
   * (malformed, or several ranges: the whole file is answered); {@link #UNSATISFIABLE} when it asks
   * for nothing inside the file.
   */
  static long[] range(String header, long size) {
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.contains(",")) {
      return null;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    try {
      String a = spec.substring(0, dash).trim();
      String b = spec.substring(dash + 1).trim();
      if (a.isEmpty()) {
        long suffix = Long.parseLong(b);
        if (suffix <= 0 || size == 0) {
          return UNSATISFIABLE;
        }
        return new long[] {Math.max(0, size - suffix), size - 1};
      }
      long first = Long.parseLong(a);
      long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
      if (first >= size) {
        return UNSATISFIABLE;
      }
      if (first < 0 || last < first) {
        return null;
      }
      return new long[] {first, Math.min(last, size - 1)};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    for (String t : ifNoneMatch.split(",")) {
      String tag = t.trim();
      if (tag.startsWith("W/")) {
        tag = tag.substring(2);
      }
      if (tag.equals("*") || tag.equals(etag)) {
        return true;
      }
    }
    return false;
  }
}
