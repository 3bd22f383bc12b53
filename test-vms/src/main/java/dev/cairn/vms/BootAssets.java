package dev.cairn.vms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The two files a boot server hands out for a network boot, written into one folder under the
 * names the boot scripts use: {@code vmlinuz} (the kernel) and {@code initrd.img} (the initramfs).
 * A boot server serves the folder as {@code /assets/}.
 *
 * @param dir the folder
 * @param vmlinuz {@code dir/vmlinuz}
 * @param initrd {@code dir/initrd.img}
 */
public record BootAssets(Path dir, Path vmlinuz, Path initrd) {
  /** Copies the kernel and writes the initramfs into {@code dir}, creating it if needed. */
  public static BootAssets write(Path dir, Kernel kernel, Initramfs initramfs) throws IOException {
    Files.createDirectories(dir);
    Path vmlinuz = dir.resolve("vmlinuz");
    Path initrd = dir.resolve("initrd.img");
    Files.copy(kernel.vmlinuz(), vmlinuz, StandardCopyOption.REPLACE_EXISTING);
    initramfs.write(initrd);
    return new BootAssets(dir, vmlinuz, initrd);
  }
}
