package dev.cairn.cli;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Which packages each Cairn package refers to, read from the constant pools of the compiled
 * classes: class references, and type descriptors in signatures and annotations.
 */
final class PackageGraph {
  private static final Pattern DESCRIPTOR = Pattern.compile("L([A-Za-z_$][\\w$]*(?:/[\\w$]+)+)[;<]");

  final Map<String, Set<String>> edges = new TreeMap<>();

  /** Reads every class of the {@code dev.cairn} packages on the test class path. */
  static PackageGraph ofClassPath() throws IOException {
    PackageGraph g = new PackageGraph();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      Path p = Path.of(entry);
      if (Files.isDirectory(p) && !p.toString().contains("test-classes")) {
        try (Stream<Path> files = Files.walk(p)) {
          for (Path f : (Iterable<Path>) files.filter(x -> x.toString().endsWith(".class"))::iterator) {
            try (InputStream in = Files.newInputStream(f)) {
              g.add(in);
            }
          }
        }
      } else if (p.getFileName().toString().startsWith("cairn-") && p.toString().endsWith(".jar")
          && !p.toString().endsWith("-tests.jar")) {     // other modules' test jars are tests, not code
        try (ZipFile zip = new ZipFile(p.toFile())) {
          for (ZipEntry e : java.util.Collections.list(zip.entries())) {
            if (e.getName().endsWith(".class")) {
              try (InputStream in = zip.getInputStream(e)) {
                g.add(in);
              }
            }
          }
        }
      }
    }
    return g;
  }

  private void add(InputStream raw) throws IOException {
    DataInputStream in = new DataInputStream(raw);
    if (in.readInt() != 0xCAFEBABE) {
      return;
    }
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    int[] classNames = new int[count];
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = in.readUTF();
        case 7 -> classNames[i] = in.readUnsignedShort();
        case 8, 16, 19, 20 -> in.readUnsignedShort();
        case 3, 4, 9, 10, 11, 12, 17, 18 -> in.readInt();
        case 5, 6 -> {
          in.readLong();
          i++;
        }
        case 15 -> {
          in.readUnsignedByte();
          in.readUnsignedShort();
        }
        default -> throw new IOException("unknown constant pool tag " + tag);
      }
    }
    in.readUnsignedShort();
    String self = utf8[classNames[in.readUnsignedShort()]];
    String from = packageOf(self);
    if (!from.startsWith("dev.cairn")) {
      return;
    }
    Set<String> to = edges.computeIfAbsent(from, k -> new TreeSet<>());
    for (int i = 1; i < count; i++) {
      if (classNames[i] != 0) {
        String name = utf8[classNames[i]];
        if (name.startsWith("[")) {
          descriptors(name, to);
        } else {
          to.add(packageOf(name));
        }
      } else if (utf8[i] != null) {
        descriptors(utf8[i], to);
      }
    }
    to.remove(from);
  }

  private static void descriptors(String s, Set<String> to) {
    Matcher m = DESCRIPTOR.matcher(s);
    while (m.find()) {
      to.add(packageOf(m.group(1)));
    }
  }

  private static String packageOf(String internalName) {
    int slash = internalName.lastIndexOf('/');
    return slash < 0 ? "" : internalName.substring(0, slash).replace('/', '.');
  }
}
