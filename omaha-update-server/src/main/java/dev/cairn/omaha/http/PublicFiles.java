package dev.cairn.omaha.http;

import dev.cairn.omaha.Model;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.SqlStore.ImageRow;
import dev.cairn.omaha.db.SqlStore.PackageRow;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The files anyone may fetch, without a token: hosted payloads and their signatures under
 * {@code /packages/APP/BOARD/VERSION/NAME}, a channel's {@code version.txt} and installer images under
 * {@code /release/}. A file is found through its database row, never by joining the URL onto a
 * directory. GET and HEAD, one byte range, ETag and If-None-Match. Files are looked up and sent on
 * the server's file threads, and a body goes out without holding a thread while the client is slow
 * ({@link FileSend}).
 */
public final class PublicFiles implements HttpHandler {
  private final SqlStore store;
  private final Path dataDir;

  public PublicFiles(SqlStore store, Path dataDir) {
    this.store = store;
    this.dataDir = dataDir;
  }

  static boolean serves(String path) {
    return path.startsWith("/packages/") || path.startsWith("/release/");
  }

  @Override
  public void handleRequest(HttpServerExchange ex) throws Exception {
    if (ex.isInIoThread()) {
      ex.dispatch(Transport.of(ex).files(), this);
      return;
    }
    boolean head = ex.getRequestMethod().equals(Methods.HEAD);
    if (!head && !ex.getRequestMethod().equals(Methods.GET)) {
      ex.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
      OmahaServer.text(ex, StatusCodes.METHOD_NOT_ALLOWED, "text/plain", "method not allowed\n");
      return;
    }
    String[] p = ex.getRelativePath().substring(1).split("/", -1);
    String app = Optional.ofNullable(ex.getQueryParameters().get("app")).map(d -> d.getFirst())
        .orElse(Model.COREOS_APP_ID);
    if (p[0].equals("packages") && p.length == 5) {
      servePackage(ex, p[1], p[2], p[3], p[4], head);
    } else if (p[0].equals("packages") && p.length == 4) {
      servePackage(ex, null, p[1], p[2], p[3], head);
    } else if (p[0].equals("packages") && p.length == 3) {
      servePackage(ex, null, null, p[1], p[2], head);
    } else if (p[0].equals("release") && p.length == 5 && p[3].equals("current") && p[4].equals("version.txt")) {
      versionTxt(ex, app, p[1], p[2], head);
    } else if (p[0].equals("release") && p.length == 5) {
      serveImage(ex, app, p[1], p[2], p[3], p[4], head);
    } else {
      notFound(ex);
    }
  }

  /**
   * /packages/APP/BOARD/VERSION/NAME (APP the app id without braces), or as the URLs given out
   * before: without the app (the oldest app's), or without the app and the board.
   */
  private void servePackage(HttpServerExchange ex, String appKey, String board, String versionText, String name,
      boolean head) throws IOException {
    Version v = Version.tryParse(versionText);
    boolean sig = name.endsWith(".sig");
    String payload = sig ? name.substring(0, name.length() - 4) : name;
    Optional<PackageRow> row = v == null ? Optional.empty()
        : appKey != null ? store.hostedPackage(appKey, board, v, payload)
        : board == null ? store.hostedPackage(v, payload) : store.hostedPackage(board, v, payload);
    if (row.isEmpty()) {
      notFound(ex);
      return;
    }
    Path file = dataDir.resolve(row.get().storedPath().orElseThrow());
    if (sig) {
      serveSmall(ex, file.resolveSibling(file.getFileName() + ".sig"), head);
    } else {
      byte[] sha256 = Base64.getDecoder().decode(row.get().pkg().sha256Base64());
      serveFile(ex, file, "\"" + HexFormat.of().formatHex(sha256) + "\"", head);
    }
  }

  private void serveImage(HttpServerExchange ex, String app, String channel, String board, String versionText,
      String name, boolean head) throws IOException {
    Version v = Version.tryParse(versionText);
    boolean sig = name.endsWith(".sig");
    String image = sig ? name.substring(0, name.length() - 4) : name;
    boolean channelExists = store.listChannels(app).stream().anyMatch(c -> c.name().equals(channel));
    Optional<ImageRow> row = v == null || !channelExists ? Optional.empty() : store.image(app, board, v, image);
    if (row.isEmpty()) {
      notFound(ex);
      return;
    }
    Path file = dataDir.resolve(row.get().storedPath());
    if (sig) {
      serveSmall(ex, file.resolveSibling(file.getFileName() + ".sig"), head);
    } else {
      serveFile(ex, file, "\"" + row.get().sha256Hex() + "\"", head);
    }
  }

  private void versionTxt(HttpServerExchange ex, String app, String channel, String board, boolean head) {
    Optional<Version> v = store.channelVersion(app, channel, board);
    if (v.isEmpty()) {
      notFound(ex);
      return;
    }
    byte[] body = versionTxt(v.get()).getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
    ex.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
    ex.getResponseHeaders().put(Headers.CONTENT_LENGTH, body.length);
    if (head) {
      ex.endExchange();
    } else {
      ex.getResponseSender().send(ByteBuffer.wrap(body));
    }
  }

  /** The release's version.txt, as CoreOS publishes it beside its images. */
  static String versionTxt(Version v) {
    String id = v.major() + "." + v.minor() + "." + v.patch();
    return "COREOS_BUILD=" + v.major() + "\n"
        + "COREOS_BRANCH=" + v.minor() + "\n"
        + "COREOS_PATCH=" + v.patch() + "\n"
        + "COREOS_VERSION=" + v + "\n"
        + "COREOS_VERSION_ID=" + id + "\n"
        + "COREOS_BUILD_ID=\"" + (v.build() == null ? "" : v.build()) + "\"\n"
        + "COREOS_SDK_VERSION=" + id + "\n";
  }

  /** A signature: small, so read whole; its ETag is its own SHA-256. */
  private static void serveSmall(HttpServerExchange ex, Path file, boolean head) throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      notFound(ex);
      return;
    }
    try {
      String etag = "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)) + "\"";
      serveFile(ex, file, etag, head);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void serveFile(HttpServerExchange ex, Path file, String etag, boolean head) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file);
    } catch (NoSuchFileException e) {
      notFound(ex);
      return;
    }
    boolean sending = false;
    try {
      long size = ch.size();
      var h = ex.getResponseHeaders();
      h.put(Headers.ACCEPT_RANGES, "bytes");
      h.put(Headers.ETAG, etag);
      h.put(Headers.CACHE_CONTROL, "public, max-age=31536000, immutable");
      if (matches(ex.getRequestHeaders().getFirst(Headers.IF_NONE_MATCH), etag)) {
        ex.setStatusCode(StatusCodes.NOT_MODIFIED);
        ex.endExchange();
        return;
      }
      long start = 0;
      long end = size - 1;
      String range = ex.getRequestHeaders().getFirst(Headers.RANGE);
      String ifRange = ex.getRequestHeaders().getFirst(Headers.IF_RANGE);
      if (range != null && (ifRange == null || ifRange.trim().equals(etag))) {
        long[] r = range(range, size);
        if (r == UNSATISFIABLE) {
          ex.setStatusCode(StatusCodes.REQUEST_RANGE_NOT_SATISFIABLE);
          h.put(Headers.CONTENT_RANGE, "bytes */" + size);
          h.put(Headers.CONTENT_LENGTH, 0);
          ex.endExchange();
          return;
        }
        if (r != null) {
          start = r[0];
          end = r[1];
          ex.setStatusCode(StatusCodes.PARTIAL_CONTENT);
          h.put(Headers.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + size);
        }
      }
      long length = end - start + 1;
      h.put(Headers.CONTENT_TYPE, "application/octet-stream");
      h.put(Headers.CONTENT_LENGTH, length);
      if (head || length == 0) {
        ex.endExchange();
        return;
      }
      FileSend.start(ex, ch, start, length, Transport.of(ex).files());
      sending = true;
    } finally {
      if (!sending) {
        ch.close();
      }
    }
  }

  private static final long[] UNSATISFIABLE = new long[0];

  /**
   * The one range {@code header} asks for, as first and last byte; null to ignore the header
   * (malformed, or several ranges: the whole file is answered); {@link #UNSATISFIABLE} when it
   * asks for nothing inside the file.
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

  private static void notFound(HttpServerExchange ex) {
    OmahaServer.text(ex, StatusCodes.NOT_FOUND, "text/plain", "not found\n");
  }
}
