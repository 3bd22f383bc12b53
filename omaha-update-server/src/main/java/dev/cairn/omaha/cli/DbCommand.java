package dev.cairn.omaha.cli;

import dev.cairn.omaha.db.DatabaseCopy;
import dev.cairn.omaha.db.PostgresDatabase;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cairn db}: the update server's database itself, as opposed to what is in it. */
@Command(name = "db", mixinStandardHelpOptions = true,
    description = "The update server's database: move it from SQLite to PostgreSQL.",
    subcommands = {DbCommand.Migrate.class})
public final class DbCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  private final Map<String, String> env;

  public DbCommand() {
    this(System.getenv());
  }

  /** With {@code env} in place of the process environment. */
  public DbCommand(Map<String, String> env) {
    this.env = Map.copyOf(env);
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 2;
  }

  @Command(name = "migrate", mixinStandardHelpOptions = true,
      description = {"Copy the SQLite database into a new, empty PostgreSQL database, in one transaction,",
          "and check the copy (row counts and sampled rows) before committing it. Stop cairn serve first:",
          "the copy is the file as it was when the copy started. A target holding any row is refused (exit 2)",
          "and left as it was."})
  static final class Migrate implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--from", paramLabel = "FILE", defaultValue = "cairn-data/cairn.db",
        description = "The SQLite database cairn serve used (default: ${DEFAULT-VALUE}); it must exist.")
    Path from;

    @Option(names = "--to", paramLabel = "URL", required = true,
        description = "The new, empty PostgreSQL database: postgresql://[user@]host[:port]/database.")
    String to;

    @Option(names = "--to-password-file", paramLabel = "FILE",
        description = "File whose first line is PostgreSQL's password (else CAIRN_DATABASE_PASSWORD, else the file"
            + " CAIRN_DATABASE_PASSWORD_FILE names).")
    Path passwordFile;

    @Override
    public Integer call() throws IOException {
      if (!PostgresDatabase.isUrl(to)) {
        throw new IllegalArgumentException("--to must be a postgresql://[user@]host[:port]/database URL, got '"
            + to + "'");
      }
      PostgresDatabase.parse(to, null);   // a bad URL is refused before any password is read
      Map<String, String> env = ((DbCommand) spec.parent().userObject()).env;
      PostgresDatabase target = PostgresDatabase.parse(to,
          ServerConfig.databasePassword(passwordFile == null ? null : passwordFile.toString(), env, null));
      PrintWriter out = spec.commandLine().getOut();
      DatabaseCopy.Result result = DatabaseCopy.copy(from, target, line -> {
        out.println(line);
        out.flush();
      });
      int w = Math.max("total".length(), result.tables().stream().mapToInt(t -> t.name().length()).max().orElse(0));
      for (DatabaseCopy.Table t : result.tables()) {
        out.println(String.format("%-" + w + "s  %9d rows", t.name(), t.rows()));
      }
      out.println(String.format("%-" + w + "s  %9d rows", "total", result.rows()));
      out.println("verified: counts and " + result.sampled() + " sampled rows agree");
      return 0;
    }
  }
}
