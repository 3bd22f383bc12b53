package dev.cairn.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place errors become exit codes: 2 for bad usage or bad input (picocli's parameter
 * errors and {@link IllegalArgumentException}), 1 for everything else, I/O included. Each error is
 * one line on stderr, prefixed by the command that failed.
 */
final class ExitCodes {
  static final int FAILURE = 1;
  static final int BAD_INPUT = 2;

  private ExitCodes() {}

  static int onUsageError(ParameterException e, String[] args) {
    CommandLine cl = e.getCommandLine();
    cl.getErr().println(prefix(cl) + e.getMessage());
    cl.getErr().println("Try '" + cl.getCommandSpec().qualifiedName() + " --help' for more information.");
    return BAD_INPUT;
  }

  static int onFailure(Exception e, CommandLine cl, ParseResult parsed) {
    Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
    cl.getErr().println(prefix(cl) + message(cause));
    return cause instanceof IllegalArgumentException ? BAD_INPUT : FAILURE;
  }

  private static String prefix(CommandLine cl) {
    return cl.getCommandSpec().qualifiedName() + ": ";
  }

  private static String message(Throwable t) {
    if (t instanceof FileSystemException fs && fs.getFile() != null) {
      String why = fs.getReason() != null ? fs.getReason()
          : fs instanceof NoSuchFileException ? "no such file"
          : fs instanceof AccessDeniedException ? "permission denied"
          : fs.getClass().getSimpleName();
      return fs.getFile() + ": " + why;
    }
    if (t instanceof IOException && t.getMessage() != null) {
      return t.getMessage();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
