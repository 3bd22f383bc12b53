package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding the cached kernel and the modules a driver needs, in the cache {@code ./test.sh} fills and in made-up trees. */
class KernelTest {
  @TempDir
  Path tmp;

  @Test
  void emptyCache_failsNamingTheFolderAndTheFix() {
    IOException e = assertThrows(IOException.class, () -> Kernel.at(tmp));
    assertTrue(e.getMessage().startsWith(tmp + ": no kernel"), e.getMessage());
    assertTrue(e.getMessage().contains("run ./test.sh"), e.getMessage());
    assertTrue(e.getMessage().contains(Kernel.CACHE_ENV), e.getMessage());
  }

  @Test
  void cachedDebianKernel_hasTheNicDriver_withNoDependencies() throws IOException {
    Kernel k = Kernel.fromCache();
    assertTrue(k.packageName().startsWith("linux-image-"), k.packageName());
    List<Path> e1000 = k.moduleWithDependencies(Initramfs.NIC_MODULE);
    assertEquals(1, e1000.size(), e1000.toString());
    assertEquals("e1000.ko", Kernel.ModuleFile.plainName(e1000.get(0)));
  }

  @Test
  void cachedDebianKernel_virtioNet_comesAfterTheFailoverModulesItNeeds() throws IOException {
    List<String> names = Kernel.fromCache().moduleWithDependencies("virtio-net").stream()
        .map(Kernel.ModuleFile::plainName).toList();
    assertEquals("virtio_net.ko", names.get(names.size() - 1), names.toString());
    assertTrue(names.indexOf("failover.ko") >= 0 && names.indexOf("failover.ko") < names.indexOf("net_failover.ko"),
        names.toString());
  }

  @Test
  void dependencies_loadFirst_eachOnce_acrossHyphensAndUnderscores_andACycle() throws IOException {
    Path tree = fakeTree();
    module(tree, "top", "mid_one,base");
    module(tree, "mid-one", "base,loop_a");
    module(tree, "base", "");
    module(tree, "loop_a", "loop_b");
    module(tree, "loop_b", "loop_a");
    List<String> names = Kernel.at(tmp).moduleWithDependencies("top").stream()
        .map(p -> p.getFileName().toString()).toList();
    assertEquals(List.of("base.ko", "loop_b.ko", "loop_a.ko", "mid-one.ko", "top.ko"), names);
  }

  @Test
  void missingDependency_isBadInput_namingWhoNeedsIt() throws IOException {
    Path tree = fakeTree();
    module(tree, "top", "mid");
    module(tree, "mid", "gone");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Kernel.at(tmp).moduleWithDependencies("top"));
    assertEquals("kernel module gone not found under " + tmp.resolve("modules") + " (needed by mid <- top)", e.getMessage());
  }

  private Path fakeTree() throws IOException {
    Files.writeString(tmp.resolve("vmlinuz"), "not a kernel");
    return Files.createDirectories(tmp.resolve("modules/kernel/drivers"));
  }

  /** A stand-in module file: only the {@code .modinfo} strings the resolver reads. */
  static void module(Path tree, String name, String depends) throws IOException {
    Files.write(tree.resolve(name + ".ko"),
        ("\u007fELF\0license=GPL\0depends=" + depends + "\0name=" + name + "\0").getBytes(StandardCharsets.US_ASCII));
  }
}
