package dev.cairn.install.agent.omaha;

import dev.cairn.install.agent.AgentRequest;
import dev.cairn.install.agent.CheckResult;
import dev.cairn.install.agent.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Posts agent requests to the update server as update_engine does: {@code POST} of the XML body
 * with {@code Content-Type: text/xml} to the SERVER URL of update.conf (Cairn's is
 * {@code https://HOST/v1/update/}). Uses {@link HttpURLConnection}, which is in the trimmed
 * runtime's {@code java.base}; the answer is read up to {@link ResponseParser#MAX_BYTES}.
 */
public final class OmahaClient {
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

  private final URI server;
  private final Duration connectTimeout;
  private final Duration readTimeout;

  /** {@code server} is the full update URL, e.g. {@code https://cairn.example.com/v1/update/}. */
  public OmahaClient(URI server, Duration connectTimeout, Duration readTimeout) {
    String scheme = server.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("update server must be an http or https URL, got '" + server + "'");
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero() || readTimeout.isNegative() || readTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be > 0, got " + connectTimeout + " and " + readTimeout);
    }
    this.server = server;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
  }

  public OmahaClient(URI server) {
    this(server, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT);
  }

  public URI server() {
    return server;
  }

  /**
   * Sends {@code request} and returns the server's answer for the app. A transport failure is an
   * IOException naming the URL; an HTTP status other than 200 or an unusable body is an
   * {@link OmahaResponseException} carrying update_engine's code for it.
   */
  public CheckResult send(AgentRequest request) throws IOException {
    byte[] body = request.toXml().getBytes(StandardCharsets.UTF_8);
    URLConnection c = server.toURL().openConnection();
    if (!(c instanceof HttpURLConnection http)) {
      throw new IOException(server + ": not an HTTP URL");
    }
    try {
      http.setConnectTimeout(millis(connectTimeout));
      http.setReadTimeout(millis(readTimeout));
      http.setInstanceFollowRedirects(false);
      http.setUseCaches(false);
      http.setRequestMethod("POST");
      http.setDoOutput(true);
      http.setFixedLengthStreamingMode(body.length);
      http.setRequestProperty("Content-Type", "text/xml");
      http.setRequestProperty("Accept", "text/xml");
      try (OutputStream out = http.getOutputStream()) {
        out.write(body);
      }
      int status = http.getResponseCode();
      if (status != HttpURLConnection.HTTP_OK) {
        String why = firstLine(readCapped(http.getErrorStream()));
        throw new OmahaResponseException(ErrorCode.HTTP_RESPONSE_BASE + Math.min(status, 999),
            server + ": the server answered HTTP " + status + (why.isEmpty() ? "" : " (" + why + ")"));
      }
      byte[] answer;
      try (InputStream in = http.getInputStream()) {
        answer = readCapped(in);
      }
      if (answer.length > ResponseParser.MAX_BYTES) {
        throw new OmahaResponseException(ErrorCode.OMAHA_REQUEST_XML_PARSE_ERROR,
            server + ": the response is larger than " + ResponseParser.MAX_BYTES + " bytes");
      }
      try {
        return ResponseParser.parse(answer);
      } catch (OmahaResponseException e) {
        throw new OmahaResponseException(e.errorCode(), server + ": " + e.getMessage());
      }
    } catch (OmahaResponseException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException(server + ": " + e.getMessage(), e);
    } finally {
      http.disconnect();
    }
  }

  private static int millis(Duration d) {
    return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
  }

  /** Up to {@code MAX_BYTES + 1} bytes of {@code in} (one more than allowed tells "too large"); none for null. */
  private static byte[] readCapped(InputStream in) throws IOException {
    if (in == null) {
      return new byte[0];
    }
    try (in) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int limit = ResponseParser.MAX_BYTES + 1;
      while (out.size() < limit) {
        int n = in.read(buf, 0, Math.min(buf.length, limit - out.size()));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    }
  }

  private static String firstLine(byte[] body) {
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8).strip();
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
