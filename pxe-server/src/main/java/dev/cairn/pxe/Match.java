package dev.cairn.pxe;

/**
 * What a machine's labels lead to: a group and its profile, or why not: no group matches (and there
 * is no default group), or the group that matches names no profile.
 */
public record Match(Kind kind, Group group, Profile profile, Labels labels) {
  public enum Kind { FOUND, NO_GROUP, NO_PROFILE }

  public boolean found() {
    return kind == Kind.FOUND;
  }

  /** One line: why nothing is booted, for a response and a script; empty when found. */
  public String reason() {
    return switch (kind) {
      case FOUND -> "";
      case NO_GROUP -> "no group matches " + labels.describe() + ", and there is no default group";
      case NO_PROFILE -> "group " + group.id() + " matches " + labels.describe() + " but names no profile";
    };
  }
}
