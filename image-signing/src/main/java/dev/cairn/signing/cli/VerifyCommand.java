package dev.cairn.signing.cli;

import dev.cairn.signing.DigestsFile;
import dev.cairn.signing.Reason;
import dev.cairn.signing.Verdict;
import dev.cairn.signing.files.FileAccess;
import dev.cairn.signing.openpgp.FileDigests;
import dev.cairn.signing.openpgp.Trust;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cairn verify}: check a detached signature, or a clearsigned DIGESTS file and its files. */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Verify a detached signature, or a signed DIGESTS file and its files.",
        "SIG defaults to FILE.sig, else FILE.asc. With --digests, every file the DIGESTS file lists",
        "is checked too, by SHA-256 or SHA-512; a file listed only with MD5 or SHA-1 is not verified",
        "unless --allow-weak. Exit 0 when good; 1 with the reason when not."})
public final class VerifyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--keyring", required = true, split = ",", paramLabel = "PUBLIC.asc[,MORE.asc]",
      description = "Trusted public keys (several during a key rotation).")
  List<Path> keyrings;

  @Option(names = "--digests", paramLabel = "NAME.DIGESTS.asc", description = "Clearsigned DIGESTS file to check.")
  Path digests;

  @Option(names = "--allow-weak", description = {"With --digests: check a file that only MD5 or SHA-1 digests cover",
      "with those, and say so (they do not prove a file was not forged to match)."})
  boolean allowWeak;

  @Parameters(arity = "0..2", paramLabel = "FILE [SIG]", description = "File and its signature.")
  List<Path> args = new ArrayList<>();

  @Override
  public Integer call() throws IOException {
    if ((digests == null) == args.isEmpty()) {
      throw new ParameterException(spec.commandLine(), digests == null
          ? "give FILE [SIG] to verify, or --digests NAME.DIGESTS.asc"
          : "--digests takes no FILE arguments: the files are the ones it lists");
    }
    if (allowWeak && digests == null) {
      throw new ParameterException(spec.commandLine(), "--allow-weak applies to --digests only");
    }
    Trust trust = Trust.load(keyrings);
    return digests != null ? verifyDigests(trust) : verifyFile(trust);
  }

  private int verifyFile(Trust trust) throws IOException {
    Path file = args.get(0);
    FileAccess.requireRegularFile(file);
    Path sig = args.size() > 1 ? args.get(1) : defaultSignature(file);
    Verdict v = trust.verifyFile(file, FileAccess.readAllBytes(sig));
    return report(file, v);
  }

  private static Path defaultSignature(Path file) throws NoSuchFileException {
    for (String ext : new String[] {".sig", ".asc"}) {
      Path p = file.resolveSibling(file.getFileName() + ext);
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    throw new NoSuchFileException(file.toString(), null, "no signature found (looked for "
        + file.getFileName() + ".sig and " + file.getFileName() + ".asc; name it as SIG)");
  }

  private int report(Path what, Verdict v) {
    if (v instanceof Verdict.Verified ok) {
      spec.commandLine().getOut().println(what + ": " + ok.message());
      return 0;
    }
    spec.commandLine().getErr().println(spec.qualifiedName() + ": " + what + ": " + v.message());
    return 1;
  }

  private int verifyDigests(Trust trust) throws IOException {
    byte[] bytes = FileAccess.readAllBytes(digests);
    Trust.Clearsigned checked;
    try {
      checked = trust.verifyClearsigned(utf8(bytes));
    } catch (IllegalArgumentException e) {
      return report(digests, new Verdict.Rejected(Reason.MALFORMED_SIGNATURE, e.getMessage()));
    }
    if (report(digests, checked.verdict()) != 0) {
      return 1;
    }
    DigestsFile listing;
    try {
      listing = DigestsFile.parse(checked.text());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(digests + ": " + e.getMessage(), e);
    }
    Path folder = digests.toAbsolutePath().getParent();
    PrintWriter out = spec.commandLine().getOut();
    // Judged from the signed listing alone, before any file is read: a file no digest Cairn
    // trusts covers is not verified, whatever its bytes.
    List<String> weakNames = new ArrayList<>();
    List<String> weakLabels = new ArrayList<>();
    for (String name : listing.names()) {
      DigestsFile.Coverage c = listing.coverage(name);
      if (c instanceof DigestsFile.Coverage.None none) {
        return report(digests, new Verdict.Rejected(Reason.UNSUPPORTED_ALGORITHM, name + " is listed only under "
            + String.join(" and ", none.hashes()) + ", which Cairn does not check: not verified"));
      }
      if (c instanceof DigestsFile.Coverage.WeakOnly weak && !allowWeak) {
        weakNames.add(name);
        weakLabels.add(labels(weak.entries()));
      }
    }
    if (weakNames.size() == 1) {
      return report(digests, new Verdict.Rejected(Reason.WEAK_DIGEST, weakNames.get(0) + " is listed with "
          + weakLabels.get(0) + " only, no SHA-256 or SHA-512: not verified (--allow-weak checks it with "
          + weakLabels.get(0) + ")"));
    }
    if (!weakNames.isEmpty()) {
      List<String> each = new ArrayList<>();
      for (int i = 0; i < weakNames.size(); i++) {
        each.add(weakNames.get(i) + " (" + weakLabels.get(i) + ")");
      }
      return report(digests, new Verdict.Rejected(Reason.WEAK_DIGEST, String.join(", ", each)
          + " are listed with weak digests only, no SHA-256 or SHA-512: not verified (--allow-weak checks them with those)"));
    }
    for (String name : listing.names()) {
      Path file = folder.resolve(name);
      if (!Files.isRegularFile(file)) {
        return report(digests, new Verdict.Rejected(Reason.DIGEST_MISMATCH, name + " is listed but "
            + (Files.isDirectory(file) ? "is a directory" : Files.exists(file) ? "is not a regular file" : "missing")));
      }
      DigestsFile.Coverage c = listing.coverage(name);
      List<DigestsFile.Entry> entries = c instanceof DigestsFile.Coverage.Strong strong ? strong.entries()
          : ((DigestsFile.Coverage.WeakOnly) c).entries();
      Set<DigestsFile.Algorithm> algorithms = EnumSet.noneOf(DigestsFile.Algorithm.class);
      entries.forEach(e -> algorithms.add(e.algorithm()));
      Map<DigestsFile.Algorithm, String> actual = FileDigests.of(file, algorithms);
      for (DigestsFile.Entry e : entries) {
        if (!actual.get(e.algorithm()).equals(e.hex())) {
          return report(digests, new Verdict.Rejected(Reason.DIGEST_MISMATCH, name + ": its "
              + e.algorithm().jdkName() + " is " + actual.get(e.algorithm()) + ", the DIGESTS file says " + e.hex()));
        }
      }
      out.println(c instanceof DigestsFile.Coverage.Strong ? name + ": OK"
          : name + ": OK by " + labels(entries) + " only (weak digests, accepted by --allow-weak)");
    }
    return 0;
  }

  /** A clearsigned document is UTF-8 text; anything else is not one. */
  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not a clearsigned file: it is not UTF-8 text");
    }
  }

  /** The distinct algorithms of {@code entries}: {@code MD5 and SHA-1}. */
  private static String labels(List<DigestsFile.Entry> entries) {
    Set<DigestsFile.Algorithm> algorithms = EnumSet.noneOf(DigestsFile.Algorithm.class);
    entries.forEach(e -> algorithms.add(e.algorithm()));
    return String.join(" and ", algorithms.stream().map(DigestsFile.Algorithm::jdkName).toList());
  }
}
