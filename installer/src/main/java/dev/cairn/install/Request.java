package dev.cairn.install;

/**
 * One {@code cairn install} as the operator asked for it, before anything is looked up.
 *
 * @param device the target: a whole block device or an image file
 * @param server a Cairn server (images under {@code SERVER/release/CHANNEL/BOARD}), or null
 * @param baseUrl a mirror's base URL ({@code BASE/current/version.txt}, {@code BASE/VERSION/IMAGE}), or null
 * @param imageFile a local image (its signature beside it as {@code IMAGE.sig}), or null
 * @param imageName the image's file name, or null to try CoreOS's and Flatcar's names
 * @param cloudConfig a path or http(s) URL of a cloud-config for ROOT, or null
 * @param ignition a path of an Ignition config for OEM, or null
 * @param oem an OEM id, or null
 * @param keyring the trusted keyring (armored or binary)
 * @param threads decompression threads
 */
public record Request(
    String device,
    String channel,
    String version,
    String board,
    String server,
    String baseUrl,
    String imageFile,
    String imageName,
    String cloudConfig,
    String ignition,
    String oem,
    String keyring,
    boolean dryRun,
    boolean yes,
    int threads) {

  public Request {
    int sources = (server != null ? 1 : 0) + (baseUrl != null ? 1 : 0) + (imageFile != null ? 1 : 0);
    if (sources != 1) {
      throw new IllegalArgumentException("give exactly one of -s SERVER, -b BASEURL or -f IMAGE, got " + sources);
    }
    ReleaseSource.checkName(channel, "channel (-C)");
    ReleaseSource.checkName(board, "board (-B)");
    ReleaseSource.checkName(version, "version (-V)");
    if (imageName != null) {
      ReleaseSource.checkName(imageName, "image name (--image-name)");
    }
    if (oem != null) {
      ReleaseSource.checkName(oem, "OEM id (-o)");
    }
    if (threads < 1 || threads > 256) {
      throw new IllegalArgumentException("threads must be 1-256, got " + threads);
    }
  }

  /** The release tree to download from, when not installing a local file. */
  public ReleaseSource source() {
    return server != null ? ReleaseSource.server(server, channel, board) : new ReleaseSource(baseUrl);
  }

  /**
   * The image names to try, in order: the one given, else, with an OEM id, that OEM's image
   * ({@code coreos_production_OEM_image.bin.bz2}) before the generic ones, as coreos-install does.
   */
  public java.util.List<String> imageNames() {
    if (imageName != null) {
      return java.util.List.of(imageName);
    }
    java.util.List<String> names = new java.util.ArrayList<>();
    if (oem != null) {
      for (String n : ReleaseSource.IMAGE_NAMES) {
        names.add(n.replace("_production_image", "_production_" + oem + "_image"));
      }
    }
    names.addAll(ReleaseSource.IMAGE_NAMES);
    return names;
  }
}
