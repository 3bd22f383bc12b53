package dev.cairn.install.net;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The installer's HTTP client: {@link HttpURLConnection} from the base JDK module (so a trimmed
 * runtime needs no {@code java.net.http}), with a connect and a read timeout on every connection,
 * no redirects to other schemes, small files read whole with a size cap, and retries with doubling
 * delays for failures that may pass (connection refused or reset, timeouts, 5xx answers).
 */
public final class Http {
  /** How patient to be. */
  public record Policy(Duration connectTimeout, Duration readTimeout, int retries, Duration firstDelay) {
    public static final Policy DEFAULT = new Policy(Duration.ofSeconds(10), Duration.ofSeconds(30), 6, Duration.ofSeconds(1));

    /** The delay before retry number {@code attempt} (1-based): doubling, at most 30 s. */
    public Duration delay(int attempt) {
      long ms = firstDelay.toMillis() << Math.min(attempt - 1, 16);
      return Duration.ofMillis(Math.min(ms, 30_000));
    }
  }

  /** A failure retrying will not change: a 404 or 403 answer, a file that changed meanwhile. */
  public static final class Fatal extends IOException {
    public final int status;

    Fatal(String url, int status) {
      this(status, url + ": HTTP " + status + (status == 404 ? " (not found)" : ""));
    }

    /** A failure described by {@code message}, filed under an HTTP status for callers that sort by it. */
    Fatal(int status, String message) {
      super(message);
      this.status = status;
    }

    public boolean notFound() {
      return status == 404 || status == 410;
    }
  }

  private final Policy policy;
  private final Consumer<String> log;

  public Http(Policy policy, Consumer<String> log) {
    this.policy = policy;
    this.log = log;
  }

  public Policy policy() {
    return policy;
  }

  /** GETs a small file whole (at most {@code cap} bytes), retrying failures that may pass. */
  public byte[] get(String url, int cap) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        HttpURLConnection c = open(url, null, null);
        try {
          int status = c.getResponseCode();
          if (status != 200) {
            throw status >= 500 ? new IOException(url + ": HTTP " + status) : new Fatal(url, status);
          }
          long length = c.getContentLengthLong();
          if (length > cap) {
            throw new Fatal(413, url + ": " + length + " bytes, more than the " + cap + " expected");
          }
          try (InputStream in = c.getInputStream()) {
            byte[] body = in.readNBytes(cap + 1);
            if (body.length > cap) {
              throw new IOException(url + ": more than the " + cap + " bytes expected");
            }
            if (length >= 0 && body.length != length) {
              throw new IOException(url + ": got " + body.length + " of " + length + " bytes");
            }
            return body;
          }
        } finally {
          c.disconnect();
        }
      } catch (Fatal e) {
        throw e;
      } catch (IOException e) {
        pause(url, attempt + 1, e);
      }
    }
  }

  /** The size a HEAD answer gives, if the file is there; empty on 404. */
  public Optional<Long> size(String url) throws IOException {
    for (int attempt = 0; ; attempt++) {
      try {
        HttpURLConnection c = open(url, null, null);
        c.setRequestMethod("HEAD");
        try {
          int status = c.getResponseCode();
          if (status == 404) {
            return Optional.empty();
          }
          if (status != 200) {
            throw status >= 500 ? new IOException(url + ": HTTP " + status) : new Fatal(url, status);
          }
          return Optional.of(c.getContentLengthLong());
        } finally {
          c.disconnect();
        }
      } catch (Fatal e) {
        throw e;
      } catch (IOException e) {
        pause(url, attempt + 1, e);
      }
    }
  }

  /** Waits before retry {@code attempt}, or gives up with a message saying how often it tried. */
  void pause(String url, int attempt, IOException cause) throws IOException {
    if (attempt > policy.retries()) {
      throw new IOException(url + ": gave up after " + attempt + " attempt" + (attempt == 1 ? "" : "s")
          + ": " + describe(cause), cause);
    }
    Duration d = policy.delay(attempt);
    log.accept(url + ": " + describe(cause) + "; retry " + attempt + " of " + policy.retries() + " in "
        + (d.toMillis() >= 1000 ? d.toSeconds() + " s" : d.toMillis() + " ms"));
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(url + ": interrupted", e);
    }
  }

  static String describe(IOException e) {
    String m = e.getMessage();
    String kind = e.getClass().getSimpleName();
    if (e instanceof java.net.ConnectException) {
      return "connection refused" + (m != null && !m.toLowerCase().contains("refused") ? " (" + m + ")" : "");
    }
    if (e instanceof java.net.SocketTimeoutException) {
      return "timed out (" + (m == null ? "no data" : m) + ")";
    }
    if (e instanceof FileNotFoundException) {
      return "not found";
    }
    return m == null ? kind : m;
  }

  HttpURLConnection open(String url, String range, String ifRange) throws IOException {
    URL u;
    try {
      u = URI.create(url).toURL();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a URL: " + url);
    }
    HttpURLConnection c = (HttpURLConnection) u.openConnection();
    c.setConnectTimeout((int) policy.connectTimeout().toMillis());
    c.setReadTimeout((int) policy.readTimeout().toMillis());
    c.setInstanceFollowRedirects(true);
    c.setUseCaches(false);
    c.setRequestProperty("User-Agent", "cairn-install");
    c.setRequestProperty("Accept-Encoding", "identity");
    if (range != null) {
      c.setRequestProperty("Range", range);
      if (ifRange != null) {
        c.setRequestProperty("If-Range", ifRange);
      }
    }
    return c;
  }

  /** A download that resumes where it stopped; see {@link ResumingDownload}. */
  public ResumingDownload download(String url) {
    return new ResumingDownload(this, url);
  }

  /** The rest of a download from byte {@code from} on, for a file an earlier run kept the start of. */
  public ResumingDownload download(String url, long from) {
    return new ResumingDownload(this, url, from);
  }
}
