// Prefill: writes a rollout in progress into an update server's data directory, for rollout.sh.
//
// Usage (with the server stopped; the group must exist, its channel serving a package):
//   java -cp cli/target/cairn.jar omaha-update-server/bench/Prefill.java DATA_DIR GRANTS [FAILURES] [GROUP] [SPREAD_MINUTES] [EARLIER]
//
// GRANTS machines of GROUP (default "bench", of the CoreOS app) are saved as granted the group's
// target version, their grant times spread evenly over the last SPREAD_MINUTES (default 50) up to
// now: a third still GRANTED on the old version, the rest COMPLETE on the target. FAILURES of them
// (default 0) then report a failed update of the target that counts toward the failure brake, and
// are left in ERROR. Machine ids are "b" and 31 digits: rollout-check.lua's start with "a".
// EARLIER (default 0) more machines of the group were granted the old version three days ago and
// run it (ids "c" and 31 digits): the same table, fewer grants in the period.
//
// Everything goes through the store's port (Store.Tx.saveInstance, appendEvent) in transactions
// of 50,000 machines, never SQL, so whatever the store keeps beside the rows is kept as a real
// check would keep it.
import dev.cairn.omaha.Model;
import dev.cairn.omaha.Model.InstanceStatus;
import dev.cairn.omaha.Store;
import dev.cairn.omaha.Version;
import dev.cairn.omaha.db.SqlStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

public class Prefill {
  static final int BATCH = 50_000;
  static final String OLD_VERSION = "3510.2.1";

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: Prefill DATA_DIR GRANTS [FAILURES] [GROUP] [SPREAD_MINUTES]");
      System.exit(2);
    }
    Path dataDir = Path.of(args[0]);
    int grants = Integer.parseInt(args[1]);
    int failures = args.length > 2 ? Integer.parseInt(args[2]) : 0;
    String group = args.length > 3 ? args[3] : "bench";
    Duration spread = Duration.ofMinutes(args.length > 4 ? Long.parseLong(args[4]) : 50);
    int earlier = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    if (grants < 0 || failures < 0 || failures > grants) {
      throw new IllegalArgumentException("need 0 <= FAILURES <= GRANTS, got " + failures + " and " + grants);
    }
    if (!Files.isRegularFile(dataDir.resolve("cairn.db"))) {
      throw new IllegalArgumentException("no cairn.db in " + dataDir + " (start cairn serve on it once first)");
    }
    String app = Model.COREOS_APP_ID;
    long started = System.nanoTime();
    try (SqlStore store = SqlStore.open(dataDir.resolve("cairn.db"))) {
      Store.GroupRecord g = store.transaction(tx -> tx.group(app, group)).orElseThrow(
          () -> new IllegalArgumentException("no group '" + group + "' in " + dataDir));
      Version target = g.targetVersion().orElseThrow(
          () -> new IllegalArgumentException("group '" + group + "' has no target version (its channel serves nothing)"));
      Instant now = Instant.now();
      Instant from = now.minus(spread);
      long stepNanos = grants == 0 ? 0 : spread.toNanos() / grants;
      for (int start = 0; start < grants; start += BATCH) {
        int first = start;
        int last = Math.min(grants, start + BATCH);
        store.transaction(tx -> {
          for (int i = first; i < last; i++) {
            Instant grantedAt = from.plusNanos(stepNanos * (i + 1L));
            boolean failed = i < failures;
            boolean done = !failed && i % 3 != 0;
            InstanceStatus status = failed ? InstanceStatus.ERROR : done ? InstanceStatus.COMPLETE : InstanceStatus.GRANTED;
            String id = machineId(i);
            String boot = String.format("{%08x-0000-4000-8000-000000000000}", i);
            tx.saveInstance(new Store.InstanceRecord(app, id, group, done ? target.toString() : OLD_VERSION, boot,
                "qemu", "0.0.1", "3374.2.0", "", "10.0." + (i >> 8 & 255) + "." + (i & 255), status,
                Optional.of(target), Optional.of(grantedAt), Optional.of(grantedAt), "", failed ? 2 : 0, 0, List.of(),
                boot, false));
            if (failed) {
              tx.appendEvent(new Store.EventRecord(app, id, grantedAt, 3, 0, 2, 0, OLD_VERSION, target.toString(),
                  true));
            }
          }
          return null;
        });
      }
      Instant long_ago = now.minus(Duration.ofDays(3));
      for (int start = 0; start < earlier; start += BATCH) {
        int first = start;
        int last = Math.min(earlier, start + BATCH);
        store.transaction(tx -> {
          for (int i = first; i < last; i++) {
            String id = String.format("c%031d", i);
            String boot = String.format("{%08x-0000-4000-8000-000000000001}", i);
            Instant at = long_ago.plusMillis(i);
            tx.saveInstance(new Store.InstanceRecord(app, id, group, OLD_VERSION, boot, "qemu", "0.0.1", "3374.2.0", "",
                "10.1." + (i >> 8 & 255) + "." + (i & 255), InstanceStatus.COMPLETE, Optional.of(Version.parse(OLD_VERSION)),
                Optional.of(at), Optional.of(at), "", 0, 0, List.of(), boot, false));
          }
          return null;
        });
      }
      System.out.printf("prefill: %d machines of group %s granted %s between %s and %s, %d counted failures,"
          + " %d more granted %s three days ago, in %.1f s%n", grants, group, target, from, now, failures, earlier,
          OLD_VERSION, (System.nanoTime() - started) / 1e9);
    }
  }

  static String machineId(int i) {
    return String.format("b%031d", i);
  }
}
