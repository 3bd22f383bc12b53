package dev.cairn.omaha.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ways a check's body can arrive, over a raw socket: with a length, all at once (the path
 * update_engine takes); with a length but in pieces, the rest after a pause; and chunked, without
 * a length. Each gets the same answer, and each is stored.
 */
class UpdateTransportHttpTest {
  @TempDir
  Path dir;

  TestServer server;

  @BeforeEach
  void start() throws Exception {
    server = TestServer.start(dir);
    server.release();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static String head(String extra) {
    return "POST /v1/update/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nConnection: close\r\n" + extra
        + "\r\n";
  }

  /** Writes {@code parts} with a pause between them and reads the whole answer. */
  String exchange(byte[]... parts) throws IOException, InterruptedException {
    try (Socket s = new Socket("127.0.0.1", server.server.port())) {
      s.setSoTimeout(10_000);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      for (int i = 0; i < parts.length; i++) {
        if (i > 0) {
          Thread.sleep(200);
        }
        out.write(parts[i]);
        out.flush();
      }
      InputStream in = s.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  void assertGranted(String answer, String machine) {
    assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    assertTrue(answer.contains("<updatecheck status=\"ok\">"), answer);
    assertEquals(machine, server.instance(machine).path("machine_id").asText(), machine + " was answered but not stored");
  }

  @Test
  void bodyWithALength_allAtOnce() throws Exception {
    String machine = "00000000000000000000000000000001";
    byte[] body = bytes(TestServer.check(machine, "3510.2.1", "stable"));

    String answer = exchange(bytes(head("Content-Length: " + body.length + "\r\n") + new String(body, StandardCharsets.UTF_8)));

    assertGranted(answer, machine);
  }

  @Test
  void bodyWithALength_arrivingInTwoPieces() throws Exception {
    String machine = "00000000000000000000000000000002";
    byte[] body = bytes(TestServer.check(machine, "3510.2.1", "stable"));
    int half = body.length / 2;
    byte[] first = new byte[half];
    byte[] rest = new byte[body.length - half];
    System.arraycopy(body, 0, first, 0, half);
    System.arraycopy(body, half, rest, 0, rest.length);
    byte[] headAndFirst = (head("Content-Length: " + body.length + "\r\n") + new String(first, StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.UTF_8);

    String answer = exchange(headAndFirst, rest);

    assertGranted(answer, machine);
  }

  @Test
  void chunkedBody_withoutALength() throws Exception {
    String machine = "00000000000000000000000000000003";
    String body = TestServer.check(machine, "3510.2.1", "stable");
    int half = body.length() / 2;
    String chunk1 = Integer.toHexString(half) + "\r\n" + body.substring(0, half) + "\r\n";
    String chunk2 = Integer.toHexString(body.length() - half) + "\r\n" + body.substring(half) + "\r\n0\r\n\r\n";

    String answer = exchange(bytes(head("Transfer-Encoding: chunked\r\n") + chunk1), bytes(chunk2));

    assertGranted(answer, machine);
  }

  @Test
  void truncatedBody_theClientGoesAway_nothingIsStored() throws Exception {
    String machine = "00000000000000000000000000000004";
    byte[] body = bytes(TestServer.check(machine, "3510.2.1", "stable"));
    String partial = head("Content-Length: " + body.length + "\r\n") + new String(body, 0, 100, StandardCharsets.UTF_8);

    try (Socket s = new Socket("127.0.0.1", server.server.port())) {
      s.getOutputStream().write(bytes(partial));
      s.getOutputStream().flush();
      s.shutdownOutput();
      s.setSoTimeout(10_000);
      s.getInputStream().transferTo(OutputStream.nullOutputStream());
    }

    assertEquals(0, server.instances().size(), "a request whose body never arrived stored an instance");
  }
}
