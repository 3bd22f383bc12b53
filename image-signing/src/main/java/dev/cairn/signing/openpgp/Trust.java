package dev.cairn.signing.openpgp;

import dev.cairn.signing.Verdict;
import dev.cairn.signing.files.FileAccess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.PGPPublicKeyRing;

/**
 * The keys an operator trusts, loaded from one or more key files (old and new key side by side
 * during a rotation), and everything that checks signatures against them.
 */
public final class Trust {
  private final List<PGPPublicKeyRing> rings;

  private Trust(List<PGPPublicKeyRing> rings) {
    this.rings = List.copyOf(rings);
  }

  /** Loads every public key in {@code files}; a file that holds no key is bad input. */
  public static Trust load(List<Path> files) throws IOException {
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no keyring given");
    }
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Path f : files) {
      rings.addAll(KeyFiles.publicRings(f));
    }
    return new Trust(rings);
  }


  /**
   * Wraps {@code data} so its detached {@code signature} is checked as it is read; ask
   * {@link VerifyingInputStream#finish()} after the last byte. The signature must be one of binary
   * data: what streams through here is installed, so every byte must be covered, and a text
   * signature does not cover line endings.
   */
  public VerifyingInputStream open(InputStream data, byte[] signature) {
    return new VerifyingInputStream(data, SignatureCheck.prepare(rings, signature, SignatureCheck.Expect.BINARY));
  }

  /**
   * Checks a whole file against its detached signature, reading ahead while it hashes. As with gpg,
   * the signature may be one of binary data or, made with {@code gpg --textmode}, one of text; a
   * verdict on a text signature says so ({@link Verdict.Verified#text()}).
   */
  public Verdict verifyFile(Path file, byte[] signature) throws IOException {
    SignatureCheck check = SignatureCheck.prepare(rings, signature, SignatureCheck.Expect.BINARY_OR_TEXT);
    try (ReadAhead in = new ReadAhead(FileAccess.open(file))) {
      ReadAhead.Chunk c;
      while ((c = in.next()) != null) {
        check.update(c.bytes, 0, c.length);
        in.recycle(c);
      }
    }
    return check.conclude(Instant.now());
  }

  /**
   * A clearsigned document checked: the verdict, and the signed text (trust it only if verified)
   * exactly as the signature covers it, without the trailing blanks a signature ignores.
   */
  public record Clearsigned(Verdict verdict, String text) {}

  /** Checks a clearsigned document; a document that is not clearsigned is bad input. */
  public Clearsigned verifyClearsigned(String document) {
    Cleartext.Parsed parsed = Cleartext.parse(document);
    SignatureCheck check = SignatureCheck.prepare(rings, parsed.signatureBlock(), SignatureCheck.Expect.CLEARSIGNED);
    byte[] canonical = Cleartext.canonical(parsed.text());
    check.update(canonical, 0, canonical.length);
    // Trailing blanks are outside the signature: anyone may add them, so the text handed on is
    // the canonical one, never the document's own lines.
    return new Clearsigned(check.conclude(Instant.now()), new String(canonical, StandardCharsets.UTF_8));
  }
}
