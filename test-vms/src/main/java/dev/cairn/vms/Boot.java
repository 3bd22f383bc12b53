package dev.cairn.vms;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How one boot of a machine went.
 *
 * @param machine the machine
 * @param ending how it ended
 * @param serial everything the machine wrote on its first serial port (firmware, iPXE, kernel, {@code /init})
 * @param serialLog the file that holds {@code serial}; kept after the run
 * @param elapsed from starting qemu to its end
 */
public record Boot(Machine machine, Ending ending, String serial, Path serialLog, Duration elapsed) {
  /** The prefix of the lines the harness's {@code /init} scripts print. */
  public static final String MARKER = "CAIRN-VM: ";

  /** How a boot ended. */
  public enum Ending {
    /** The machine powered itself off (qemu exited 0 on its own). */
    POWERED_OFF,
    /** {@code /init} printed {@code CAIRN-VM: FAIL ...}; qemu was stopped if it had not ended. */
    GUEST_FAILED,
    /**
     * The firmware found nothing to boot, the kernel panicked, or Cairn's iPXE script said this
     * machine has nothing to boot or its boot failed, and would ask again: qemu was stopped.
     */
    DEAD_END,
    /** Still running at the bound: qemu was stopped. */
    TIMED_OUT,
    /** qemu exited with an error on its own (its message is in the {@code .qemu.log} next to the serial log). */
    QEMU_FAILED
  }

  /** The text after {@code CAIRN-VM: } on each marker line, in order. */
  public List<String> markers() {
    return markers(serial);
  }

  static List<String> markers(String serial) {
    List<String> out = new ArrayList<>();
    for (String line : serial.split("\r?\n|\r")) {
      int at = line.indexOf(MARKER);
      if (at >= 0) {
        out.add(line.substring(at + MARKER.length()).strip());
      }
    }
    return out;
  }

  /** The value of the first {@code KEY=value} marker, such as {@code hostname}. */
  public Optional<String> marker(String key) {
    String prefix = key + "=";
    return markers().stream().filter(m -> m.startsWith(prefix)).map(m -> m.substring(prefix.length())).findFirst();
  }

  /** Powered off after {@code /init} printed {@code CAIRN-VM: done} and no {@code FAIL}. */
  public boolean succeeded() {
    List<String> m = markers();
    return ending == Ending.POWERED_OFF && m.contains("done") && m.stream().noneMatch(x -> x.startsWith("FAIL"));
  }

  /** For a failed assertion: the ending, the time, the log file, the markers and the last lines of the log. */
  public String summary() {
    String[] lines = serial.replace("\r", "").split("\n");
    int from = Math.max(0, lines.length - 40);
    StringBuilder tail = new StringBuilder();
    for (int i = from; i < lines.length; i++) {
      tail.append("  | ").append(lines[i]).append('\n');
    }
    return machine.name() + " (" + machine.firmware() + ", " + machine.mac() + "): " + ending + " after "
        + String.format("%.1f s", elapsed.toMillis() / 1000.0) + ", serial log " + serialLog + "\n markers "
        + markers() + "\n last lines of the serial log:\n" + tail;
  }
}
