package dev.cairn.signing.cli;

import dev.cairn.signing.DigestsFile;
import dev.cairn.signing.files.FileAccess;
import dev.cairn.signing.openpgp.FileDigests;
import dev.cairn.signing.openpgp.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn sign}: detached signatures and signed DIGESTS files. */
@Command(name = "sign", mixinStandardHelpOptions = true,
    description = {"Sign a file (detached signature), or a DIGESTS listing of files.",
        "Writes FILE.sig, or FILE.asc with --armor."},
    subcommands = {SignCommand.Digests.class})
public final class SignCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** The options every signing command shares. */
  static final class KeyOptions {
    @Option(names = "--key", paramLabel = "SECRET.asc", description = "Secret key file (required).")
    Path key;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
        description = "Passphrase file (default: the CAIRN_KEY_PASSPHRASE environment variable).")
    Path passphraseFile;

    @Option(names = "--digest", defaultValue = "sha256", paramLabel = "sha256|sha512",
        description = "Digest algorithm (default: ${DEFAULT-VALUE}).")
    String digest;

    SigningKey load() throws IOException {
      return SigningKey.load(key, Passphrases.read(passphraseFile));
    }

    /** --key is checked here, not by picocli, so that 'sign digests' parses without the parent's. */
    void requireKey(CommandSpec spec) {
      if (key == null) {
        throw new ParameterException(spec.commandLine(), "Missing required option: '--key=SECRET.asc'");
      }
    }

    int hashAlgorithm() {
      return switch (digest.toLowerCase(Locale.ROOT)) {
        case "sha256" -> HashAlgorithmTags.SHA256;
        case "sha512" -> HashAlgorithmTags.SHA512;
        default -> throw new IllegalArgumentException("--digest must be sha256 or sha512, got '" + digest + "'");
      };
    }
  }

  @Mixin KeyOptions keyOptions;

  @Option(names = "--armor", description = "ASCII-armored signature (default name FILE.asc).")
  boolean armor;

  @Option(names = "--output", paramLabel = "SIG", description = "Signature file (default FILE.sig or FILE.asc).")
  Path output;

  @Parameters(paramLabel = "FILE", arity = "0..1", description = "File to sign.")
  Path file;

  @Override
  public Integer call() throws IOException {
    keyOptions.requireKey(spec);
    if (file == null) {
      throw new ParameterException(spec.commandLine(), "Missing required parameter: 'FILE'");
    }
    int hash = keyOptions.hashAlgorithm();
    requireFile(file);
    Path sig = output != null ? output : file.resolveSibling(file.getFileName() + (armor ? ".asc" : ".sig"));
    FileAccess.requireWritable(sig);
    SigningKey key = keyOptions.load();
    writeAtomically(sig, key.signDetached(file, hash, armor));
    spec.commandLine().getOut().printf("%s: signed by %s \"%s\" -> %s%n", file, key.fingerprint(), key.userId(), sig);
    return 0;
  }

  static void requireFile(Path file) throws IOException {
    FileAccess.requireRegularFile(file);
  }

  /**
   * Writes beside the target and renames, so a reader never sees half a signature. Errors name
   * the target, not the temporary file.
   */
  static void writeAtomically(Path target, byte[] bytes) throws IOException {
    FileAccess.requireNotDirectory(target);
    Path tmp = target.toAbsolutePath().resolveSibling("." + target.getFileName() + ".tmp" + ProcessHandle.current().pid());
    try {
      Files.write(tmp, bytes);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw FileAccess.writing(target, e);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  @Command(name = "digests", mixinStandardHelpOptions = true,
      description = {"Write NAME.DIGESTS (SHA-256 and SHA-512 of each FILE, sha256sum format)",
          "and its clearsigned NAME.DIGESTS.asc. FILEs must sit in the folder of NAME.DIGESTS."})
  static final class Digests implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin KeyOptions keyOptions;

    @Option(names = "--output", paramLabel = "NAME.DIGESTS",
        description = "DIGESTS file to write (default: the first FILE's name + .DIGESTS).")
    Path output;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "Files to list.")
    List<Path> files;

    @Override
    public Integer call() throws IOException {
      keyOptions.requireKey(spec);
      int hash = keyOptions.hashAlgorithm();
      Path out = output != null ? output : files.get(0).resolveSibling(files.get(0).getFileName() + ".DIGESTS");
      Path asc = out.resolveSibling(out.getFileName() + ".asc");
      FileAccess.requireWritable(out);
      FileAccess.requireWritable(asc);
      Path folder = out.toAbsolutePath().normalize().getParent();
      for (Path f : files) {
        requireFile(f);
        if (!f.toAbsolutePath().normalize().getParent().equals(folder)) {
          throw new IllegalArgumentException(f + ": not in the folder of " + out
              + " (a DIGESTS file lists files by name, next to itself)");
        }
        DigestsFile.checkName(f.getFileName().toString());
      }
      SigningKey key = keyOptions.load();
      String text = FileDigests.listing(files).render();
      String signed = key.clearsign(text.substring(0, text.length() - 1), hash);
      writeAtomically(out, text.getBytes(StandardCharsets.UTF_8));
      writeAtomically(asc, signed.getBytes(StandardCharsets.UTF_8));
      spec.commandLine().getOut().printf("%s: %d files, signed by %s \"%s\" -> %s%n", out, files.size(),
          key.fingerprint(), key.userId(), asc);
      return 0;
    }
  }
}
