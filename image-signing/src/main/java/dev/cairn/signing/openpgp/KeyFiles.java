package dev.cairn.signing.openpgp;

import dev.cairn.signing.files.FileAccess;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/** Reads OpenPGP key files, armored or binary; a file may hold several keys. */
final class KeyFiles {
  private KeyFiles() {}

  static byte[] read(Path file) throws IOException {
    return FileAccess.readAllBytes(file);
  }

  /** Every public key ring in {@code file} (secret rings contribute their public half). */
  static List<PGPPublicKeyRing> publicRings(Path file) throws IOException {
    List<Object> objects = objects(file);
    List<PGPPublicKeyRing> rings = new ArrayList<>();
    for (Object o : objects) {
      if (o instanceof PGPPublicKeyRing r) {
        rings.add(r);
      } else if (o instanceof PGPSecretKeyRing s) {
        List<PGPPublicKey> keys = new ArrayList<>();
        for (Iterator<PGPPublicKey> it = s.getPublicKeys(); it.hasNext(); ) {
          keys.add(it.next());
        }
        rings.add(new PGPPublicKeyRing(keys));
      }
    }
    if (rings.isEmpty()) {
      throw new IllegalArgumentException(file + ": holds no OpenPGP public key");
    }
    return rings;
  }

  static PGPSecretKeyRing secretRing(Path file) throws IOException {
    for (Object o : objects(file)) {
      if (o instanceof PGPSecretKeyRing s) {
        return s;
      }
    }
    throw new IllegalArgumentException(file + ": holds no OpenPGP secret key");
  }

  private static List<Object> objects(Path file) throws IOException {
    return objects(read(file), file.toString());
  }

  /** Every key ring in {@code bytes} (armored or binary); {@code label} names them in messages. */
  static List<Object> objects(byte[] bytes, String label) {
    Object file = label;
    if (bytes.length == 0) {
      throw new IllegalArgumentException(file + ": is empty, expected an OpenPGP key");
    }
    List<Object> out = new ArrayList<>();
    try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(bytes))) {
      BcPGPObjectFactory f = new BcPGPObjectFactory(in);
      Object o;
      while ((o = f.nextObject()) != null) {
        if (!(o instanceof PGPMarker)) {
          out.add(o);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (out.isEmpty()) {
        throw new IllegalArgumentException(file + ": is not an OpenPGP key file (" + e.getMessage() + ")");
      }
    }
    return out;
  }
}
