package dev.cairn.signing.files;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading and checking the files the signing commands are given, so that every I/O error names
 * its file: the JDK's own "Is a directory" or "Input/output error" from a read says which file
 * only in a stack trace. A named error is a {@link FileSystemException} whose reason the
 * operator sees after the path ({@code release.asc: is a directory}).
 */
public final class FileAccess {
  private FileAccess() {}

  /** Every byte of {@code file}. */
  public static byte[] readAllBytes(Path file) throws IOException {
    requireNotDirectory(file);
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw named(file, e);
    }
  }

  /**
   * {@code file} as UTF-8 text.
   *
   * @throws IllegalArgumentException when it is not UTF-8, naming the file
   */
  public static String readUtf8(Path file) throws IOException {
    byte[] bytes = readAllBytes(file);
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(file + ": is not UTF-8 text");
    }
  }

  /** {@code file} opened for reading; a failure of any later read names it too. */
  public static InputStream open(Path file) throws IOException {
    requireNotDirectory(file);
    InputStream in;
    try {
      in = Files.newInputStream(file);
    } catch (IOException e) {
      throw named(file, e);
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        try {
          return super.read();
        } catch (IOException e) {
          throw named(file, e);
        }
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        try {
          return super.read(b, off, len);
        } catch (IOException e) {
          throw named(file, e);
        }
      }
    };
  }

  /** A regular file to read: else "no such file", "is a directory" or "not a regular file". */
  public static void requireRegularFile(Path file) throws IOException {
    requireNotDirectory(file);
    if (!Files.exists(file)) {
      throw new NoSuchFileException(file.toString());
    }
    if (!Files.isRegularFile(file)) {
      throw new FileSystemException(file.toString(), null, "not a regular file");
    }
  }

  /** A file to read or write must not be a directory. */
  public static void requireNotDirectory(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new FileSystemException(file.toString(), null, "is a directory");
    }
  }

  /**
   * Before anything is written: {@code target} is not a directory and its folder exists, so a
   * command that writes several files does not stop halfway for a reason known up front.
   */
  public static void requireWritable(Path target) throws IOException {
    requireNotDirectory(target);
    Path folder = target.toAbsolutePath().getParent();
    if (folder != null && !Files.isDirectory(folder)) {
      throw new FileSystemException(target.toString(), null, "cannot write: no such directory");
    }
  }

  /**
   * A failure to write {@code target} (through a temporary file beside it) as an error that names
   * {@code target}, never the temporary file: {@code out.sig: cannot write: no such directory}.
   */
  public static IOException writing(Path target, IOException e) {
    String why = e instanceof FileSystemException fs && fs.getReason() != null ? lowerFirst(fs.getReason())
        : e instanceof NoSuchFileException ? "no such directory"
        : e instanceof AccessDeniedException ? "permission denied"
        : e instanceof FileSystemException ? e.getClass().getSimpleName()
        : e.getMessage() == null ? e.getClass().getSimpleName() : lowerFirst(e.getMessage());
    FileSystemException named = new FileSystemException(target.toString(), null, "cannot write: " + why);
    named.initCause(e);
    return named;
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }

  /**
   * {@code e} as an error that names {@code file}: the JDK's own file errors (no such file,
   * permission denied) name a file already and pass unchanged.
   */
  public static IOException named(Path file, IOException e) {
    if (e instanceof FileSystemException fs && fs.getFile() != null) {
      return e;
    }
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    FileSystemException named = new FileSystemException(file.toString(), null, lowerFirst(why));
    named.initCause(e);
    return named;
  }
}
