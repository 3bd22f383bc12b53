package dev.cairn.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run behind the launcher's class-data-sharing archive: runs the commands that must
 * start fast (disk commands in the boot path, signing and verifying) once on scratch files in
 * {@code DIR}, so the JVM can archive the classes they load. Not a user command.
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Path disk = dir.resolve("disk.img");
    Path data = dir.resolve("data.bin");
    Files.write(data, new byte[1 << 16]);
    Path config = dir.resolve("config.yaml");
    Files.writeString(config, "#cloud-config\nhostname: training\ncoreos:\n  update:\n    reboot-strategy: off\n"
        + "  units:\n    - name: a.service\n      command: start\n      content: |\n        [Unit]\n        Description=a\n");
    String d = disk.toString();
    String[][] runs = {
      {"gpt", "create", "--size", "8M", d},
      {"gpt", "add", "-t", "coreos-usr", "-s", "1M", "-l", "USR-A", "-P", "1", "-S", "1", d},
      {"gpt", "show", d},
      {"gpt", "next", d},
      {"key", "generate", "--uid", "Training <training@localhost>", "--no-passphrase",
          "--secret-out", dir.resolve("sec.asc").toString(), "--public-out", dir.resolve("pub.asc").toString()},
      {"sign", "--key", dir.resolve("sec.asc").toString(), data.toString()},
      {"verify", "--keyring", dir.resolve("pub.asc").toString(), data.toString()},
      {"cloud-config", "validate", config.toString()},
    };
    StringWriter sink = new StringWriter();
    for (String[] run : runs) {
      int code = Cairn.run(run, new PrintWriter(sink), new PrintWriter(sink));
      if (code != 0) {
        System.err.println("training run failed: " + String.join(" ", run) + "\n" + sink);
        System.exit(1);
      }
    }
  }
}
