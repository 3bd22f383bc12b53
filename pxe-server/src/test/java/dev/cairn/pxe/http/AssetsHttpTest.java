package dev.cairn.pxe.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code /assets/}: whole files and ranges, ETags, HEAD, and confinement to the assets folder,
 * with request lines sent byte for byte ({@link TestBootServer#raw}) so no client normalises a
 * {@code ..} away first.
 */
class AssetsHttpTest {
  @TempDir Path dataDir;
  @TempDir Path outside;
  TestBootServer server;
  byte[] big;

  @BeforeEach
  void start() throws Exception {
    TestBootServer.copyFixture(dataDir);
    big = new byte[3 * 1024 * 1024 + 17];
    new Random(5).nextBytes(big);
    Files.write(dataDir.resolve("boot/assets/flatcar/big.img"), big);
    Files.writeString(outside.resolve("secret.txt"), "secret\n");
    Path assets = dataDir.resolve("boot/assets");
    Files.createSymbolicLink(assets.resolve("to-secret"), outside.resolve("secret.txt"));
    Files.createSymbolicLink(assets.resolve("to-group"), Path.of("../groups/default.yaml"));
    Files.createSymbolicLink(assets.resolve("outdir"), outside);
    Files.createSymbolicLink(assets.resolve("alias"), Path.of("flatcar/vmlinuz"));
    Files.createDirectories(assets.resolve("sub"));
    server = TestBootServer.start(dataDir);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<byte[]> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = server.request(path);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return server.send(b);
  }

  @Test
  void wholeFile_sentIntact_withLengthEtagAndRanges() throws Exception {
    HttpResponse<byte[]> r = get("/assets/flatcar/big.img");
    assertEquals(200, r.statusCode());
    assertArrayEquals(big, r.body());
    assertEquals(String.valueOf(big.length), r.headers().firstValue("content-length").orElse(""));
    assertEquals("bytes", r.headers().firstValue("accept-ranges").orElse(""));
    assertEquals("application/octet-stream", r.headers().firstValue("content-type").orElse(""));
    assertEquals(true, r.headers().firstValue("etag").orElse("").matches("\"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+\""));
  }

  @Test
  void fileNameWithASpace_isFoundByItsEncodedName() throws Exception {
    HttpResponse<byte[]> r = get("/assets/flatcar/oem%20file.cpio.gz");
    assertEquals(200, r.statusCode());
    assertEquals("oem-bytes", new String(r.body()));
  }

  @Test
  void range_isAnswered206_withTheBytesAsked() throws Exception {
    HttpResponse<byte[]> r = get("/assets/flatcar/big.img", "Range", "bytes=1000-1999");
    assertEquals(206, r.statusCode());
    assertEquals("bytes 1000-1999/" + big.length, r.headers().firstValue("content-range").orElse(""));
    assertArrayEquals(Arrays.copyOfRange(big, 1000, 2000), r.body());
    HttpResponse<byte[]> suffix = get("/assets/flatcar/big.img", "Range", "bytes=-10");
    assertArrayEquals(Arrays.copyOfRange(big, big.length - 10, big.length), suffix.body());
    HttpResponse<byte[]> open = get("/assets/flatcar/big.img", "Range", "bytes=" + (big.length - 5) + "-");
    assertArrayEquals(Arrays.copyOfRange(big, big.length - 5, big.length), open.body());
    HttpResponse<byte[]> past = get("/assets/flatcar/big.img", "Range", "bytes=" + big.length + "-");
    assertEquals(416, past.statusCode());
    assertEquals("bytes */" + big.length, past.headers().firstValue("content-range").orElse(""));
    HttpResponse<byte[]> several = get("/assets/flatcar/big.img", "Range", "bytes=0-1,5-6");
    assertEquals(200, several.statusCode());
    assertEquals(big.length, several.body().length);
  }

  @Test
  void etag_answers304_andIfRangeWithAnOldTagGetsTheWholeFile() throws Exception {
    String etag = get("/assets/flatcar/vmlinuz").headers().firstValue("etag").orElseThrow();
    HttpResponse<byte[]> same = get("/assets/flatcar/vmlinuz", "If-None-Match", etag);
    assertEquals(304, same.statusCode());
    assertEquals(0, same.body().length);
    assertEquals(304, get("/assets/flatcar/vmlinuz", "If-None-Match", "\"x\", W/" + etag).statusCode());
    HttpResponse<byte[]> stale = get("/assets/flatcar/vmlinuz", "Range", "bytes=0-3", "If-Range", "\"old\"");
    assertEquals(200, stale.statusCode());
    assertEquals("kernel-bytes-0123456789", new String(stale.body()));
    HttpResponse<byte[]> fresh = get("/assets/flatcar/vmlinuz", "Range", "bytes=0-5", "If-Range", etag);
    assertEquals("kernel", new String(fresh.body()));
  }

  @Test
  void replacedFile_getsANewEtag() throws Exception {
    Path k = dataDir.resolve("boot/assets/flatcar/vmlinuz");
    String before = get("/assets/flatcar/vmlinuz").headers().firstValue("etag").orElseThrow();
    Files.writeString(k, "kernel-bytes-9876543210");    // same size
    Files.setLastModifiedTime(k, FileTime.fromMillis(Files.getLastModifiedTime(k).toMillis() + 5000));
    HttpResponse<byte[]> after = get("/assets/flatcar/vmlinuz", "If-None-Match", before);
    assertEquals(200, after.statusCode());
    assertEquals("kernel-bytes-9876543210", new String(after.body()));
    assertNotEquals(before, after.headers().firstValue("etag").orElseThrow());
  }

  @Test
  void head_hasTheHeadersAndNoBody() throws Exception {
    HttpResponse<byte[]> r = server.send(server.request("/assets/flatcar/big.img")
        .method("HEAD", HttpRequest.BodyPublishers.noBody()));
    assertEquals(200, r.statusCode());
    assertEquals(0, r.body().length);
    assertEquals(String.valueOf(big.length), r.headers().firstValue("content-length").orElse(""));
  }

  @Test
  void symlinkInsideTheFolder_isServed() throws Exception {
    HttpResponse<byte[]> r = get("/assets/alias");
    assertEquals(200, r.statusCode());
    assertEquals("kernel-bytes-0123456789", new String(r.body()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "/assets/../groups/default.yaml",
      "/assets/flatcar/../../groups/default.yaml",
      "/assets/%2e%2e/groups/default.yaml",
      "/assets/%2E%2E/groups/default.yaml",
      "/assets/flatcar/%2e%2e/%2e%2e/groups/default.yaml",
      "/assets/.%2e/groups/default.yaml",
      "/assets/..%2fgroups%2fdefault.yaml",
      "/assets/..%2Fgroups/default.yaml",
      "/assets/%2e%2e%2fgroups%2fdefault.yaml",
      "/assets/..\\groups\\default.yaml",
      "/assets/..%5cgroups%5cdefault.yaml",
      "/assets//etc/passwd",
      "/assets/%2fetc%2fpasswd",
      "/assets/./flatcar/vmlinuz",
      "/assets/flatcar//vmlinuz",
      "/assets/to-secret",
      "/assets/to-group",
      "/assets/outdir/secret.txt",
      "/assets/sub",
      "/assets/",
      "/assets/flatcar/vmlinuz%00.txt",
      "/assets/missing",
  })
  void pathsThatLeaveTheFolder_orNameNoFileInIt_are404(String target) throws Exception {
    String status = server.raw(target);
    assertEquals(true, status.startsWith("HTTP/1.1 404") || status.startsWith("HTTP/1.1 400"), target + ": " + status);
  }

  @Test
  void theFilesThoseTraversalsAimAt_exist_soA404IsTheConfinement() throws Exception {
    assertEquals(true, Files.isRegularFile(dataDir.resolve("boot/assets/../groups/default.yaml")));
    assertEquals(true, Files.isRegularFile(dataDir.resolve("boot/assets/to-secret")));
    assertEquals(true, Files.isRegularFile(dataDir.resolve("boot/assets/outdir/secret.txt")));
    assertEquals("HTTP/1.1 200 OK", server.raw("/assets/flatcar/vmlinuz"));
  }
}
