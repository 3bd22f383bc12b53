package dev.cairn.omaha.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cairn admin package}: update payloads and installer images. */
@Command(name = "package", mixinStandardHelpOptions = true, description = "Update payloads (packages) and installer images.",
    subcommands = {PackageCommands.Add.class, PackageCommands.ListPackages.class, PackageCommands.Delete.class,
        PackageCommands.AddImage.class})
final class PackageCommands {
  /** Files larger than this show a progress bar while they upload (on a terminal). */
  static final long PROGRESS_OVER = 8L << 20;

  @Command(name = "add", mixinStandardHelpOptions = true,
      description = "Add a signed package: upload the payload (--file) for the server to host, or describe one "
          + "hosted elsewhere (--url with --size and --sha256). The detached OpenPGP signature must be made by a "
          + "trusted key (see: cairn admin key add).")
  static final class Add extends AdminCall {
    @Option(names = "--version", required = true, paramLabel = "V", description = "The package's version, like 3602.2.0.")
    String version;
    @Option(names = "--board", paramLabel = "BOARD", description = "Board (default: the server's, amd64-usr).")
    String board;
    @Mixin AppOption app;
    @Option(names = "--signature", required = true, paramLabel = "SIG", description = "Detached signature of the payload (binary or armored).")
    Path signature;
    @Option(names = "--name", paramLabel = "NAME", description = "The payload's file name as machines fetch it (default: the file's name).")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    static final class Source {
      @Option(names = "--file", paramLabel = "PAYLOAD", description = "Upload this payload for the server to host.")
      Path file;
      @ArgGroup(exclusive = false)
      External external;
    }

    static final class External {
      @Option(names = "--url", required = true, paramLabel = "URL", description = "Where machines fetch the payload (the codebase, ending in /).")
      String url;
      @Option(names = "--size", required = true, paramLabel = "N", description = "The payload's size in bytes.")
      long size;
      @Option(names = "--sha256", required = true, paramLabel = "B64", description = "The payload's SHA-256, base64.")
      String sha256;
      @Option(names = "--sha1", paramLabel = "B64",
          description = "The payload's SHA-1, base64 (needed with --url: machines refuse an update without it).")
      String sha1;
    }

    @Override
    void run() throws IOException {
      String sig = Base64.getEncoder().encodeToString(Files.readAllBytes(signature));
      JsonNode p;
      if (source.file != null) {
        Path file = source.file;
        String n = name != null ? name : file.getFileName().toString();
        long size = Files.size(file);
        String path = "/api/v1/packages/" + AdminClient.segment(version) + "/payload"
            + AdminClient.query(AdminClient.params("name", n, "board", board, "app", app.app));
        p = parse(PackageCommands.upload(client(), path, file, size, sig, spec.commandLine().getErr()));
      } else {
        External e = source.external;
        if (name == null) {
          throw new IllegalArgumentException("--url needs --name: the payload's file name under " + e.url);
        }
        if (e.size <= 0) {
          throw new IllegalArgumentException("--size must be the payload's size in bytes, got " + e.size);
        }
        digest("--sha256", e.sha256, 32);
        if (e.sha1 == null) {
          // update_engine refuses an Omaha answer whose package has no hash (the SHA-1)
          throw new IllegalArgumentException("--url needs --sha1 too: machines refuse an update without the"
              + " payload's SHA-1 (sha1sum FILE | xxd -r -p | base64)");
        }
        digest("--sha1", e.sha1, 20);
        ObjectNode body = object().put("version", version).put("name", name).put("url", e.url).put("size", e.size)
            .put("sha256", e.sha256).put("sha1", e.sha1).put("signature", sig);
        if (board != null) {
          body.put("board", board);
        }
        p = parse(client().send("POST", "/api/v1/packages" + AdminClient.query(AdminClient.params("app", app.app)), body));
      }
      out().println(describe(p));
    }

    String upload(AdminClient client, String path, Path file, long size, String sig) throws IOException {
      return PackageCommands.upload(client(), path, file, size, sig, spec.commandLine().getErr());
    }
  }

  @Command(name = "add-image", mixinStandardHelpOptions = true,
      description = "Upload a signed installer image (like flatcar_production_image.bin.bz2) for version V.")
  static final class AddImage extends AdminCall {
    @Option(names = "--version", required = true, paramLabel = "V", description = "The version the image installs.")
    String version;
    @Option(names = "--file", required = true, paramLabel = "IMAGE", description = "The image file, like flatcar_production_image.bin.bz2.")
    Path file;
    @Option(names = "--signature", required = true, paramLabel = "SIG", description = "Detached signature of the image.")
    Path signature;
    @Option(names = "--board", paramLabel = "BOARD", description = "Board (default: the server's, amd64-usr).")
    String board;

    @Override
    void run() throws IOException {
      String sig = Base64.getEncoder().encodeToString(Files.readAllBytes(signature));
      String path = "/api/v1/images/" + AdminClient.segment(version) + "/" + AdminClient.segment(file.getFileName().toString())
          + AdminClient.query(AdminClient.params("board", board));
      JsonNode i = parse(PackageCommands.upload(client(), path, file, Files.size(file), sig, spec.commandLine().getErr()));
      out().println("image " + Views.text(i, "version") + " (" + Views.or(Views.text(i, "board"), "-") + ") "
          + Views.text(i, "name") + ", " + i.path("size").asLong() + " bytes, signed by " + Views.or(Views.text(i, "signed_by"), "nobody"));
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List the packages.")
  static final class ListPackages extends AdminCall {
    @Mixin FormatOption format;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      list(client().get("/api/v1/packages" + AdminClient.query(AdminClient.params("app", app.app))), format.format,
          List.of("VERSION", "BOARD", "NAME", "SIZE", "HOSTED", "SIGNED BY", "URL"),
          p -> List.of(Views.or(Views.text(p, "version"), ""), Views.or(Views.text(p, "board"), ""),
              Views.or(Views.text(p, "name"), ""), Views.shown(p.path("size")),
              p.has("hosted") ? (p.path("hosted").asBoolean() ? "yes" : "no") : "",
              Views.or(Views.text(p, "signed_by"), ""), Views.or(Views.text(p, "url"), "")));
    }
  }

  @Command(name = "delete", mixinStandardHelpOptions = true,
      description = "Delete a package and its stored files (refused while a channel points at it).")
  static final class Delete extends AdminCall {
    @Parameters(paramLabel = "VERSION", description = "The package's version.")
    String version;
    @Option(names = "--board", paramLabel = "BOARD", description = "Board (default: the server's, amd64-usr).")
    String board;
    @Mixin AppOption app;

    @Override
    void run() throws IOException {
      JsonNode r = parse(client().send("DELETE", "/api/v1/packages/" + AdminClient.segment(version)
          + AdminClient.query(AdminClient.params("board", board, "app", app.app)), null));
      out().println("deleted " + Views.or(Views.text(r, "deleted"), version));
    }
  }

  /** PUT of a file with its signature; a progress bar on stderr for big files when stderr is a terminal. */
  static String upload(AdminClient client, String path, Path file, long size, String sig, PrintWriter err) throws IOException {
    LongConsumer progress = done -> { };
    ProgressBar bar = null;
    if (System.console() != null && size > PROGRESS_OVER) {
      bar = new ProgressBar(err, size);
      progress = bar;
    }
    try {
      return client.upload("PUT", path, file, Map.of("X-Cairn-Signature", sig), progress);
    } finally {
      if (bar != null) {
        bar.finish();
      }
    }
  }

  /** One line on the terminal, redrawn as each percent passes. */
  static final class ProgressBar implements LongConsumer {
    private final PrintWriter err;
    private final long total;
    private long shown = -1;
    private long last;

    ProgressBar(PrintWriter err, long total) {
      this.err = err;
      this.total = total;
    }

    @Override
    public synchronized void accept(long done) {
      last = done;
      long percent = done * 100 / total;
      if (percent != shown) {
        shown = percent;
        err.print("\r" + Views.progress(done, total, 40));
        err.flush();
      }
    }

    synchronized void finish() {
      if (shown >= 0) {
        err.print("\r" + Views.progress(last, total, 40) + "\n");
        err.flush();
      }
    }
  }

  /** Checks that {@code b64} is the base64 of a digest of {@code bytes} bytes, as Omaha carries hashes. */
  static void digest(String option, String b64, int bytes) {
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(option + " must be base64, got '" + b64 + "'");
    }
    if (raw.length != bytes) {
      throw new IllegalArgumentException(option + " must be the base64 of " + bytes + " bytes, got " + raw.length
          + " bytes in '" + b64 + "'");
    }
  }

  static String describe(JsonNode p) {
    return "package " + Views.text(p, "version") + " (" + Views.or(Views.text(p, "board"), "-") + ") "
        + Views.text(p, "name") + ", " + p.path("size").asLong() + " bytes"
        + (Views.text(p, "signed_by") != null ? ", signed by " + Views.text(p, "signed_by") : "")
        + (Views.text(p, "url") != null ? ", served from " + Views.text(p, "url") : "");
  }
}
