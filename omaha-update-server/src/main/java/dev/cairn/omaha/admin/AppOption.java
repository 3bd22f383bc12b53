package dev.cairn.omaha.admin;

import picocli.CommandLine.Option;

/** {@code --app APPID}: which application; the server's default is CoreOS. */
final class AppOption {
  @Option(names = "--app", paramLabel = "APPID",
      description = "Application id like {e96281a6-d1af-4bde-9a0a-97b76e56dc57} (default: the server's, CoreOS).")
  String app;
}
