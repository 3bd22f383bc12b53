package dev.cairn.cloudconfig;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The CoreOS cloud-config schema, as coreos-cloudinit v1.13 defines it: every key with its type,
 * the values it accepts and why it is deprecated. Keys are in their normalized form ({@code _}).
 */
final class Schema {
  enum Kind {
    STRING("string"), BOOL("bool"), INT("int"), FLOAT("float64"), STRUCT("struct"),
    STRING_LIST("[]string"), STRUCT_LIST("[]struct");

    final String human;

    Kind(String human) {
      this.human = human;
    }
  }

  /** One key: its kind, its children (structs), the regex its value must match, its deprecation. */
  record Field(String name, Kind kind, Map<String, Field> children, Pattern valid, String deprecated) {}

  private static final String IMPORT_DEPRECATED =
      "trying to fetch from a remote endpoint introduces too many intermittent errors";
  private static final String ETCD2_OPTION = "etcd2 options no longer work for etcd";

  static final Field ROOT = struct("", fields(
      list("ssh_authorized_keys"),
      struct("coreos", fields(
          struct("etcd", etcd()),
          struct("etcd2", etcd2()),
          struct("flannel", strings("etcd_endpoints", "etcd_cafile", "etcd_certfile", "etcd_keyfile",
              "etcd_prefix", "etcd_username", "etcd_password", "ip_masq", "subnet_file", "interface", "public_ip")),
          struct("fleet", fleet()),
          struct("locksmith", locksmith()),
          struct("oem", strings("id", "name", "version_id", "home_url", "bug_report_url")),
          struct("update", fields(
              valid("reboot_strategy", "^(best-effort|etcd-lock|reboot|off)$"),
              string("group"),
              string("server"),
              string("lock_server"))),
          structList("units", fields(
              string("name"),
              bool("mask"),
              bool("enable"),
              bool("runtime"),
              string("content"),
              valid("command", "^(start|stop|restart|reload|try-restart|reload-or-restart|reload-or-try-restart)$"),
              structList("drop_ins", fields(string("name"), string("content"))))))),
      structList("write_files", fields(
          valid("encoding", "^(base64|b64|gz|gzip|gz\\+base64|gzip\\+base64|gz\\+b64|gzip\\+b64)$"),
          string("content"),
          string("owner"),
          string("path"),
          valid("permissions", "^0?[0-7]{3,4}$"))),
      string("hostname"),
      structList("users", fields(
          string("name"),
          string("passwd"),
          list("ssh_authorized_keys"),
          deprecated(string("coreos_ssh_import_github"), IMPORT_DEPRECATED),
          deprecated(list("coreos_ssh_import_github_users"), IMPORT_DEPRECATED),
          deprecated(string("coreos_ssh_import_url"), IMPORT_DEPRECATED),
          string("gecos"),
          string("homedir"),
          bool("no_create_home"),
          string("primary_group"),
          list("groups"),
          bool("no_user_group"),
          bool("system"),
          bool("no_log_init"),
          string("shell"))),
      valid("manage_etc_hosts", "^localhost$")));

  private Schema() {}

  private static Field[] etcd() {
    return new Field[] {
      string("addr"), deprecated(string("advertise_client_urls"), ETCD2_OPTION), string("bind_addr"),
      string("ca_file"), string("cert_file"), scalar("cluster_active_size", Kind.INT),
      scalar("cluster_remove_delay", Kind.FLOAT), scalar("cluster_sync_interval", Kind.FLOAT),
      string("cors"), string("data_dir"), string("discovery"),
      deprecated(string("discovery_fallback"), ETCD2_OPTION), deprecated(string("discovery_srv"), ETCD2_OPTION),
      deprecated(string("discovery_proxy"), ETCD2_OPTION), deprecated(scalar("election_timeout", Kind.INT), ETCD2_OPTION),
      deprecated(bool("force_new_cluster"), ETCD2_OPTION), string("graphite_host"),
      deprecated(scalar("heartbeat_interval", Kind.INT), ETCD2_OPTION),
      scalar("http_read_timeout", Kind.FLOAT), scalar("http_write_timeout", Kind.FLOAT),
      deprecated(string("initial_advertise_peer_urls"), ETCD2_OPTION), deprecated(string("initial_cluster"), ETCD2_OPTION),
      deprecated(string("initial_cluster_state"), ETCD2_OPTION), deprecated(string("initial_cluster_token"), ETCD2_OPTION),
      string("key_file"), deprecated(string("listen_client_urls"), ETCD2_OPTION),
      deprecated(string("listen_peer_urls"), ETCD2_OPTION), scalar("max_result_buffer", Kind.INT),
      scalar("max_retry_attempts", Kind.INT), deprecated(scalar("max_snapshots", Kind.INT), ETCD2_OPTION),
      deprecated(scalar("max_wals", Kind.INT), ETCD2_OPTION), string("name"), string("peer_addr"),
      string("peer_bind_addr"), string("peer_ca_file"), string("peer_cert_file"),
      scalar("peer_election_timeout", Kind.INT), scalar("peer_heartbeat_interval", Kind.INT),
      string("peer_key_file"), string("peers"), string("peers_file"), deprecated(string("proxy"), ETCD2_OPTION),
      scalar("retry_interval", Kind.FLOAT), bool("snapshot"), scalar("snapshot_count", Kind.INT),
      string("trace"), bool("verbose"), bool("very_verbose"), bool("very_very_verbose")};
  }

  private static Field[] etcd2() {
    return new Field[] {
      string("advertise_client_urls"),
      deprecated(string("ca_file"), "ca_file obsoleted by trusted_ca_file and client_cert_auth"),
      string("cert_file"), bool("client_cert_auth"), string("cors"), string("data_dir"), bool("debug"),
      string("discovery"), string("discovery_fallback"), string("discovery_srv"), string("discovery_proxy"),
      scalar("election_timeout", Kind.INT), bool("enable_pprof"), bool("force_new_cluster"),
      scalar("heartbeat_interval", Kind.INT), string("initial_advertise_peer_urls"), string("initial_cluster"),
      string("initial_cluster_state"), string("initial_cluster_token"), string("key_file"),
      string("listen_client_urls"), string("listen_peer_urls"), string("log_package_levels"),
      scalar("max_snapshots", Kind.INT), scalar("max_wals", Kind.INT), string("name"),
      deprecated(string("peer_ca_file"), "peer_ca_file obsoleted peer_trusted_ca_file and peer_client_cert_auth"),
      string("peer_cert_file"), string("peer_key_file"), bool("peer_client_cert_auth"),
      string("peer_trusted_ca_file"), valid("proxy", "^(on|off|readonly)$"),
      scalar("proxy_dial_timeout", Kind.INT), scalar("proxy_failure_wait", Kind.INT),
      scalar("proxy_read_timeout", Kind.INT), scalar("proxy_refresh_interval", Kind.INT),
      scalar("proxy_write_timeout", Kind.INT), scalar("snapshot_count", Kind.INT),
      bool("strict_reconfig_check"), string("trusted_ca_file"), string("wal_dir")};
  }

  private static Field[] fleet() {
    return new Field[] {
      string("agent_ttl"), string("authorized_keys_file"), bool("disable_engine"),
      scalar("engine_reconcile_interval", Kind.FLOAT), string("etcd_cafile"), string("etcd_certfile"),
      string("etcd_keyfile"), string("etcd_key_prefix"), scalar("etcd_request_timeout", Kind.FLOAT),
      string("etcd_servers"), string("etcd_username"), string("etcd_password"), string("metadata"),
      string("public_ip"), scalar("token_limit", Kind.INT), scalar("verbosity", Kind.INT), bool("verify_units")};
  }

  private static Field[] locksmith() {
    return new Field[] {
      string("endpoint"), string("etcd_cafile"), string("etcd_certfile"), string("etcd_keyfile"),
      string("etcd_username"), string("etcd_password"), string("group"),
      valid("window_start",
          "^((?i:sun|mon|tue|wed|thu|fri|sat|sun) )?0*([0-9]|1[0-9]|2[0-3]):0*([0-9]|[1-5][0-9])$"),
      valid("window_length", "^[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+$")};
  }

  private static Field[] fields(Field... fs) {
    return fs;
  }

  private static Field struct(String name, Field[] children) {
    return new Field(name, Kind.STRUCT, index(children), null, null);
  }

  private static Field structList(String name, Field[] children) {
    return new Field(name, Kind.STRUCT_LIST, index(children), null, null);
  }

  private static Map<String, Field> index(Field[] children) {
    Map<String, Field> m = new LinkedHashMap<>();
    for (Field f : children) {
      m.put(f.name(), f);
    }
    return Map.copyOf(m);
  }

  private static Field[] strings(String... names) {
    Field[] out = new Field[names.length];
    for (int i = 0; i < names.length; i++) {
      out[i] = string(names[i]);
    }
    return out;
  }

  private static Field string(String name) {
    return scalar(name, Kind.STRING);
  }

  private static Field bool(String name) {
    return scalar(name, Kind.BOOL);
  }

  private static Field list(String name) {
    return new Field(name, Kind.STRING_LIST, Map.of(), null, null);
  }

  private static Field scalar(String name, Kind kind) {
    return new Field(name, kind, Map.of(), null, null);
  }

  private static Field valid(String name, String regex) {
    return new Field(name, Kind.STRING, Map.of(), Pattern.compile(regex), null);
  }

  private static Field deprecated(Field f, String reason) {
    return new Field(f.name(), f.kind(), f.children(), f.valid(), reason);
  }
}
