package dev.cairn.pxe;

/** The assets folder, as the checks see it: whether a path under it is a file that can be served. */
public interface Assets {
  boolean exists(String path);

  /** The folder, as findings name it ({@code boot/assets/}). */
  String where();

  /** No assets folder: every path is missing. */
  Assets NONE = new Assets() {
    @Override
    public boolean exists(String path) {
      return false;
    }

    @Override
    public String where() {
      return "assets/";
    }
  };
}
