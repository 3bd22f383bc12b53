package dev.cairn.cloudconfig.bench;

/** The benchmark documents: what operators write for a rack, short and long. */
final class Docs {
  private Docs() {}

  static String thirtyLines() {
    return """
        #cloud-config
        hostname: node-17
        ssh_authorized_keys:
          - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk3oJ8nX2j3v3f8S3cRmmRt5Zr2m0pXc1Q6Yl2cXn7d ops@example.com
        coreos:
          etcd2:
            name: node-17
            discovery: https://discovery.etcd.io/6a28e078895c5ec737174db2419bb2f3
            advertise-client-urls: http://$private_ipv4:2379
            initial-advertise-peer-urls: http://$private_ipv4:2380
            listen-client-urls: http://0.0.0.0:2379
            listen-peer-urls: http://$private_ipv4:2380
          update:
            reboot-strategy: etcd-lock
            group: stable
            server: https://cairn.example.com/v1/update/
          locksmith:
            window_start: Sun 04:00
            window_length: 1h
          units:
            - name: etcd2.service
              command: start
            - name: docker.service
              enable: true
              command: restart
        write_files:
          - path: /etc/motd
            permissions: "0644"
            content: |
              Managed by Cairn
        """;
  }

  static String threeHundredLines() {
    StringBuilder b = new StringBuilder("""
        #cloud-config
        hostname: node-17
        coreos:
          update:
            reboot-strategy: etcd-lock
            group: stable
          units:
        """);
    for (int i = 0; i < 20; i++) {
      b.append("""
              - name: app-%d.service
                command: start
                enable: yes
                content: |
                  [Unit]
                  Description=Application %d
                  After=docker.service
                  Requires=docker.service
                  [Service]
                  ExecStartPre=-/usr/bin/docker rm -f app-%d
                  ExecStart=/usr/bin/docker run --rm --name app-%d example/app:%d
                  Restart=always
                  [Install]
                  WantedBy=multi-user.target
          """.formatted(i, i, i, i, i));
    }
    b.append("write_files:\n");
    for (int i = 0; i < 3; i++) {
      b.append("""
            - path: /etc/app/%d.conf
              permissions: 0600
              owner: root
              content: |
                key=%d
          """.formatted(i, i));
    }
    return b.toString();
  }
}
