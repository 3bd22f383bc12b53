package dev.cairn.install.net;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A large file read over HTTP as one stream, although the connection may break: when a read fails
 * or the body ends before its length, it reconnects and asks for the rest with {@code Range:
 * bytes=N-} and {@code If-Range} (the first answer's ETag, else its Last-Modified), and checks that
 * the answer is that range of the same file. A server that sends the whole file again has its
 * first N bytes skipped. Failures in a row without a byte in between are counted against the
 * retry budget; any progress resets it.
 */
public final class ResumingDownload extends InputStream {
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

  private final Http http;
  private final String url;
  private long position;
  private long total = -1;
  private String validator;
  private InputStream body;
  private HttpURLConnection connection;
  private int failures;
  private int resumes;
  private boolean closed;

  ResumingDownload(Http http, String url) {
    this(http, url, 0);
  }

  /**
   * A download that starts at byte {@code from}: the rest of a file whose first bytes an earlier
   * run kept. The first answer must then be a range starting there (or the whole file, whose first
   * bytes are skipped); what it says the total is becomes the total.
   */
  ResumingDownload(Http http, String url, long from) {
    if (from < 0) {
      throw new IllegalArgumentException("a download starts at byte 0 or later, got " + from);
    }
    this.http = http;
    this.url = url;
    this.position = from;
  }

  /** The file's size once the first answer came, else -1. */
  public long total() {
    return total;
  }

  public long position() {
    return position;
  }

  /** How many times the download was resumed after a break. */
  public int resumes() {
    return resumes;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (closed) {
      throw new IOException(url + ": download closed");
    }
    if (len == 0) {
      return 0;
    }
    while (true) {
      try {
        if (body == null) {
          connect();
        }
        int n = body.read(b, off, len);
        if (n < 0) {
          if (total >= 0 && position < total) {
            throw new IOException("the connection closed at byte " + position + " of " + total);
          }
          return -1;
        }
        position += n;
        failures = 0;
        return n;
      } catch (Http.Fatal e) {
        throw e;
      } catch (IOException e) {
        drop();
        failures++;
        http.pause(url, failures, e);
        resumes++;
      }
    }
  }

  private void connect() throws IOException {
    boolean resuming = position > 0;
    HttpURLConnection c = http.open(url, resuming ? "bytes=" + position + "-" : null, resuming ? validator : null);
    connection = c;
    int status = c.getResponseCode();
    if (status == 404 || status == 403 || status == 401 || status == 410) {
      drop();
      throw new Http.Fatal(url, status);
    }
    if (status == 206 && resuming) {
      Matcher m = CONTENT_RANGE.matcher(String.valueOf(c.getHeaderField("Content-Range")));
      if (!m.matches() || Long.parseLong(m.group(1)) != position
          || (!m.group(3).equals("*") && total >= 0 && Long.parseLong(m.group(3)) != total)) {
        drop();
        throw new IOException("the server answered the resume at byte " + position + " with Content-Range '"
            + c.getHeaderField("Content-Range") + "'");
      }
      if (total < 0 && !m.group(3).equals("*")) {
        total = Long.parseLong(m.group(3));
      }
      String v = validatorOf(c);
      if (validator == null) {
        validator = v;
      } else if (v != null && !v.equals(validator)) {
        drop();
        throw new Http.Fatal(412, url + ": the file changed on the server during the download (was " + validator
            + ", now " + v + ")");
      }
      body = c.getInputStream();
      return;
    }
    if (status != 200) {
      drop();
      throw new IOException("HTTP " + status);
    }
    long length = c.getContentLengthLong();
    String v = validatorOf(c);
    if (resuming) {
      if (total < 0) {
        total = length;
        validator = v;
      }
      if ((total >= 0 && length >= 0 && length != total) || (validator != null && v != null && !v.equals(validator))) {
        drop();
        throw new Http.Fatal(412, url + ": the file changed on the server during the download");
      }
      InputStream in = c.getInputStream();
      long skip = position;
      byte[] sink = new byte[64 * 1024];
      while (skip > 0) {
        int n = in.read(sink, 0, (int) Math.min(sink.length, skip));
        if (n < 0) {
          throw new IOException("the connection closed while skipping to byte " + position);
        }
        skip -= n;
      }
      body = in;
      return;
    }
    total = length;
    validator = v;
    body = c.getInputStream();
  }

  private static String validatorOf(HttpURLConnection c) {
    String etag = c.getHeaderField("ETag");
    if (etag != null && !etag.startsWith("W/")) {
      return etag;
    }
    return c.getHeaderField("Last-Modified");
  }

  private void drop() {
    if (body != null) {
      try {
        body.close();
      } catch (IOException ignored) {
        // The connection is being thrown away.
      }
      body = null;
    }
    if (connection != null) {
      connection.disconnect();
      connection = null;
    }
  }

  @Override
  public void close() {
    closed = true;
    drop();
  }
}
