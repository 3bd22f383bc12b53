package dev.cairn.vms;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Boots machines from the network in qemu under software emulation (TCG: no KVM, {@code /dev/kvm}
 * is never opened), one at a time per call, and waits for each to power off; or, with
 * {@link #bootFromDisk}, from a disk image and no NIC.
 *
 * <p>A machine is a q35 PC with no default devices: one CPU, an e1000 NIC with the machine's MAC
 * and Debian's iPXE option ROM for its firmware, the machine's SMBIOS UUID, no disk, and its first
 * serial port written to {@code NAME.serial.log}. The NIC is on qemu's user network with
 * {@code restrict=on}: DHCP names {@link BootServer#bootfileUrl()} as the boot file, and the one
 * address the machine can reach is {@code 10.0.2.2:PORT}, relayed to {@code 127.0.0.1:PORT} on the
 * host by {@code busybox nc} (one relay per connection). Traffic never leaves the host's loopback.
 *
 * <p>A boot ends when qemu exits (the guest powered off), when the log shows a dead end (the
 * firmware found nothing to boot, a kernel panic, {@code CAIRN-VM: FAIL}, Cairn's iPXE scripts
 * about to wait and ask again), or at the bound.
 */
public final class Qemu {
  /** Where Debian's {@code ipxe-qemu} puts the option ROMs. */
  public static final Path IPXE_ROMS = Path.of("/usr/lib/ipxe/qemu");
  /** Where Debian's {@code ovmf} puts the UEFI firmware. */
  public static final Path OVMF = Path.of("/usr/share/OVMF");
  /**
   * With {@code -Dcairn.vm.console=true} every machine's serial console is copied to standard
   * output as it is written (firmware, iPXE, GRUB, kernel and {@code /init}), to watch a flow run.
   */
  public static final String CONSOLE_PROPERTY = "cairn.vm.console";
  /** A generous bound for one network boot under TCG; a boot takes about 15-20 s on an idle 2-core machine. */
  public static final Duration DEFAULT_BOUND = Duration.ofMinutes(3);

  /**
   * Log lines after which nothing more will happen in the machine, or nothing but the same again:
   * Cairn's iPXE scripts print their last line before they wait and ask again (every 10 s, for
   * as long as the machine runs), which a real machine should do and a test need not wait for.
   * Each is shorter than the 80 columns at which SeaBIOS wraps iPXE's screen.
   */
  static final List<String> DEAD_ENDS = List.of(
      "No bootable device",                        // SeaBIOS, every boot entry failed
      "No bootable option or device was found",    // OVMF's boot manager
      "Kernel panic - not syncing",
      "Cairn: could not boot from ",               // /boot.ipxe: /ipxe, or what it loads, failed
      "Cairn: asking again in ",                   // /ipxe: nothing to boot for this machine
      "grub rescue>",                              // GRUB found neither its modules nor its config
      "Press any key to continue...");             // GRUB, after a failed command of a menu entry

  private final Path qemu;
  private final Path busybox;

  private Qemu(Path qemu, Path busybox) {
    this.qemu = qemu;
    this.busybox = busybox;
  }

  /**
   * Finds qemu, the iPXE ROMs and busybox (the relay); OVMF is looked for by the first UEFI boot.
   *
   * @throws IOException naming what is missing and the Debian package that has it
   */
  public static Qemu locate() throws IOException {
    Path qemu = onPath("qemu-system-x86_64", "qemu-system-x86");
    Path busybox = onPath("busybox", "busybox-static");
    for (Firmware f : Firmware.values()) {
      need(IPXE_ROMS.resolve(f.rom()), "ipxe-qemu");
    }
    return new Qemu(qemu, busybox);
  }

  /** The UEFI firmware code and the pristine variable store: the 4 MiB build, else the 2 MiB one. */
  static Path[] ovmf() throws IOException {
    for (String suffix : List.of("_4M.fd", ".fd")) {
      Path code = OVMF.resolve("OVMF_CODE" + suffix);
      Path vars = OVMF.resolve("OVMF_VARS" + suffix);
      if (Files.isRegularFile(code) && Files.isRegularFile(vars)) {
        return new Path[] {code, vars};
      }
    }
    throw new IOException(OVMF + ": no OVMF_CODE_4M.fd and OVMF_VARS_4M.fd (Debian package ovmf; ./test.sh installs it)");
  }

  /**
   * Boots {@code machine} from {@code server} and waits for it to end, at most {@code bound}.
   * Writes {@code NAME.serial.log} and {@code NAME.qemu.log} (qemu's own messages) into
   * {@code logDir}, replacing those of an earlier boot, and keeps them.
   */
  public Boot boot(Machine machine, BootServer server, Path logDir, Duration bound)
      throws IOException, InterruptedException {
    return run(machine, machine.name(), true, logDir, bound,
        (serialLog, vars) -> command(machine, server, serialLog, vars, true, 1));
  }

  /**
   * Boots {@code machine} from {@code disk} (a raw disk image, its only drive, on virtio-blk) and
   * waits for it to end, at most {@code bound}: no NIC, no network boot. The disk is opened with
   * {@code snapshot=on}, so the machine's writes go to a temporary file and the image stays as it
   * was; the same image can be booted again. Logs as for {@link #boot}.
   */
  public Boot bootFromDisk(Machine machine, Path disk, Path logDir, Duration bound)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(disk)) {
      throw new IOException(disk + ": no disk image here");
    }
    return run(machine, machine.name(), true, logDir, bound,
        (serialLog, vars) -> diskCommand(machine, disk, true, serialLog, vars));
  }

  /**
   * Powers {@code machine} on as a whole computer and waits until it powers itself off, at most
   * {@code bound}: its NIC on the user network to {@code server} (null: no NIC) and {@code disk},
   * kept as written across boots (no snapshot: what the machine writes stays, as on a real disk).
   * With {@code networkFirst} the NIC comes first in the boot order (a PXE-first machine), else the
   * disk does and the NIC is there for the running OS (and for the firmware only when the disk
   * does not boot). The guest may reboot any number
   * of times within one power-on (qemu restarts the firmware), so a machine that installs and
   * reboots, or updates and reboots, does so on its own. A UEFI machine's variable store is kept
   * beside the logs across power-ons, as a real machine's NVRAM. The serial log is
   * {@code NAME-RUN.serial.log} in {@code logDir}, covering every boot of this power-on.
   */
  public Boot powerOn(Machine machine, BootServer server, Path disk, boolean networkFirst, String run, Path logDir,
      Duration bound) throws IOException, InterruptedException {
    if (disk != null && !Files.isRegularFile(disk)) {
      throw new IOException(disk + ": no disk image here");
    }
    return run(machine, machine.name() + "-" + run, false, logDir, bound, (serialLog, vars) -> {
      List<String> c = server != null ? command(machine, server, serialLog, vars, false, networkFirst ? 1 : 2)
          : common(machine, "c", serialLog, false);
      if (disk != null) {
        c.addAll(List.of(
            "-drive", "if=none,id=disk0,format=raw,cache=unsafe,file=" + opt(disk.toAbsolutePath().toString()),
            "-device", "virtio-blk-pci,drive=disk0,bootindex=" + (server != null && networkFirst ? 2 : 1)));
      }
      if (server == null) {
        c.addAll(firmware(machine, vars));
      }
      return c;
    });
  }

  /** The qemu command line for one boot, given its serial log and (UEFI only) its variable store. */
  private interface CommandLine {
    List<String> of(Path serialLog, Path vars) throws IOException;
  }

  private Boot run(Machine machine, String logName, boolean freshVars, Path logDir, Duration bound,
      CommandLine commandLine) throws IOException, InterruptedException {
    Files.createDirectories(logDir);
    Path serialLog = logDir.resolve(logName + ".serial.log");
    Path qemuLog = logDir.resolve(logName + ".qemu.log");
    Files.deleteIfExists(serialLog);
    Path vars = null;
    if (machine.firmware() == Firmware.UEFI) {
      vars = logDir.resolve(machine.name() + ".OVMF_VARS.fd");
      if (freshVars || !Files.exists(vars)) {
        Files.copy(ovmf()[1], vars, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    List<String> command = commandLine.of(serialLog, vars);
    Files.writeString(qemuLog, String.join(" ", command) + "\n", StandardCharsets.UTF_8);
    long start = System.nanoTime();
    Process p = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(qemuLog.toFile()))
        .start();
    // If the JVM ends mid-boot (a killed build), take the machine with it.
    Thread reaper = new Thread(p::destroyForcibly, "qemu-" + machine.name() + "-reaper");
    Runtime.getRuntime().addShutdownHook(reaper);
    Boot.Ending ending = null;
    try {
      long seen = -1;
      long shown = 0;
      boolean console = Boolean.getBoolean(CONSOLE_PROPERTY);
      while (!p.waitFor(250, TimeUnit.MILLISECONDS)) {
        long size = Files.exists(serialLog) ? Files.size(serialLog) : 0;
        if (size != seen) {
          seen = size;
          String serial = read(serialLog);
          ending = endingSoFar(serial);
          if (console && serial.length() > shown) {
            System.out.print(serial.substring((int) shown));
            System.out.flush();
            shown = serial.length();
          }
        }
        if (ending == null && System.nanoTime() - start > bound.toNanos()) {
          ending = Boot.Ending.TIMED_OUT;
        }
        if (ending != null) {
          // A failing /init powers off by itself: give it a moment before stopping qemu.
          if (ending != Boot.Ending.GUEST_FAILED || !p.waitFor(5, TimeUnit.SECONDS)) {
            stop(p);
          }
          break;
        }
      }
    } finally {
      if (p.isAlive()) {
        stop(p);
      }
      try {
        Runtime.getRuntime().removeShutdownHook(reaper);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    String serial = read(serialLog);
    if (ending == null) {
      if (serial.contains(Boot.MARKER + "FAIL")) {
        ending = Boot.Ending.GUEST_FAILED;
      } else {
        ending = p.exitValue() == 0 ? Boot.Ending.POWERED_OFF : Boot.Ending.QEMU_FAILED;
      }
    }
    return new Boot(machine, ending, serial, serialLog, elapsed);
  }

  /**
   * How a boot whose serial log so far is {@code serial} has ended, or null while it may go on:
   * {@code GUEST_FAILED} once {@code /init} reported a failure, {@code DEAD_END} once the log
   * shows one of {@link #DEAD_ENDS}.
   */
  static Boot.Ending endingSoFar(String serial) {
    if (serial.contains(Boot.MARKER + "FAIL")) {
      return Boot.Ending.GUEST_FAILED;
    }
    return DEAD_ENDS.stream().anyMatch(serial::contains) ? Boot.Ending.DEAD_END : null;
  }

  /** The qemu command line for one boot; {@code vars} is the machine's OVMF variable store (UEFI only). */
  List<String> command(Machine machine, BootServer server, Path serialLog, Path vars, boolean noReboot,
      int bootIndex) throws IOException {
    int port = server.hostPort();
    List<String> c = common(machine, "n", serialLog, noReboot);
    c.addAll(List.of(
        // The host's own slirp address moves to 10.0.2.3 so that 10.0.2.2 can be the forwarded
        // server, and restrict=on drops everything else the machine sends.
        "-netdev", "user,id=n0,restrict=on,net=10.0.2.0/24,host=10.0.2.3,dns=10.0.2.4,dhcpstart=10.0.2.15"
            + ",bootfile=" + opt(server.bootfileUrl())
            + ",guestfwd=tcp:" + BootServer.GUEST_ADDRESS + ":" + port
            + "-cmd:" + opt(busybox + " nc 127.0.0.1 " + port),
        // A machine that boots its disk first has no use for the NIC's boot ROM (and SeaBIOS would
        // spend seconds starting it on every boot).
        "-device", "e1000,netdev=n0,bootindex=" + bootIndex + ",mac=" + machine.mac()
            + ",romfile=" + (bootIndex == 1 ? opt(IPXE_ROMS.resolve(machine.firmware().rom()).toString()) : "")));
    c.addAll(firmware(machine, vars));
    return c;
  }

  /** The qemu command line for a boot from {@code disk}: no NIC, the disk on virtio-blk, first in the boot order. */
  List<String> diskCommand(Machine machine, Path disk, boolean snapshot, Path serialLog, Path vars) throws IOException {
    List<String> c = common(machine, "c", serialLog, true);
    c.addAll(List.of(
        "-drive", "if=none,id=disk0,format=raw" + (snapshot ? ",snapshot=on" : "") + ",file="
            + opt(disk.toAbsolutePath().toString()),
        "-device", "virtio-blk-pci,drive=disk0,bootindex=1"));
    c.addAll(firmware(machine, vars));
    return c;
  }

  private List<String> common(Machine machine, String bootOrder, Path serialLog, boolean noReboot) {
    List<String> c = new ArrayList<>(List.of(
        qemu.toString(),
        "-name", machine.name(),
        "-accel", "tcg",
        "-machine", "q35,graphics=off",   // no graphics: SeaBIOS echoes iPXE's screen on the serial port
        "-nodefaults",
        "-display", "none",
        "-m", Integer.toString(machine.memoryMib()),
        "-smp", "1",
        "-cpu", System.getProperty("cairn.vm.cpu", "qemu64"),
        "-boot", bootOrder,
        "-chardev", "file,id=serial0,path=" + opt(serialLog.toAbsolutePath().toString()),
        "-serial", "chardev:serial0",
        "-monitor", "none",
        "-smbios", "type=1,uuid=" + machine.uuidText()));
    if (noReboot) {
      c.add("-no-reboot");    // a guest's reboot ends the run: one boot per run
    }
    return c;
  }

  /** For UEFI: OVMF's code, read-only, and the machine's copy of the variable store. */
  private static List<String> firmware(Machine machine, Path vars) throws IOException {
    if (machine.firmware() != Firmware.UEFI) {
      return List.of();
    }
    return List.of(
        "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=" + opt(ovmf()[0].toString()),
        "-drive", "if=pflash,format=raw,unit=1,file=" + opt(vars.toAbsolutePath().toString()),
        // The network is IPv4 only: without this, a machine whose iPXE exits to the firmware (an
        // installed machine) waits out OVMF's own IPv6 PXE and HTTP boot attempts before its disk.
        "-fw_cfg", "name=opt/org.tianocore/IPv6Support,string=no");
  }

  /** A value inside a qemu option list: commas are doubled. */
  private static String opt(String value) {
    return value.replace(",", ",,");
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static String read(Path serialLog) throws IOException {
    if (!Files.exists(serialLog)) {
      return "";
    }
    return new String(Files.readAllBytes(serialLog), StandardCharsets.ISO_8859_1);
  }

  /** The program on {@code PATH}, else in the sbin and bin folders; else an IOException naming its Debian package. */
  static Path onPath(String program, String debianPackage) throws IOException {
    String path = System.getenv("PATH");
    List<String> dirs = new ArrayList<>(List.of((path == null ? "" : path).split(":")));
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    for (String d : dirs) {
      if (!d.isEmpty()) {
        Path p = Path.of(d, program);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IOException(program + " not found on PATH (Debian package " + debianPackage + "; ./test.sh installs it)");
  }

  private static void need(Path file, String debianPackage) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException(file + ": missing (Debian package " + debianPackage + "; ./test.sh installs it)");
    }
  }
}
