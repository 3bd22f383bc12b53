package dev.cairn.vms;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cairn.vms.ReleaseImage.Distro;
import dev.cairn.vms.ReleaseImage.Image;
import dev.cairn.vms.ReleaseImage.Partition;
import dev.cairn.vms.ReleaseImage.Release;
import dev.cairn.vms.ReleaseImage.Sizes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release images {@link ReleaseImage} builds, checked by the tools that know the formats:
 * sgdisk and cgpt for the partition table, e2fsck, debugfs and blkid for the ext4 filesystems,
 * mtools and blkid for the FAT, bzip2 for the compressed image, gpg for the signatures, and a real
 * {@code cairn serve} for publishing. One image of 1.0.0, built once for the class, is only read
 * by the tests; a test that needs another builds its own.
 */
class ReleaseImageTest {
  static final long MIB = 1L << 20;

  @TempDir
  static Path shared;
  @TempDir
  Path tmp;

  static Image image;
  static Release release;
  static ReleaseKey key;

  @BeforeAll
  static void build() throws IOException {
    image = ReleaseImage.of("1.0.0").build(shared.resolve("1.0.0"));
    key = ReleaseKey.generate(shared.resolve("key"));
    release = image.release(key);
  }

  @AfterAll
  static void closeKey() throws IOException {
    if (key != null) {
      key.close();
    }
  }

  // ---- the partition table

  @Test
  void defaultImage_is64MiB_coreosNumbersLabelsAndTypes_fromSector4096_withoutGaps_andSgdiskFindsNoProblems()
      throws Exception {
    assertEquals(64 * MIB, Files.size(image.file()));
    assertEquals("coreos_production_image.bin", image.file().getFileName().toString());
    Peer.Result verify = Peer.run("sgdisk", "-v", image.file().toString()).ok();
    assertTrue(verify.out().contains("No problems found."), verify::describe);

    // Number  Start (sector)    End (sector)  Size       Code  Name
    //    1            4096           20479   8.0 MiB     EF00  EFI-SYSTEM
    Peer.Result print = Peer.run("sgdisk", "-p", image.file().toString()).ok();
    Matcher row = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+\\S+ \\S+\\s+(\\S{4})\\s+(\\S+)$").matcher(print.out());
    List<String> rows = new ArrayList<>();
    while (row.find()) {
      rows.add(String.join(" ", row.group(1), row.group(2), row.group(3), row.group(4), row.group(5)));
    }
    assertEquals(List.of(
        "1 4096 20479 EF00 EFI-SYSTEM",
        "2 20480 22527 EF02 BIOS-BOOT",
        "3 22528 55295 8500 USR-A",
        "4 55296 88063 8500 USR-B",
        "6 88064 96255 8300 OEM",
        "7 96256 98303 8502 OEM-CONFIG",
        "9 98304 129023 8501 ROOT"), rows, print::describe);
    List<String> facts = image.partitions().stream()
        .map(p -> p.number() + " " + p.firstLba() + " " + p.lastLba() + " " + p.label()).toList();
    assertEquals(rows.stream().map(r -> r.replaceAll(" [0-9A-F]{4} (?=\\S+$)", " ")).toList(), facts);
    // ROOT ends before the backup GPT's 33 sectors (131039-131071)
    assertTrue(print.out().contains("last usable sector is 131038"), print::describe);
    assertTrue(image.partition("ROOT").lastLba() < 131039);
  }

  @Test
  void typeGuids_andTheFixedUsrGuids_asSgdiskReadsThem() throws Exception {
    Map<Integer, String> types = Map.of(1, ReleaseImage.TYPE_EFI, 2, ReleaseImage.TYPE_BIOS_BOOT,
        3, ReleaseImage.TYPE_COREOS_USR, 4, ReleaseImage.TYPE_COREOS_USR, 6, ReleaseImage.TYPE_LINUX_DATA,
        7, ReleaseImage.TYPE_COREOS_RESERVED, 9, ReleaseImage.TYPE_COREOS_RESIZE);
    for (Partition p : image.partitions()) {
      Peer.Result info = Peer.run("sgdisk", "-i", String.valueOf(p.number()), image.file().toString()).ok();
      assertTrue(info.out().contains("Partition GUID code: " + types.get(p.number())), info::describe);
      assertTrue(info.out().contains("Partition unique GUID: " + p.guid()), info::describe);
      assertTrue(info.out().contains("Partition name: '" + p.label() + "'"), info::describe);
    }
    assertEquals("7130C94A-213A-4E5A-8E26-6CCE9662F132", image.partition(3).guid());
    assertEquals("E03DD35C-7C2D-4A47-B3FE-27F15780A57C", image.partition(4).guid());
    Peer.Result disk = Peer.run("sgdisk", "-p", image.file().toString()).ok();
    assertTrue(disk.out().contains("Disk identifier (GUID): " + image.diskGuid()), disk::describe);
  }

  @Test
  void cgptShow_listsTheLabels_usrAIsPriority1Tries0Successful_usrBPriority0_efiLegacyBootable() throws Exception {
    Peer.Result show = Peer.run("cgpt", "show", image.file().toString()).ok();
    for (String label : List.of("EFI-SYSTEM", "BIOS-BOOT", "USR-A", "USR-B", "OEM", "OEM-CONFIG", "ROOT")) {
      assertTrue(show.out().contains("Label: \"" + label + "\""), show::describe);
    }
    assertTrue(show.out().contains("PMBR"), show::describe);
    assertTrue(show.out().contains("Attr: legacy_boot=1"), show::describe);
    // Debian's cgpt decodes priority, tries and successful only for ChromeOS kernel partitions in
    // the listing; -P, -T and -S ask for them on any partition.
    assertEquals("1 0 1", attrs(3));
    assertEquals("0 0 0", attrs(4));
    assertEquals("0x101", Peer.run("cgpt", "show", "-i", "3", "-A", image.file().toString()).ok().out().strip());
    Peer.Result sgdisk = Peer.run("sgdisk", "-i", "3", image.file().toString()).ok();
    assertTrue(sgdisk.out().contains("Attribute flags: 0101000000000000"), sgdisk::describe);
    Partition usrA = image.partition("USR-A");
    assertEquals(List.of(1, 0, true), List.of(usrA.priority(), usrA.tries(), usrA.successful()));
    assertEquals(0, image.partition("USR-B").priority());
  }

  @Test
  void cairnGptShow_readsTheCoreosLayout_asTheInstallersLibraryWill() {
    CairnServe.Run show = CairnServe.cairnInProcess("gpt", "show", image.file().toString());
    assertEquals(0, show.code(), show::describe);
    String out = show.output();
    assertTrue(out.contains("""
               22528       32768       3  Label: "USR-A"
                                          Type: CoreOS usr
                                          UUID: 7130C94A-213A-4E5A-8E26-6CCE9662F132
                                          Attr: priority=1 tries=0 successful=1
        """), out);
    assertTrue(out.contains("Attr: priority=0 tries=0 successful=0"), out);
    assertTrue(out.contains("Type: CoreOS auto-resize"), out);
    assertTrue(out.contains("Type: CoreOS reserved"), out);
  }

  private static String attrs(int number) throws Exception {
    List<String> v = new ArrayList<>();
    for (String flag : List.of("-P", "-T", "-S")) {
      v.add(Peer.run("cgpt", "show", "-i", String.valueOf(number), flag, image.file().toString()).ok().out().strip());
    }
    return String.join(" ", v);
  }

  // ---- the filesystems

  @Test
  void usrA_oem_root_areCleanExt4_labelledAsCoreosLabelsThem_andTheOthersHoldNothing() throws Exception {
    for (String label : List.of("USR-A", "OEM", "ROOT")) {
      Path fs = image.extract(image.partition(label).number(), tmp.resolve(label + ".ext4"));
      assertEquals(image.partition(label).bytes(), Files.size(fs));
      Peer.Result fsck = Peer.run("e2fsck", "-fn", fs.toString());
      assertEquals(0, fsck.code(), fsck::describe);
      Peer.Result blkid = Peer.run("blkid", "-p", "-o", "export", fs.toString()).ok();
      assertTrue(blkid.out().contains("\nTYPE=ext4\n"), blkid::describe);
      assertTrue(blkid.out().contains("\nLABEL=" + label + "\n"), blkid::describe);
    }
    for (String label : List.of("BIOS-BOOT", "USR-B", "OEM-CONFIG")) {
      byte[] bytes = Files.readAllBytes(image.extract(image.partition(label).number(), tmp.resolve(label)));
      assertArrayEquals(new byte[bytes.length], bytes, label + " should be zeros");
    }
    Peer.Result rootLs = Peer.run("debugfs", "-R", "ls -p /", tmp.resolve("ROOT.ext4").toString()).ok();
    assertEquals(List.of(".", "..", "lost+found"), names(rootLs.out()), rootLs::describe);
    Peer.Result oemLs = Peer.run("debugfs", "-R", "ls -p /", tmp.resolve("OEM.ext4").toString()).ok();
    assertEquals(List.of(".", "..", "lost+found"), names(oemLs.out()), oemLs::describe);
  }

  /** The names in {@code debugfs ls -p} output: {@code /INODE/MODE/UID/GID/NAME/SIZE/}. */
  private static List<String> names(String lsP) {
    return lsP.lines().filter(l -> l.startsWith("/")).map(l -> l.split("/")[5]).sorted().toList();
  }

  @Test
  void usrA_namesTheVersionBoardAndAppId_coreosStyle_andItsSha256IsThePartitionsBytes() throws Exception {
    Path usr = image.extract(3, tmp.resolve("usr-a.ext4"));
    Peer.Result release = Peer.run("debugfs", "-R", "cat /share/coreos/release", usr.toString()).ok();
    assertEquals("COREOS_RELEASE_VERSION=1.0.0\nCOREOS_RELEASE_BOARD=amd64-usr\n"
        + "COREOS_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}\n", release.out());
    Peer.Result osRelease = Peer.run("debugfs", "-R", "cat /lib/os-release", usr.toString()).ok();
    assertTrue(osRelease.out().contains("\nID=coreos\n"), osRelease::describe);
    assertTrue(osRelease.out().contains("\nVERSION_ID=1.0.0\n"), osRelease::describe);
    Peer.Result stat = Peer.run("debugfs", "-R", "stat /share/coreos/release", usr.toString()).ok();
    assertTrue(stat.out().contains("Mode:  0644"), stat::describe);

    String sha = Peer.run("sha256sum", usr.toString()).ok().out().split(" ")[0];
    assertEquals(sha, image.usrSha256());
  }

  @Test
  void efiSystem_isFat16LabelledEfiSystem_atItsOffset_asBlkidProbesTheImage() throws Exception {
    Partition efi = image.partition("EFI-SYSTEM");
    Peer.Result blkid = Peer.run("blkid", "-p", "-o", "export", "-O", String.valueOf(efi.offset()),
        image.file().toString()).ok();
    assertTrue(blkid.out().contains("\nTYPE=vfat\n"), blkid::describe);
    assertTrue(blkid.out().contains("\nVERSION=FAT16\n"), blkid::describe);
    assertTrue(blkid.out().contains("\nLABEL=EFI-SYSTEM\n"), blkid::describe);
    Peer.Result usr = Peer.run("blkid", "-p", "-o", "export", "-O", String.valueOf(image.partition(3).offset()),
        image.file().toString()).ok();
    assertTrue(usr.out().contains("\nLABEL=USR-A\n"), usr::describe);
  }

  @Test
  void callersFiles_goIntoUsrOemAndEfi_aCallersReleaseFileWins_andSizesAreTheCallers() throws Exception {
    Path usrFiles = Files.createDirectories(tmp.resolve("usr/bin"));
    Files.writeString(usrFiles.resolve("hello"), "#!/bin/sh\necho hello\n");
    Files.setPosixFilePermissions(usrFiles.resolve("hello"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.createDirectories(tmp.resolve("usr/share/coreos"));
    Files.writeString(tmp.resolve("usr/share/coreos/release"), "COREOS_RELEASE_VERSION=9.9.9\n");
    Files.createSymbolicLink(tmp.resolve("usr/lib64"), Path.of("lib"));
    Path oem = Files.createDirectories(tmp.resolve("oem"));
    Files.writeString(oem.resolve("grub.cfg"), "# CoreOS GRUB settings\n\nset oem_id=\"qemu\"\n");
    Path efi = Files.createDirectories(tmp.resolve("efi/EFI/boot"));
    Files.write(efi.resolve("bootx64.efi"), new byte[] {'M', 'Z', 0, 1});

    Sizes sizes = new Sizes(4, 1, 3, 2, 1, 2);
    Image custom = ReleaseImage.of("1.2.3").sizes(sizes).usrFiles(tmp.resolve("usr")).oemFiles(oem)
        .efiFiles(tmp.resolve("efi")).build(tmp.resolve("out"));

    assertEquals(sizes.imageBytes(), Files.size(custom.file()));
    assertEquals((2 + 4 + 1 + 3 + 3 + 2 + 1 + 2 + 1) * MIB, sizes.imageBytes());
    assertTrue(Peer.run("sgdisk", "-v", custom.file().toString()).ok().out().contains("No problems found."));
    Path usr = custom.extract(3, tmp.resolve("usr.ext4"));
    Peer.Result fsck = Peer.run("e2fsck", "-fn", usr.toString());
    assertEquals(0, fsck.code(), fsck::describe);
    assertEquals("#!/bin/sh\necho hello\n",
        Peer.run("debugfs", "-R", "cat /bin/hello", usr.toString()).ok().out());
    assertTrue(Peer.run("debugfs", "-R", "stat /bin/hello", usr.toString()).ok().out().contains("Mode:  0755"));
    assertEquals("COREOS_RELEASE_VERSION=9.9.9\n",
        Peer.run("debugfs", "-R", "cat /share/coreos/release", usr.toString()).ok().out());
    assertTrue(Peer.run("debugfs", "-R", "stat /lib64", usr.toString()).ok().out().contains("Fast link dest: \"lib\""));
    assertTrue(Peer.run("debugfs", "-R", "cat /lib/os-release", usr.toString()).ok().out().contains("VERSION=1.2.3"));

    Path oemFs = custom.extract(6, tmp.resolve("oem.ext4"));
    assertEquals("# CoreOS GRUB settings\n\nset oem_id=\"qemu\"\n",
        Peer.run("debugfs", "-R", "cat /grub.cfg", oemFs.toString()).ok().out());

    Path fat = custom.extract(1, tmp.resolve("efi.fat"));
    Peer.Result mtype = Peer.run(Map.of("MTOOLS_SKIP_CHECK", "1"), "mtype", "-i", fat.toString(), "::/EFI/boot/bootx64.efi").ok();
    assertEquals("MZ\0\1", mtype.out());
  }

  @Test
  void flatcar_namesItsFilesAndReleaseFileFlatcarStyle() throws Exception {
    Image flatcar = ReleaseImage.of("3602.2.0").distro(Distro.FLATCAR).board("arm64-usr").build(tmp);
    assertEquals(tmp.resolve("flatcar_production_image.bin"), flatcar.file());
    Path usr = flatcar.extract(3, tmp.resolve("usr.ext4"));
    assertEquals("FLATCAR_RELEASE_VERSION=3602.2.0\nFLATCAR_RELEASE_BOARD=arm64-usr\n"
        + "FLATCAR_RELEASE_APPID={e96281a6-d1af-4bde-9a0a-97b76e56dc57}\n",
        Peer.run("debugfs", "-R", "cat /share/flatcar/release", usr.toString()).ok().out());
  }

  @Test
  void twoBuilds_ofOneVersion_differInTheirRandomGuids_notInTheFixedOnes() throws Exception {
    Image again = ReleaseImage.of("1.0.0").build(tmp);
    assertNotEquals(image.diskGuid(), again.diskGuid());
    assertNotEquals(image.partition(9).guid(), again.partition(9).guid());
    assertEquals(image.partition(3).guid(), again.partition(3).guid());
    assertEquals(image.partitions().stream().map(p -> p.firstLba() + "+" + p.sectors()).toList(),
        again.partitions().stream().map(p -> p.firstLba() + "+" + p.sectors()).toList());
  }

  // ---- bad input and failures

  @Test
  void filesThatDoNotFitInUsrA_failNamingMke2fs_andLeaveNoImageAndNoWorkFolder() throws Exception {
    Path big = Files.createDirectories(tmp.resolve("big"));
    byte[] bytes = new byte[(int) (3 * MIB)];
    new Random(1).nextBytes(bytes);
    Files.write(big.resolve("blob"), bytes);
    Path out = tmp.resolve("out");
    IOException e = assertThrows(IOException.class,
        () -> ReleaseImage.of("1.0.0").sizes(new Sizes(4, 1, 2, 2, 1, 2)).usrFiles(big).build(out));
    assertTrue(e.getMessage().contains("mke2fs"), e.getMessage());
    try (Stream<Path> left = Files.list(out)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void missingFolderOfFiles_isAnIoErrorNamingIt() {
    Path none = tmp.resolve("nowhere");
    IOException e = assertThrows(IOException.class, () -> ReleaseImage.of("1.0.0").oemFiles(none).build(tmp));
    assertEquals(none + ": no such folder of files for the image", e.getMessage());
  }

  @Test
  void badVersionBoardOrSizes_areBadInput_namingTheValue() {
    assertEquals("version must be like 3602.2.0, got 1.0",
        assertThrows(IllegalArgumentException.class, () -> ReleaseImage.of("1.0")).getMessage());
    assertEquals("board must be lower-case letters, digits, _ and -, like amd64-usr, got AMD64",
        assertThrows(IllegalArgumentException.class, () -> ReleaseImage.of("1.0.0").board("AMD64")).getMessage());
    assertEquals("EFI-SYSTEM size must be at least 4 MiB (the FAT16 it holds), got 3",
        assertThrows(IllegalArgumentException.class, () -> new Sizes(3, 1, 16, 4, 1, 15)).getMessage());
    assertEquals("ROOT size must be at least 2 MiB (an ext4 with a journal), got 1",
        assertThrows(IllegalArgumentException.class, () -> new Sizes(8, 1, 16, 4, 1, 1)).getMessage());
  }

  // ---- compressed and signed

  @Test
  void compressed_isBzip2OfTheImage_andUpdate_isBzip2OfUsrA() throws Exception {
    assertEquals(shared.resolve("1.0.0/coreos_production_image.bin.bz2"), release.compressed());
    Peer.run("bzip2", "-t", release.compressed().toString()).ok();
    Path back = tmp.resolve("back.bin");
    Files.copy(release.compressed(), tmp.resolve("back.bin.bz2"));
    Peer.run("bzip2", "-d", tmp.resolve("back.bin.bz2").toString()).ok();
    assertEquals(ReleaseImage.sha256(image.file()), ReleaseImage.sha256(back));
    assertTrue(Files.size(release.compressed()) < Files.size(image.file()) / 10, "a small image compresses well");

    assertEquals(shared.resolve("1.0.0/coreos_production_update.bin.bz2"), release.update());
    Files.copy(release.update(), tmp.resolve("usr.bin.bz2"));
    Peer.run("bzip2", "-d", tmp.resolve("usr.bin.bz2").toString()).ok();
    assertEquals(image.usrSha256(), ReleaseImage.sha256(tmp.resolve("usr.bin")));
    assertFalse(Files.exists(shared.resolve("1.0.0/coreos_production_update.bin")), "the uncompressed update stays behind");
  }

  @Test
  void signatures_verifyWithGpg_againstOnlyTheExportedPublicKey_andATamperedImageFails() throws Exception {
    Path home = Files.createDirectory(tmp.resolve("verifier"), PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Map<String, String> env = Map.of("GNUPGHOME", home.toString());
    try {
      Peer.run(env, "gpg", "--batch", "--import", release.publicKey().toString()).ok();
      Peer.Result good = Peer.run(env, "gpg", "--batch", "--status-fd", "1", "--verify",
          release.signature().toString(), release.compressed().toString());
      assertEquals(0, good.code(), good::describe);
      assertTrue(good.out().contains("[GNUPG:] VALIDSIG " + key.fingerprint()), good::describe);
      assertTrue(good.err().contains("Good signature from \"" + ReleaseKey.DEFAULT_USER_ID + "\""), good::describe);
      int tag = Files.readAllBytes(release.signature())[0] & 0xff;   // binary: a packet tag, not armor's '-'
      assertEquals(2, (tag & 0x40) != 0 ? tag & 0x3f : (tag >> 2) & 0xf, "a signature packet, tag byte " + tag);
      assertTrue((tag & 0x80) != 0, "binary, not armored: first byte " + tag);
      Peer.run(env, "gpg", "--batch", "--verify", release.updateSignature().toString(), release.update().toString()).ok();

      byte[] bytes = Files.readAllBytes(release.compressed());
      bytes[bytes.length / 2] ^= 1;
      Path tampered = Files.write(tmp.resolve("tampered.bin.bz2"), bytes);
      Peer.Result bad = Peer.run(env, "gpg", "--batch", "--status-fd", "1", "--verify",
          release.signature().toString(), tampered.toString());
      assertNotEquals(0, bad.code(), bad::describe);
      assertTrue(bad.out().contains("[GNUPG:] BADSIG"), bad::describe);
    } finally {
      Peer.run(env, "gpgconf", "--kill", "all");
    }
  }

  // ---- published by a real cairn serve

  @Test
  void published_1_0_0ToStable_and_2_0_0ToBeta_areServedByVersionTxt_withImageAndSignatureBytes() throws Exception {
    Image two = ReleaseImage.of("2.0.0").build(tmp.resolve("2.0.0"));
    Release release2 = two.release(key);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    Path data = tmp.resolve("cairn-data");
    try (CairnServe serve = CairnServe.start(data, CairnServe.freePort(), tmp.resolve("cairn-serve.log"))) {
      ReleasePublisher publisher = new ReleasePublisher(serve);
      publisher.publish(release, "stable");
      publisher.publish(release2, "beta");
      publisher.point("edge", "1.0.0");
      assertEquals(List.of("key list", "key add", "package add", "package add-image", "channel list", "channel set",
              "key list", "package add", "package add-image", "channel list", "channel set",
              "channel list", "channel create", "channel set"),
          publisher.commands().stream().map(r -> r.command().get(6) + " "
              + r.command().get(7)).toList());

      String base = "http://127.0.0.1:" + serve.bootServer().hostPort();
      for (Object[] c : new Object[][] {{"stable", release}, {"beta", release2}, {"edge", release}}) {
        String channel = (String) c[0];
        Release r = (Release) c[1];
        HttpResponse<String> version = http.send(HttpRequest.newBuilder(
            URI.create(base + "/release/" + channel + "/amd64-usr/current/version.txt")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, version.statusCode(), version.body());
        assertTrue(version.body().lines().anyMatch(("COREOS_VERSION=" + r.version())::equals), version.body());

        String url = base + "/release/" + channel + "/amd64-usr/" + r.version() + "/coreos_production_image.bin.bz2";
        HttpResponse<byte[]> got = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), url);
        assertArrayEquals(Files.readAllBytes(r.compressed()), got.body(), url);
        HttpResponse<byte[]> sig = http.send(HttpRequest.newBuilder(URI.create(url + ".sig")).build(),
            HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, sig.statusCode(), url + ".sig");
        assertArrayEquals(Files.readAllBytes(r.signature()), sig.body(), url + ".sig");
      }
      HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(
          URI.create(base + "/release/alpha/amd64-usr/current/version.txt")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(404, unknown.statusCode(), "alpha points at nothing: " + unknown.body());
    }
  }
}
