package dev.cairn.gpt;

import java.util.ArrayList;
import java.util.List;

/**
 * What reading a disk found: the table in use, which copy it came from, and every problem seen.
 * A null problem means that part is sound.
 */
public record GptRead(
    PartitionTable table,
    Source source,
    long diskSectors,
    String primaryProblem,
    String backupProblem,
    String mbrProblem,
    List<String> notices) {

  public enum Source { PRIMARY, BACKUP }

  public GptRead {
    notices = List.copyOf(notices);
  }

  /** This read with {@code other} as the table in use; everything found on the disk kept. */
  public GptRead withTable(PartitionTable other) {
    return new GptRead(other, source, diskSectors, primaryProblem, backupProblem, mbrProblem, notices);
  }

  /** Every problem, one line each, for the operator. */
  public List<String> problems() {
    List<String> out = new ArrayList<>();
    if (primaryProblem != null) {
      out.add("primary GPT: " + primaryProblem);
    }
    if (backupProblem != null) {
      out.add("backup GPT: " + backupProblem);
    }
    if (mbrProblem != null) {
      out.add("protective MBR: " + mbrProblem);
    }
    out.addAll(notices);
    return out;
  }

  /** Whether the disk extends past the backup header: it has grown since the table was written. */
  public boolean grown() {
    return table.alternateLba() < diskSectors - 1;
  }

  /**
   * Whether the disk is smaller than the GPT says: its backup header would lie past the disk's
   * end (the disk or image was shrunk after the table was written).
   */
  public boolean shrunk() {
    return table.alternateLba() >= diskSectors;
  }

  public boolean clean() {
    return problems().isEmpty();
  }
}
