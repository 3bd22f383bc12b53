package dev.cairn.signing.openpgp;

import dev.cairn.signing.ReleaseKeys;
import dev.cairn.signing.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;

/** {@link ReleaseKeys} with BouncyCastle: the same key reading and signature checks as {@link Trust}. */
public final class OpenPgpReleaseKeys implements ReleaseKeys {

  @Override
  public List<KeySummary> inspect(byte[] keyBlock) {
    List<KeySummary> out = new ArrayList<>();
    for (PGPPublicKeyRing ring : rings(keyBlock, "the key", true)) {
      PGPPublicKey primary = ring.getPublicKey();
      List<String> uids = new ArrayList<>();
      for (Iterator<String> it = primary.getUserIDs(); it.hasNext(); ) {
        uids.add(it.next());
      }
      List<String> subs = new ArrayList<>();
      for (Iterator<PGPPublicKey> it = ring.getPublicKeys(); it.hasNext(); ) {
        PGPPublicKey k = it.next();
        if (!k.isMasterKey()) {
          subs.add(KeyInspector.fingerprint(k));
        }
      }
      out.add(new KeySummary(KeyInspector.fingerprint(primary), uids, primary.getCreationTime().toInstant(), subs));
    }
    return out;
  }

  @Override
  public byte[] armoredPublicKey(byte[] keyBlock, String fingerprint) {
    for (PGPPublicKeyRing ring : rings(keyBlock, "the key", true)) {
      if (KeyInspector.fingerprint(ring.getPublicKey()).equalsIgnoreCase(fingerprint)) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArmoredOutputStream armored = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
          ring.encode(armored, true);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
      }
    }
    throw new IllegalArgumentException("the key holds no public key " + fingerprint);
  }

  @Override
  public Check check(List<byte[]> trustedKeyBlocks, byte[] signature) {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (byte[] block : trustedKeyBlocks) {
      rings.addAll(rings(block, "a trusted key", false));
    }
    // Payloads are installed byte for byte: a text signature, which leaves line endings
    // uncovered, is refused here.
    SignatureCheck check = SignatureCheck.prepare(rings, signature, SignatureCheck.Expect.BINARY);
    return new Check() {
      private Verdict verdict;

      @Override
      public void update(byte[] bytes, int offset, int length) {
        if (verdict != null) {
          throw new IllegalStateException("update after conclude");
        }
        check.update(bytes, offset, length);
      }

      @Override
      public Verdict conclude() {
        if (verdict == null) {
          verdict = check.conclude(Instant.now());
        }
        return verdict;
      }

      @Override
      public Signed signer() {
        return check.signer(Instant.now());
      }
    };
  }

  /** The public key rings in {@code bytes}; with {@code publicOnly}, secret key material is bad input. */
  private static List<PGPPublicKeyRing> rings(byte[] bytes, String label, boolean publicOnly) {
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Object o : KeyFiles.objects(bytes, label)) {
      if (o instanceof PGPPublicKeyRing r) {
        rings.add(r);
      } else if (o instanceof PGPSecretKeyRing) {
        if (publicOnly) {
          throw new IllegalArgumentException(label + " is a secret key; add its public key only");
        }
      }
    }
    if (rings.isEmpty()) {
      throw new IllegalArgumentException(label + " holds no OpenPGP public key");
    }
    return rings;
  }
}
