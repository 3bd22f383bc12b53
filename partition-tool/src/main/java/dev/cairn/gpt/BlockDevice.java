package dev.cairn.gpt;

import java.io.IOException;

/** The port through which the GPT core reads and writes sectors: a block device or an image file. */
public interface BlockDevice {
  /** A name for messages: the path the operator gave. */
  String name();

  int sectorSize();

  long sectorCount();

  /** Reads {@code count} whole sectors from {@code lba}; fails on a short read. */
  byte[] read(long lba, int count) throws IOException;

  /** Writes whole sectors at {@code lba}; {@code data.length} is a multiple of the sector size. */
  void write(long lba, byte[] data) throws IOException;

  /** Returns once everything written so far is on stable storage. */
  void flush() throws IOException;
}
