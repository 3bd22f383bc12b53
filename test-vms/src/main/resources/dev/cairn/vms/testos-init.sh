#!/bin/busybox sh
# The test OS: a tiny machine that lives the way a CoreOS machine does. Each step is a
# "CAIRN-VM: " line on the first serial port; a step that cannot go on is "CAIRN-VM: FAIL reason".
#
# cairn.mode=install (a network boot into the installer profile): take a DHCP lease, run
#   cairn install -d /dev/vda -s SERVER -C CHANNEL -c CONFIG-URL, report the machine installed to
#   the cairn.installed= URL, reboot. A refused install powers off with the disk as the installer
#   left it.
# Otherwise (a boot from the disk, after GRUB): choose the USR slot with "cairn gpt next" (GRUB's
#   gptprio.next: it decrements the tries of a slot being tried), mount it read-only at /usr,
#   mount ROOT read-write (its etc, var and home become the machine's), apply the cloud-config the
#   installer placed there, take a DHCP lease, run the USR image's health check: a good version
#   runs "cairn agent mark-good", a bad one reboots without it (so its tries run out and the
#   machine falls back by itself). Then "cairn agent update": when it installed an update the
#   machine reboots into it, else it powers off. cairn.vm.agent=off leaves the agent out.
/bin/busybox --install -s /bin
export PATH=/bin:/sbin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The harness's files, kept before ROOT's /etc is laid over the initramfs's.
mkdir -p /run
cp -a /etc/cairn-vm /run/cairn-vm

# Each marker after the seconds since the kernel started, for the reader of the log.
say() { echo "[$(cut -d ' ' -f 1 /proc/uptime)] CAIRN-VM: $*" > /dev/ttyS0; }
halt() {
  sync
  for m in /home /var /etc /usr /sysroot; do umount "$m" 2>/dev/null; done
  if [ "$1" = reboot ]; then reboot -f; else poweroff -f; fi
  sleep 3600
}
fail() {
  say "FAIL $*"
  halt poweroff
}
# Runs Cairn's command line on the trimmed runtime. CAIRN_HEAP sets the heap's bound.
# The class data sharing archive holds Cairn's classes ready to map; it was made with these options.
# Short commands run interpreted (-Xint): under TCG, compiling costs more than it saves them;
# CAIRN_JIT gives the commands that decompress (install, agent update) the quick compiler.
cairn() {
  /opt/cairn/jre/bin/java -XX:+UseSerialGC ${CAIRN_JIT:--Xint} -XX:-UsePerfData -Xss512k \
    "-Xmx${CAIRN_HEAP:-64m}" -XX:SharedArchiveFile=/opt/cairn/cairn.jsa \
    -cp "$(cat /run/cairn-vm/classpath)" dev.cairn.cli.Cairn "$@"
}
JIT=-XX:TieredStopAtLevel=1
# Each line of a file as a marker, after a prefix.
tell() {
  while IFS= read -r line; do say "$1$line"; done < "$2"
}

say "init $(uname -r)"
if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi

mode=boot; agent=update; server=""; channel=stable; config=""; installed=""
for w in $(cat /proc/cmdline); do
  case "$w" in
    cairn.mode=*) mode="${w#*=}" ;;
    cairn.vm.agent=*) agent="${w#*=}" ;;
    cairn.server=*) server="${w#*=}" ;;
    cairn.channel=*) channel="${w#*=}" ;;
    cairn.config=*) config="${w#*=}" ;;
    cairn.installed=*) installed="${w#*=}" ;;
  esac
done
say "mode=$mode"

loaded=""
for m in $(cat /run/cairn-vm/modules); do
  insmod "/lib/modules/$m" || fail "insmod $m"
  loaded="$loaded $m"
done
say "modules$loaded"

disk=/dev/vda
i=0
while [ ! -b "$disk" ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "no $disk 10 s after loading virtio_blk"
  usleep 100000
done
say "disk=$disk"

# Brings up eth0 with a DHCP lease; returns 1 when the machine has no NIC.
network() {
  i=0
  while [ ! -e /sys/class/net/eth0 ]; do
    i=$((i + 1))
    [ "$i" -le 30 ] || return 1
    usleep 100000
  done
  ip link set lo up
  ip link set eth0 up || fail "cannot bring eth0 up"
  udhcpc -i eth0 -n -q -t 10 -T 1 -s /run/cairn-vm/udhcpc.script >/dev/null 2>&1 || fail "no DHCP lease on eth0"
  say "net up ip=$(ip -4 -o addr show dev eth0 | sed -n 's/.* inet \([^ ]*\).*/\1/p')"
}

if [ "$mode" = install ]; then
  network || fail "no NIC to install from"
  [ -n "$server" ] || fail "no cairn.server= on the kernel command line"
  args="-d $disk -s $server -C $channel"
  [ -n "$config" ] && args="$args -c $config"
  say "install cairn install $args"
  CAIRN_JIT=$JIT CAIRN_HEAP=160m cairn install $args > /tmp/install.out 2>&1
  code=$?
  tell "install: " /tmp/install.out
  if [ "$code" -ne 0 ]; then
    say "install=failed exit $code"
    say "done"
    halt poweroff
  fi
  say "install=ok"
  if [ -n "$installed" ]; then
    if timeout 30 wget -q -O /tmp/installed.out --post-data= "$installed"; then
      tell "reported: " /tmp/installed.out
    else
      say "report=failed $installed"
    fi
  fi
  say "rebooting: installed"
  halt reboot
fi

usr=$(cairn gpt next "$disk" 2>/tmp/gpt-next.err)
code=$?
[ "$code" -eq 0 ] || { cat /tmp/gpt-next.err > /dev/ttyS0; fail "cairn gpt next $disk exited $code"; }
case "$usr" in
  ''|*[!0-9]*) fail "cairn gpt next $disk printed '$usr', not a partition number" ;;
esac
say "usr=$usr"

part="$disk$usr"
i=0
while [ ! -b "$part" ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "no $part"
  usleep 100000
done
mkdir -p /usr
mount -t ext4 -o ro "$part" /usr || fail "cannot mount $part read-only at /usr"
say "mounted $part /usr"

release=/usr/share/coreos/release
[ -f "$release" ] || release=/usr/share/flatcar/release
[ -f "$release" ] || fail "no /usr/share/coreos/release on $part"
version=$(sed -n 's/^[A-Z]*_RELEASE_VERSION=//p' "$release")
[ -n "$version" ] || fail "$release names no version"
say "version=$version"

# ROOT (partition 9 in the CoreOS layout): the machine's own files, kept across boots and updates.
mkdir -p /sysroot
if mount -t ext4 "${disk}9" /sysroot; then
  say "root=${disk}9"
  mkdir -p /sysroot/etc /sysroot/var /sysroot/home
  if [ ! -s /sysroot/etc/machine-id ]; then
    tr -d '-' < /proc/sys/kernel/random/uuid > /sysroot/etc/machine-id
    say "machine-id=$(cat /sysroot/etc/machine-id) (first boot)"
  else
    say "machine-id=$(cat /sysroot/etc/machine-id)"
  fi
  for d in etc var home; do
    mkdir -p "/$d"
    mount -o bind "/sysroot/$d" "/$d" || fail "cannot bind /sysroot/$d to /$d"
  done
  if [ -f /var/lib/coreos-install/user_data ]; then
    if cairn cloud-config apply /var/lib/coreos-install/user_data > /tmp/apply.out 2>&1; then
      tell "config: " /tmp/apply.out
    else
      tell "config: " /tmp/apply.out
      fail "cairn cloud-config apply /var/lib/coreos-install/user_data failed"
    fi
  else
    say "config=none"
  fi
else
  say "root=none"
fi
[ -s /etc/hostname ] && hostname -F /etc/hostname
say "hostname=$(hostname)"
if [ -f /etc/coreos/update.conf ]; then
  say "update.conf $(tr '\n' ' ' < /etc/coreos/update.conf)"
fi

net=up
network || { net=none; say "net=none"; }

if [ -x /usr/lib/cairn-vm/health ] && /usr/lib/cairn-vm/health > /tmp/health.out 2>&1; then
  say "health=good"
  if cairn agent mark-good > /tmp/mark.out 2>&1; then
    tell "mark-good: " /tmp/mark.out
  else
    tell "mark-good: " /tmp/mark.out
    fail "cairn agent mark-good failed"
  fi
else
  tell "health: " /tmp/health.out 2>/dev/null
  say "health=bad"
  say "rebooting: health check failed"
  halt reboot
fi

if [ "$agent" = update ] && [ "$net" = up ]; then
  CAIRN_JIT=$JIT cairn agent update > /tmp/agent.out 2>&1
  code=$?
  tell "agent: " /tmp/agent.out
  say "agent=exit $code"
  if [ "$code" -eq 0 ] && grep -q 'installed; it runs after a reboot' /tmp/agent.out; then
    say "rebooting: update installed"
    halt reboot
  fi
fi
say "done"
halt poweroff
