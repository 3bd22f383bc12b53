package dev.cairn.cli;

import static dev.cairn.cli.CliHarness.cairn;
import static dev.cairn.cli.CliHarness.cairnOk;
import static dev.cairn.cli.GpgHome.testKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.cli.CliHarness.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every file argument of {@code cairn key generate}, {@code cairn sign}, {@code cairn sign digests}
 * and {@code cairn verify}, given a directory, a path that does not exist (for an output, one in
 * a folder that does not exist), or, where the file is read as given, a file whose read fails with
 * a real I/O error: the one stderr line names that path and says what is wrong, the exit is 1, and
 * nothing is written. {@code /proc/self/mem} is the I/O error: Linux answers a read of its first
 * page with EIO.
 */
class SigningFileArgumentsTest {
  @TempDir Path dir;

  private Path data;
  private Path sig;
  private Path digestsAsc;
  private Path pub;
  private Path secret;

  @BeforeEach
  void release() throws IOException {
    pub = Files.copy(testKey("ed25519.pub.asc"), dir.resolve("pub.asc"));
    secret = Files.copy(testKey("ed25519.sec.asc"), dir.resolve("sec.asc"));
    data = Files.writeString(dir.resolve("image.bin"), "image\n");
    cairnOk("sign", "--key", secret.toString(), data.toString());
    sig = dir.resolve("image.bin.sig");
    cairnOk("sign", "digests", "--key", secret.toString(), "--output", dir.resolve("R.DIGESTS").toString(),
        data.toString());
    digestsAsc = dir.resolve("R.DIGESTS.asc");
    Files.createDirectory(dir.resolve("a-folder"));
  }

  /** The command line of {@code row} with {@code @} as the argument under test. */
  private List<String> command(String row, String at) {
    Map<String, String> files = Map.of("DATA", data.toString(), "SIG", sig.toString(), "PUB", pub.toString(),
        "SEC", secret.toString(), "ASC", digestsAsc.toString(), "OUT", dir.resolve("out").toString(),
        "OUT2", dir.resolve("out2").toString());
    List<String> args = new ArrayList<>();
    for (String word : row.split(" ")) {
      args.add(word.equals("@") ? at : files.getOrDefault(word, word));
    }
    return args;
  }

  private static List<String> listing(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.map(Path::toString).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "verify --keyring           | read   | verify --keyring @ DATA SIG",
      "verify FILE                | read   | verify --keyring PUB @ SIG",
      "verify FILE, SIG defaulted | path   | verify --keyring PUB @",
      "verify SIG                 | read   | verify --keyring PUB DATA @",
      "verify --digests           | read   | verify --keyring PUB --digests @",
      "sign --key                 | read   | sign --key @ --output OUT DATA",
      "sign --passphrase-file     | read   | sign --key SEC --passphrase-file @ --output OUT DATA",
      "sign FILE                  | read   | sign --key SEC --output OUT @",
      "sign --output              | write  | sign --key SEC --output @ DATA",
      "sign digests FILE          | path   | sign digests --key SEC @",
      "sign digests --output      | write  | sign digests --key SEC --output @ DATA",
      "key generate --secret-out  | write  | key generate --uid T<t@example.com> --no-passphrase --secret-out @ --public-out OUT",
      "key generate --public-out  | write  | key generate --uid T<t@example.com> --no-passphrase --secret-out OUT --public-out @ --force",
      "key generate --passphrase-file | read | key generate --uid T<t@example.com> --passphrase-file @ --secret-out OUT --public-out OUT2"})
  void directoryMissingOrUnreadableArgument_isNamedInTheError_andNothingIsWritten(String argument, String kind,
      String row) throws IOException {
    String prefix = "cairn " + String.join(" ", command(row, "@").subList(0, row.startsWith("sign digests")
        || row.startsWith("key generate") ? 2 : 1)) + ": ";
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    cases.put(dir.resolve("a-folder").toString(), "is a directory");
    if (kind.equals("write")) {
      cases.put(dir.resolve("no-folder").resolve("x").toString(), "cannot write: no such directory");
    } else {
      cases.put(dir.resolve("no-such-file").toString(), "no such file");
    }
    if (kind.equals("read")) {
      cases.put("/proc/self/mem", "input/output error");
    }
    for (Map.Entry<String, String> c : cases.entrySet()) {
      List<String> before = listing(dir);
      Result r = cairn(command(row, c.getKey()).toArray(String[]::new));
      assertEquals(1, r.code(), r.describe(argument + " = " + c.getKey()));
      assertEquals(List.of(prefix + c.getKey() + ": " + c.getValue()), r.errLines(), r.describe("names the path"));
      assertEquals("", r.out(), r.describe("nothing on stdout"));
      assertEquals(before, listing(dir), "nothing written");
    }
    assertTrue(Files.isDirectory(dir.resolve("a-folder")));
  }
}
