package dev.cairn.signing.openpgp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The cleartext signature framework (RFC 4880 section 7): the text, dash-escaped, between a
 * {@code BEGIN PGP SIGNED MESSAGE} header and an armored signature block.
 */
final class Cleartext {
  static final String BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
  static final String SIGNATURE = "-----BEGIN PGP SIGNATURE-----";

  /** The signed text (lines joined by \n, no final newline) and the armored signature block. */
  record Parsed(String text, byte[] signatureBlock) {}

  private Cleartext() {}

  /** The text as it is hashed: each line without trailing blanks, lines joined by \n. */
  static byte[] canonical(String text) {
    List<String> lines = new ArrayList<>();
    for (String line : text.split("\n", -1)) {
      lines.add(line.replaceAll("[ \t\r]+$", ""));
    }
    return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
  }

  static String render(String text, String hashName, String armoredSignature) {
    StringBuilder b = new StringBuilder(BEGIN).append('\n');
    b.append("Hash: ").append(hashName).append("\n\n");
    for (String line : text.split("\n", -1)) {
      b.append(line.startsWith("-") ? "- " : "").append(line).append('\n');
    }
    return b.append(armoredSignature).toString();
  }

  static Parsed parse(String doc) {
    String[] lines = doc.replace("\r\n", "\n").split("\n", -1);
    int i = 0;
    while (i < lines.length && lines[i].isBlank()) {
      i++;
    }
    if (i >= lines.length || !lines[i].trim().equals(BEGIN)) {
      throw new IllegalArgumentException("not a clearsigned file: it does not start with '" + BEGIN + "'");
    }
    i++;
    while (i < lines.length && !lines[i].isEmpty()) {
      if (!lines[i].startsWith("Hash: ")) {
        throw new IllegalArgumentException("line " + (i + 1) + ": unexpected armor header '" + lines[i] + "'");
      }
      i++;
    }
    i++;
    List<String> text = new ArrayList<>();
    while (i < lines.length && !lines[i].trim().equals(SIGNATURE)) {
      String line = lines[i];
      if (line.startsWith("- ")) {
        line = line.substring(2);
      } else if (line.startsWith("-")) {
        throw new IllegalArgumentException("line " + (i + 1) + ": a line starting with '-' must be dash-escaped");
      }
      text.add(line);
      i++;
    }
    if (i >= lines.length) {
      throw new IllegalArgumentException("no '" + SIGNATURE + "' block after the signed text");
    }
    StringBuilder sig = new StringBuilder();
    for (; i < lines.length; i++) {
      sig.append(lines[i]).append('\n');
    }
    return new Parsed(String.join("\n", text), sig.toString().getBytes(StandardCharsets.US_ASCII));
  }
}
