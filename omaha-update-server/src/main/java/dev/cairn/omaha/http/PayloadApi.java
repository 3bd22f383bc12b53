package dev.cairn.omaha.http;

import static dev.cairn.omaha.http.AdminJson.error;
import static dev.cairn.omaha.http.AdminJson.param;
import static dev.cairn.omaha.http.AdminJson.readRaw;
import static dev.cairn.omaha.http.AdminJson.send;
import static dev.cairn.omaha.http.AdminJson.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.Package;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.files.OwnerOnly;
import dev.cairn.omaha.db.SqlStore;
import dev.cairn.omaha.db.SqlStore.ImageRow;
import dev.cairn.omaha.db.SqlStore.PackageRow;
import dev.cairn.signing.ReleaseKeys;
import dev.cairn.signing.Verdict;

import io.undertow.server.HttpServerExchange;
import io.undertow.server.RequestTooBigException;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The admin API's trusted release keys, payload uploads, packages hosted elsewhere and installer
 * images (docs/api.md). Uploads stream into {@code DATA_DIR/packages/.incoming}, are hashed and
 * signature-checked in the same pass, and only then move into place and get their row; anything
 * refused leaves no file and no row behind. Called by {@link AdminApi} on a worker thread, in
 * blocking mode, after the token check.
 */
public final class PayloadApi {
  private static final ObjectMapper JSON = AdminJson.JSON;
  static final int MAX_KEY = 64 * 1024;
  static final String SIGNATURE_HEADER = "X-Cairn-Signature";
  private static final String NAME = "[A-Za-z0-9][A-Za-z0-9._+-]{0,127}";
  private static final String BOARD = "[a-z0-9][a-z0-9_-]{0,63}";
  static final String UNSIGNED = "a package needs a detached signature (" + SIGNATURE_HEADER
      + "); start the server with --allow-unsigned for development";

  private final SqlStore store;
  private final Supplier<String> publicUrl;
  private final Path dataDir;
  private final ReleaseKeys keys;
  private final boolean allowUnsigned;
  /** Uploads under way, by app/board/version(/name): a second one of the same is refused. */
  private final Set<String> inProgress = ConcurrentHashMap.newKeySet();

  public PayloadApi(SqlStore store, Supplier<String> publicUrl, Path dataDir, ReleaseKeys keys,
      boolean allowUnsigned) {
    this.store = store;
    this.publicUrl = publicUrl;
    this.dataDir = dataDir;
    this.keys = keys;
    this.allowUnsigned = allowUnsigned;
  }

  Path dataDir() {
    return dataDir;
  }

  /** Whether this class answers {@code /api/v1/RESOURCE/...}. */
  static boolean handles(String resource) {
    return resource.equals("keys") || resource.equals("packages") || resource.equals("images");
  }

  /** An HTTP status with its message. */
  static final class Refused extends RuntimeException {
    final int code;

    Refused(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  void handle(HttpServerExchange ex, String[] path, String app) throws IOException {
    try {
      Object result = route(ex, path, app, ex.getRequestMethod());
      send(ex, StatusCodes.OK, result);
    } catch (Refused r) {
      send(ex, r.code, error(r.getMessage()));
    } catch (IllegalArgumentException e) {
      send(ex, StatusCodes.BAD_REQUEST, error(e.getMessage()));
    } catch (IllegalStateException e) {
      send(ex, StatusCodes.CONFLICT, error(e.getMessage()));
    } catch (NoSuchElementException e) {
      send(ex, StatusCodes.NOT_FOUND, error(e.getMessage()));
    } catch (Upload.TooLarge | RequestTooBigException e) {
      OmahaServer.tooLarge(ex, "application/json", JSON.writeValueAsString(error(
          e instanceof Upload.TooLarge ? e.getMessage() : "request body too large")) + "\n");
    } catch (IOException e) {
      if (!ex.isResponseStarted()) {
        ex.setPersistent(false);
        send(ex, StatusCodes.BAD_REQUEST, error("could not read the request body: " + e.getMessage()));
      }
    }
  }

  private Object route(HttpServerExchange ex, String[] path, String app, HttpString method) throws IOException {
    String resource = path[0];
    boolean get = method.equals(Methods.GET);
    switch (resource) {
      case "keys":
        if (path.length == 1 && get) {
          return listKeys();
        } else if (path.length == 1 && method.equals(Methods.POST)) {
          return addKeys(ex);
        } else if (path.length == 2 && method.equals(Methods.DELETE)) {
          return removeKey(path[1], AdminApi.actor(ex));
        }
        break;
      case "packages":
        if (path.length == 1 && get) {
          return packages(app);
        } else if (path.length == 1 && method.equals(Methods.POST)) {
          return createExternal(app, readJson(ex), AdminApi.actor(ex));
        } else if (path.length == 3 && path[2].equals("payload") && method.equals(Methods.PUT)) {
          return uploadPackage(ex, app, path[1]);
        } else if (path.length == 2 && method.equals(Methods.DELETE)) {
          return deletePackage(app, version(path[1]), board(param(ex, "board", "amd64-usr")), AdminApi.actor(ex));
        }
        break;
      case "images":
        if (path.length == 1 && get) {
          ArrayNode a = JSON.createArrayNode();
          store.listImages(app).forEach(i -> a.add(imageJson(i)));
          return a;
        } else if (path.length == 3 && method.equals(Methods.PUT)) {
          return uploadImage(ex, app, path[1], path[2]);
        }
        break;
      default:
        break;
    }
    throw new Refused(path.length > 3 ? StatusCodes.NOT_FOUND : StatusCodes.METHOD_NOT_ALLOWED,
        method + " " + String.join("/", path) + ": no such resource or method");
  }

  // ---- keys

  private Path keysDir() {
    return dataDir.resolve("keys");
  }

  /** The trusted key files, by name. */
  private List<Path> keyFiles() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(keysDir())) {
      return out;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(keysDir(), "*.asc")) {
      ds.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  /** Every trusted key's bytes, for a signature check. */
  private List<byte[]> trusted() throws IOException {
    List<byte[]> out = new ArrayList<>();
    for (Path f : keyFiles()) {
      out.add(Files.readAllBytes(f));
    }
    return out;
  }

  private ArrayNode listKeys() throws IOException {
    ArrayNode a = JSON.createArrayNode();
    for (Path f : keyFiles()) {
      keys.inspect(Files.readAllBytes(f)).forEach(k -> a.add(keyJson(k)));
    }
    return a;
  }

  private static ObjectNode keyJson(ReleaseKeys.KeySummary k) {
    ObjectNode o = JSON.createObjectNode().put("fingerprint", k.fingerprint());
    ArrayNode uids = o.putArray("user_ids");
    k.userIds().forEach(uids::add);
    o.put("created", k.created().toString());
    ArrayNode subs = o.putArray("subkeys");
    k.subkeys().forEach(subs::add);
    return o;
  }

  private ArrayNode addKeys(HttpServerExchange ex) throws IOException {
    byte[] block = readRaw(ex, MAX_KEY);
    if (block.length == 0) {
      throw new IllegalArgumentException("the body is empty, expected an OpenPGP public key");
    }
    List<ReleaseKeys.KeySummary> found = keys.inspect(block);
    for (ReleaseKeys.KeySummary k : found) {
      if (Files.exists(keyFile(k.fingerprint()))) {
        throw new IllegalStateException("key " + k.fingerprint() + " is already trusted");
      }
    }
    OwnerOnly.directories(keysDir());
    ArrayNode a = JSON.createArrayNode();
    for (ReleaseKeys.KeySummary k : found) {
      Path tmp = Files.createTempFile(keysDir(), ".key-", ".tmp");
      try {
        Files.write(tmp, keys.armoredPublicKey(block, k.fingerprint()));
        Files.move(tmp, keyFile(k.fingerprint()), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(tmp);
      }
      store.recordActivity(Model.COREOS_APP_ID, "key.added", "trusted key " + k.fingerprint() + " added"
          + (k.userIds().isEmpty() ? "" : " (" + k.userIds().get(0) + ")"), AdminApi.actor(ex));
      a.add(keyJson(k));
    }
    return a;
  }

  private Path keyFile(String fingerprint) {
    return keysDir().resolve(fingerprint + ".asc");
  }

  private ObjectNode removeKey(String given, String actor) throws IOException {
    String fpr = given.toUpperCase(Locale.ROOT);
    if (!fpr.matches("[0-9A-F]{40}|[0-9A-F]{64}")) {
      throw new IllegalArgumentException("'" + given + "' is not a key fingerprint (40 hex digits)");
    }
    if (!Files.deleteIfExists(keyFile(fpr))) {
      throw new NoSuchElementException("key " + fpr + " is not trusted");
    }
    store.recordActivity(Model.COREOS_APP_ID, "key.removed", "trusted key " + fpr + " removed", actor);
    return JSON.createObjectNode().put("removed", fpr);
  }

  // ---- packages

  private ArrayNode packages(String app) {
    ArrayNode a = JSON.createArrayNode();
    store.listPackageRows(app).forEach(p -> a.add(packageJson(p)));
    return a;
  }

  static ObjectNode packageJson(PackageRow r) {
    Package p = r.pkg();
    return JSON.createObjectNode().put("version", p.version().toString()).put("board", p.board())
        .put("name", p.name()).put("size", p.size()).put("sha1", p.sha1Base64()).put("sha256", p.sha256Base64())
        .put("url", p.baseUrl()).put("signed_by", r.signedBy().orElse(null)).put("hosted", r.storedPath().isPresent());
  }

  private ObjectNode createExternal(String app, JsonNode b, String actor) throws IOException {
    String version = text(b, "version", null);
    Version v = version(version);
    String board = board(text(b, "board", "amd64-usr"));
    Package p = new Package(v, board, name(text(b, "name", null)), number(b, "size"),
        base64Hash(b, "sha1", 20), base64Hash(b, "sha256", 32),
        text(b, "url", publicUrl.get() + "/packages/" + v + "/"));
    byte[] sig = null;
    String signedBy = null;
    if (b.hasNonNull("signature")) {
      sig = base64("signature", text(b, "signature", null));
      ReleaseKeys.Signed signed = keys.check(trusted(), sig).signer();
      if (signed.rejected().isPresent()) {
        throw new Refused(422, "signature refused: " + signed.rejected().get().message());
      }
      signedBy = signed.primaryFingerprint().orElseThrow();
    } else if (!allowUnsigned) {
      throw new IllegalArgumentException(UNSIGNED.replace(" (" + SIGNATURE_HEADER + ")", " (field 'signature')"));
    }
    store.createPackage(app, p, sig == null ? null : Base64.getEncoder().encodeToString(sig), signedBy, null,
        actor);
    return packageJson(store.packageRow(app, board, v).orElseThrow());
  }

  private ObjectNode uploadPackage(HttpServerExchange ex, String app, String versionText) throws IOException {
    Version v = version(versionText);
    String name = name(param(ex, "name", null));
    String board = board(param(ex, "board", "amd64-usr"));
    requireApp(app);
    byte[] sig = signature(ex);
    if (store.packageRow(app, board, v).isPresent()) {
      throw new IllegalStateException("app " + app + " already has a package " + v + " for board " + board);
    }
    String rel = "packages/" + app + "/" + board + "/" + v + "/" + name;
    String key = app + "/" + board + "/" + v;
    if (!inProgress.add(key)) {
      throw new IllegalStateException("an upload of " + v + " for board " + board + " is under way");
    }
    try {
      Stored s = receive(ex, sig, rel);
      try {
        // The app and the board are in the URL: Flatcar publishes amd64 and arm64 payloads with
        // the same version and file name, and two apps may well name theirs alike.
        Package p = new Package(v, board, name, s.size, b64(s.sha1), b64(s.sha256),
            publicUrl.get() + "/packages/" + Model.appKey(app) + "/" + board + "/" + v + "/");
        store.createPackage(app, p, sig == null ? null : Base64.getEncoder().encodeToString(sig), s.signedBy, rel,
            AdminApi.actor(ex));
      } catch (RuntimeException e) {
        s.delete();
        throw e;
      }
      return packageJson(store.packageRow(app, board, v).orElseThrow());
    } finally {
      inProgress.remove(key);
    }
  }

  private ObjectNode deletePackage(String app, Version v, String board, String actor) throws IOException {
    PackageRow row = store.deletePackage(app, board, v, actor);
    if (row.storedPath().isPresent()) {
      Path file = dataDir.resolve(row.storedPath().get());
      Files.deleteIfExists(file);
      Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".sig"));
      pruneEmpty(file.getParent(), dataDir.resolve("packages"));
    }
    return JSON.createObjectNode().put("deleted", v.toString());
  }

  // ---- images

  private ObjectNode uploadImage(HttpServerExchange ex, String app, String versionText, String nameText)
      throws IOException {
    Version v = version(versionText);
    String name = name(nameText);
    String board = board(param(ex, "board", "amd64-usr"));
    requireApp(app);
    byte[] sig = signature(ex);
    if (store.image(app, board, v, name).isPresent()) {
      throw new IllegalStateException("release " + v + " for " + board + " already has an image " + name);
    }
    String rel = "images/" + app + "/" + board + "/" + v + "/" + name;
    if (!inProgress.add(rel)) {
      throw new IllegalStateException("an upload of image " + name + " of " + v + " is under way");
    }
    try {
      Stored s = receive(ex, sig, rel);
      ImageRow row = new ImageRow(app, v, board, name, s.size, HexFormat.of().formatHex(s.sha256),
          Optional.ofNullable(s.signedBy), rel, Instant.now());
      try {
        store.createImage(row, AdminApi.actor(ex));
      } catch (RuntimeException e) {
        s.delete();
        throw e;
      }
      return imageJson(row);
    } finally {
      inProgress.remove(rel);
    }
  }

  private static ObjectNode imageJson(ImageRow i) {
    return JSON.createObjectNode().put("version", i.version().toString()).put("board", i.board())
        .put("name", i.name()).put("size", i.size()).put("sha256", i.sha256Hex())
        .put("signed_by", i.signedBy().orElse(null));
  }

  // ---- the upload itself

  /** A payload moved into place, with its signature beside it. */
  private final class Stored {
    final Path file;
    final Path sig;
    final long size;
    final byte[] sha1;
    final byte[] sha256;
    final String signedBy;

    Stored(Path file, Path sig, Upload u, String signedBy) {
      this.file = file;
      this.sig = sig;
      this.size = u.size;
      this.sha1 = u.sha1;
      this.sha256 = u.sha256;
      this.signedBy = signedBy;
    }

    void delete() throws IOException {
      Files.deleteIfExists(file);
      if (sig != null) {
        Files.deleteIfExists(sig);
      }
      pruneEmpty(file.getParent(), dataDir.resolve(file.startsWith(dataDir.resolve("images")) ? "images" : "packages"));
    }
  }

  /** The body streamed, checked and moved to {@code rel} (and {@code rel}.sig); refusals leave nothing. */
  private Stored receive(HttpServerExchange ex, byte[] sig, String rel) throws IOException {
    if (ex.getRequestContentLength() > Upload.MAX_UPLOAD) {
      throw new Upload.TooLarge();
    }
    ex.setMaxEntitySize(Upload.MAX_UPLOAD);
    ReleaseKeys.Check check = sig == null ? null : keys.check(trusted(), sig);
    Path incoming = dataDir.resolve("packages").resolve(".incoming");
    try (Upload u = Upload.receive(ex.getInputStream(), incoming, check)) {
      if (u.size == 0) {
        throw new IllegalArgumentException("the body is empty, expected the file to upload");
      }
      String signedBy = null;
      if (check != null) {
        Verdict verdict = check.conclude();
        if (verdict instanceof Verdict.Rejected r) {
          throw new Refused(422, "signature refused: " + r.message());
        }
        signedBy = ((Verdict.Verified) verdict).signer().primaryFingerprint();
      }
      Path target = dataDir.resolve(rel);
      Path sigTarget = sig == null ? null : target.resolveSibling(target.getFileName() + ".sig");
      Stored s = new Stored(target, sigTarget, u, signedBy);
      try {
        if (sig != null) {
          Path sigTemp = Files.createTempFile(incoming, "sig-", ".part");
          try {
            Files.write(sigTemp, sig);
            OwnerOnly.directories(target.getParent());
            Files.move(sigTemp, sigTarget, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          } finally {
            Files.deleteIfExists(sigTemp);
          }
        }
        u.moveTo(target);
      } catch (IOException | RuntimeException e) {
        s.delete();
        throw e;
      }
      return s;
    }
  }

  /** Removes empty directories from {@code dir} up to, not including, {@code top}. */
  private static void pruneEmpty(Path dir, Path top) {
    for (Path d = dir; d != null && d.startsWith(top) && !d.equals(top); d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (IOException e) {
        return;    // not empty, or gone
      }
    }
  }

  // ---- input

  private byte[] signature(HttpServerExchange ex) {
    String header = ex.getRequestHeaders().getFirst(SIGNATURE_HEADER);
    if (header == null || header.isBlank()) {
      if (allowUnsigned) {
        return null;
      }
      throw new IllegalArgumentException(UNSIGNED);
    }
    return base64(SIGNATURE_HEADER, header.trim());
  }

  private static byte[] base64(String what, String text) {
    try {
      byte[] b = Base64.getMimeDecoder().decode(text);
      if (b.length == 0) {
        throw new IllegalArgumentException(what + " is empty, expected base64 of a detached OpenPGP signature");
      }
      return b;
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().startsWith(what)) {
        throw e;
      }
      throw new IllegalArgumentException(what + " is not base64 (" + e.getMessage() + ")");
    }
  }

  private void requireApp(String app) {
    if (store.listApps().stream().noneMatch(a -> a.id().equals(app))) {
      throw new NoSuchElementException("no app " + app);
    }
  }

  private static Version version(String text) {
    if (text == null || !text.matches("[0-9A-Za-z.+_-]{1,64}")) {
      throw new IllegalArgumentException("version '" + text + "' is not a version like 3602.2.0");
    }
    return Version.parse(text);
  }

  private static String name(String text) {
    if (text == null) {
      throw new IllegalArgumentException("query parameter 'name' is required (the payload's file name)");
    }
    if (!text.matches(NAME) || text.endsWith(".sig")) {
      throw new IllegalArgumentException("file name '" + text + "' must be letters, digits and ._+- (not ending"
          + " in .sig), at most 128 characters");
    }
    return text;
  }

  private static String board(String text) {
    if (!text.matches(BOARD)) {
      throw new IllegalArgumentException("board '" + text + "' is not a board name like amd64-usr");
    }
    return text;
  }

  private static JsonNode readJson(HttpServerExchange ex) throws IOException {
    return AdminJson.object(readRaw(ex, OmahaServer.MAX_BODY));
  }

  private static long number(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber()) {
      throw new IllegalArgumentException("field '" + field + "' must be a whole number");
    }
    return v.asLong();
  }

  /** A hash given as base64 (as Omaha carries it) or hex; answered as base64. */
  private static String base64Hash(JsonNode b, String field, int bytes) {
    String t = text(b, field, null);
    if (t.matches("[0-9a-fA-F]{" + (2 * bytes) + "}")) {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(t));
    }
    try {
      if (Base64.getDecoder().decode(t).length == bytes) {
        return t;
      }
    } catch (IllegalArgumentException e) {
      // falls through to the message below
    }
    throw new IllegalArgumentException("field '" + field + "' must be the " + (bytes * 8) + "-bit hash in base64 or"
        + " hex, got '" + t + "'");
  }

  private static String b64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
