package dev.cairn.install.agent.lock;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS settings of locksmith's etcd options from PEM files, as Go's {@code crypto/tls} reads
 * them: CA certificates to trust, and a client certificate (chain) with its unencrypted private key
 * in any of the forms openssl and cfssl write: {@code PRIVATE KEY} (PKCS#8: RSA, EC, Ed25519),
 * {@code RSA PRIVATE KEY} (PKCS#1) and {@code EC PRIVATE KEY} (SEC1).
 */
final class Pem {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] RSA_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  private static final byte[] EC_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};

  private Pem() {}

  /** An SSL context trusting {@code caFile} (or the JDK's CAs) and presenting the client certificate, if any. */
  static SSLContext sslContext(Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile)
      throws IOException {
    try {
      TrustManagerFactory tmf = null;
      if (caFile.isPresent()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int n = 0;
        for (Certificate c : certificates(caFile.get(), "CA file")) {
          trust.setCertificateEntry("ca" + n++, c);
        }
        tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
      }
      KeyManagerFactory kmf = null;
      if (certFile.isPresent()) {
        List<Certificate> chain = certificates(certFile.get(), "certificate file");
        PrivateKey key = privateKey(keyFile.orElseThrow());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try {
          ks.setKeyEntry("client", key, new char[0], chain.toArray(new Certificate[0]));
        } catch (GeneralSecurityException e) {
          throw new IllegalArgumentException(keyFile.get() + ": the key does not go with " + certFile.get()
              + " (" + e.getMessage() + ")");
        }
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("etcd TLS settings: " + e.getMessage());
    }
  }

  private static List<Certificate> certificates(Path file, String what) throws IOException {
    byte[] bytes = read(file, what);
    Collection<? extends Certificate> certs;
    try {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(file + ": not a PEM certificate (" + e.getMessage() + ")");
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(file + ": holds no PEM certificate");
    }
    return new ArrayList<>(certs);
  }

  static PrivateKey privateKey(Path file) throws IOException {
    String text = new String(read(file, "key file"), StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      String type = m.group(1);
      if (!type.endsWith("PRIVATE KEY")) {
        continue; // such as EC PARAMETERS before an EC key
      }
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(file + ": " + type + " is not base64");
      }
      byte[] pkcs8 = switch (type) {
        case "PRIVATE KEY" -> der;
        case "RSA PRIVATE KEY" -> pkcs8(seq(RSA_OID, new byte[] {0x05, 0x00}), der);
        case "EC PRIVATE KEY" -> pkcs8(seq(EC_OID, curveOid(file, der)), der);
        case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
            file + ": an encrypted private key; an unencrypted one is expected");
        default -> throw new IllegalArgumentException(
            file + ": a " + type + "; PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY is expected");
      };
      for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
        try {
          return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
          // not this algorithm: try the next
        }
      }
      throw new IllegalArgumentException(file + ": " + type + " is not an RSA, EC or Ed25519 key");
    }
    throw new IllegalArgumentException(file + ": holds no PEM private key");
  }

  /** The named curve of a SEC1 {@code ECPrivateKey}: its {@code [0] parameters} field. */
  private static byte[] curveOid(Path file, byte[] sec1) {
    // SEQUENCE { INTEGER 1, OCTET STRING key, [0] { OID curve } OPTIONAL, [1] ... OPTIONAL }
    int[] at = {0};
    Der outer = Der.read(sec1, at, file);
    int[] in = {outer.start};
    while (in[0] < outer.end) {
      Der field = Der.read(sec1, in, file);
      if ((sec1[field.tagAt] & 0xff) == 0xa0) {
        int[] p = {field.start};
        Der oid = Der.read(sec1, p, file);
        if (sec1[oid.tagAt] == 0x06) {
          byte[] out = new byte[oid.end - oid.tagAt];
          System.arraycopy(sec1, oid.tagAt, out, 0, out.length);
          return out;
        }
      }
      in[0] = field.end;
    }
    throw new IllegalArgumentException(file + ": EC PRIVATE KEY names no curve");
  }

  private record Der(int tagAt, int start, int end) {
    static Der read(byte[] b, int[] at, Path file) {
      try {
        int tagAt = at[0];
        int i = tagAt + 1;
        int len = b[i++] & 0xff;
        if (len >= 0x80) {
          int n = len & 0x7f;
          if (n == 0 || n > 3) {
            throw new IllegalArgumentException(file + ": EC PRIVATE KEY is not DER");
          }
          len = 0;
          for (int k = 0; k < n; k++) {
            len = (len << 8) | (b[i++] & 0xff);
          }
        }
        if (i + len > b.length) {
          throw new IllegalArgumentException(file + ": EC PRIVATE KEY is cut short");
        }
        at[0] = i + len;
        return new Der(tagAt, i, i + len);
      } catch (ArrayIndexOutOfBoundsException e) {
        throw new IllegalArgumentException(file + ": EC PRIVATE KEY is cut short");
      }
    }
  }

  /** PKCS#8 {@code PrivateKeyInfo}: version 0, the algorithm, the key as an OCTET STRING. */
  private static byte[] pkcs8(byte[] algorithm, byte[] key) {
    return tlv(0x30, concat(new byte[] {0x02, 0x01, 0x00}, algorithm, tlv(0x04, key)));
  }

  private static byte[] seq(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] read(Path file, String what) throws IOException {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new IOException(file + ": no such " + what);
    } catch (IOException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
  }
}
