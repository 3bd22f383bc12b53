package dev.cairn.install;

import dev.cairn.gpt.GptCodec;
import dev.cairn.gpt.GptHeader;
import dev.cairn.gpt.Partition;
import dev.cairn.gpt.PartitionTable;
import java.util.Arrays;
import java.util.List;

/**
 * The start of a disk image, held back while the rest is written: its protective MBR and primary
 * GPT, which say how large the image is and where its partitions lie. Parsed before the
 * signature is checked, so it is used only to size and place things, never trusted for more.
 *
 * @param bytes the first {@link #HEAD_BYTES} of the image (fewer only for a smaller image)
 * @param table the image's partition table, backup where the image ends
 */
public record ImageHead(byte[] bytes, PartitionTable table) {
  /** What is held back: the protective MBR, the primary GPT and the gap before the first partition. */
  public static final int HEAD_BYTES = 1 << 20;

  public int sectorSize() {
    return table.sectorSize();
  }

  /** The image's size: its backup header is its last sector. */
  public long imageBytes() {
    return (table.alternateLba() + 1) * table.sectorSize();
  }

  /**
   * Parses the image's first bytes, looking for the primary header at LBA 1 of 512- and
   * 4096-byte sectors.
   */
  public static ImageHead parse(byte[] head) {
    for (int ss : new int[] {512, 4096}) {
      if (head.length < 2 * ss) {
        continue;
      }
      byte[] sector = Arrays.copyOfRange(head, ss, 2 * ss);
      GptCodec.HeaderCheck check = GptCodec.decodeHeader(sector, 1, Long.MAX_VALUE / ss);
      if (!(check instanceof GptCodec.HeaderCheck.Valid v)) {
        continue;
      }
      GptHeader h = v.header();
      long es = PartitionTable.entriesSectors(ss, h.entryCount());
      long end = (h.entriesLba() + es) * ss;
      if (end > head.length) {
        throw new IllegalArgumentException("the image's partition entries end at byte " + end
            + ", past the first " + head.length + " bytes where an installable image keeps them");
      }
      if (h.alternateLba() <= h.lastUsableLba() || h.lastUsableLba() < h.firstUsableLba()) {
        throw new IllegalArgumentException("the image's GPT header places its backup at LBA "
            + h.alternateLba() + ", not after its last usable LBA " + h.lastUsableLba());
      }
      if ((h.firstUsableLba() * ss) < end) {
        throw new IllegalArgumentException("the image's first usable LBA " + h.firstUsableLba()
            + " overlaps its partition entries");
      }
      byte[] entries = Arrays.copyOfRange(head, (int) (h.entriesLba() * ss), (int) end);
      List<Partition> parts = GptCodec.decodeEntries(entries, h);
      PartitionTable t = new PartitionTable(ss, h.diskGuid(), h.firstUsableLba(), h.lastUsableLba(),
          h.alternateLba(), h.entriesLba(), h.alternateLba() - es, h.entryCount(), parts);
      return new ImageHead(head, t);
    }
    throw new IllegalArgumentException("the image does not start with a GPT (no valid 'EFI PART' header"
        + " at LBA 1 for 512- or 4096-byte sectors): not a disk image");
  }
}
