package dev.cairn.signing.cli;

import dev.cairn.signing.TrustPolicy;
import dev.cairn.signing.files.FileAccess;
import dev.cairn.signing.openpgp.KeyGeneration;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn key}: OpenPGP release keys. */
@Command(name = "key", mixinStandardHelpOptions = true,
    description = "Create OpenPGP release keys.",
    subcommands = {KeyCommand.Generate.class})
public final class KeyCommand {

  @Command(name = "generate", mixinStandardHelpOptions = true,
      description = {"Generate a certify-only primary key with a signing subkey, ASCII-armored.",
          "The secret key is protected with a passphrase from CAIRN_KEY_PASSPHRASE or --passphrase-file."})
  static final class Generate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--uid", required = true, paramLabel = "\"NAME <EMAIL>\"", description = "User id of the key.")
    String uid;

    @Option(names = "--algo", defaultValue = "ed25519", paramLabel = "ed25519|rsa4096",
        description = "Key algorithm (default: ${DEFAULT-VALUE}).")
    String algo;

    @Option(names = "--expires", defaultValue = "2y", paramLabel = "2y|18m|90d|never",
        description = "When the keys expire (default: ${DEFAULT-VALUE}).")
    String expires;

    @Option(names = "--secret-out", required = true, paramLabel = "FILE", description = "Secret key file, created with mode 0600.")
    Path secretOut;

    @Option(names = "--public-out", required = true, paramLabel = "FILE", description = "Public key file.")
    Path publicOut;

    @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Read the passphrase from the first line of FILE.")
    Path passphraseFile;

    @Option(names = "--no-passphrase", description = "Leave the secret key unprotected.")
    boolean noPassphrase;

    @Option(names = "--force", description = "Overwrite existing key files.")
    boolean force;

    @Override
    public Integer call() throws IOException {
      KeyGeneration.Algorithm algorithm = switch (algo.toLowerCase(Locale.ROOT)) {
        case "ed25519" -> KeyGeneration.Algorithm.ED25519;
        case "rsa4096" -> KeyGeneration.Algorithm.RSA4096;
        default -> throw new IllegalArgumentException("--algo must be ed25519 or rsa4096, got '" + algo + "'");
      };
      long expiry = TrustPolicy.parseExpiry(expires);
      char[] passphrase = noPassphrase ? null : Passphrases.read(passphraseFile);
      if (noPassphrase && passphraseFile != null) {
        throw new IllegalArgumentException("--no-passphrase and --passphrase-file contradict each other");
      }
      if (!noPassphrase && passphrase == null) {
        throw new IllegalArgumentException("the secret key needs a passphrase: set " + Passphrases.ENV
            + ", give --passphrase-file, or choose --no-passphrase");
      }
      if (secretOut.toAbsolutePath().normalize().equals(publicOut.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("--secret-out and --public-out name the same file");
      }
      for (Path p : new Path[] {secretOut, publicOut}) {
        FileAccess.requireWritable(p);
        if (!force && Files.exists(p)) {
          throw new IllegalArgumentException(p + ": exists; give --force to overwrite it");
        }
      }
      KeyGeneration.Generated key = KeyGeneration.generate(uid, algorithm, expiry, passphrase);
      write(secretOut, key.secretArmored(), true);
      write(publicOut, key.publicArmored(), false);
      spec.commandLine().getOut().printf("generated %s key %s for \"%s\"%n  secret: %s (mode 0600)%n  public: %s%n",
          algo.toLowerCase(Locale.ROOT), key.fingerprint(), uid, secretOut, publicOut);
      return 0;
    }

    /**
     * Creates {@code target} exclusively (private when secret); with --force, writes a temporary
     * file beside it and moves it over the old one, so a crash never leaves half a key.
     */
    private void write(Path target, String text, boolean secret) throws IOException {
      var perms = PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--"));
      Path file = force
          ? target.toAbsolutePath().getParent().resolve("." + target.getFileName() + ".tmp" + ProcessHandle.current().pid())
          : target;
      try {
        if (force) {
          Files.deleteIfExists(file);   // a leftover from an earlier crash
        }
        try (var ch = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), perms)) {
          ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)));
        }
        if (force) {
          Files.move(file, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
      } catch (FileAlreadyExistsException e) {
        throw new IllegalArgumentException(target + ": exists; give --force to overwrite it");
      } catch (IOException e) {
        Files.deleteIfExists(file);
        throw FileAccess.writing(target, e);
      } catch (RuntimeException e) {
        Files.deleteIfExists(file);
        throw e;
      }
    }
  }
}
