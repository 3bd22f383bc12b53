package dev.cairn.omaha;

import dev.cairn.omaha.Model.InstanceStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a group's rollout stands, from the count of its machines per (version, status), as a
 * store reads them with one group-by query.
 *
 * @param versions machines per reported version, oldest version first (versions that do not parse last)
 * @param states machines per status, every status present
 * @param waiting machines running a version below the target with no update in flight: held, not
 *     yet asked, failed or timed out; 0 when there is no target
 */
public record Rollout(Optional<Version> target, long machines, Map<String, Long> versions,
    Map<InstanceStatus, Long> states, long waiting) {

  /** How many of the group's machines report {@code version} and are in {@code status}. */
  public record Count(String version, InstanceStatus status, long machines) {}

  public static Rollout of(Optional<Version> target, List<Count> counts) {
    Map<InstanceStatus, Long> states = new EnumMap<>(InstanceStatus.class);
    for (InstanceStatus s : InstanceStatus.values()) {
      states.put(s, 0L);
    }
    Map<String, Long> byVersion = new java.util.HashMap<>();
    long machines = 0;
    long waiting = 0;
    for (Count c : counts) {
      machines += c.machines();
      states.merge(c.status(), c.machines(), Long::sum);
      byVersion.merge(c.version(), c.machines(), Long::sum);
      Version v = Version.tryParse(c.version());
      if (target.isPresent() && v != null && v.compareTo(target.get()) < 0 && !c.status().inFlight()) {
        waiting += c.machines();
      }
    }
    List<String> order = new ArrayList<>(byVersion.keySet());
    order.sort(Comparator.comparing((String s) -> Version.tryParse(s),
        Comparator.nullsLast(Comparator.naturalOrder())).thenComparing(Comparator.naturalOrder()));
    Map<String, Long> versions = new LinkedHashMap<>();
    order.forEach(v -> versions.put(v, byVersion.get(v)));
    return new Rollout(target, machines, java.util.Collections.unmodifiableMap(versions), states, waiting);
  }
}
