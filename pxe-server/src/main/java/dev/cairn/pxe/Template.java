package dev.cairn.pxe;

/** A cloud-config template: its name (the file name without {@code .yaml}), its text and its file. */
public record Template(String name, String text, String file) {}
