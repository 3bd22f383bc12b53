#!/bin/busybox sh
# The network-boot check: load the NIC driver, take a DHCP lease, fetch the cloud-config named by
# cairn.config=URL on the kernel command line, and report each step on the first serial port as a
# "CAIRN-VM: " line; then power off. A failed step reports "CAIRN-VM: FAIL reason" and powers off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys

# (busybox 1.35's wget -T crashes: timeouts come from timeout instead.)
say() { echo "CAIRN-VM: $*" > /dev/ttyS0; }
fail() {
  say "FAIL $*"
  poweroff -f
  sleep 3600
}

say "init $(uname -r)"
if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi
say "uuid=$(cat /sys/class/dmi/id/product_uuid 2>/dev/null)"

loaded=""
for m in $(cat /etc/cairn-vm/modules); do
  insmod "/lib/modules/$m" || fail "insmod $m"
  loaded="$loaded $m"
done
say "modules$loaded"

i=0
while [ ! -e /sys/class/net/eth0 ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "no eth0 10 s after loading the NIC driver"
  usleep 100000
done
say "mac=$(cat /sys/class/net/eth0/address)"
ip link set lo up
ip link set eth0 up || fail "cannot bring eth0 up"
udhcpc -i eth0 -n -q -t 10 -T 1 -s /etc/cairn-vm/udhcpc.script || fail "no DHCP lease on eth0"
say "net up ip=$(ip -4 -o addr show dev eth0 | sed -n 's/.* inet \([^ ]*\).*/\1/p')"

cmdline="$(cat /proc/cmdline)"
say "cmdline=$cmdline"
url=""
for w in $cmdline; do
  case "$w" in cairn.config=*) url="${w#cairn.config=}" ;; esac
done
[ -n "$url" ] || fail "no cairn.config= on the kernel command line"
say "config url=$url"
timeout 30 wget -q -O /tmp/cloud-config "$url" || fail "cannot fetch $url"
[ "$(head -n 1 /tmp/cloud-config)" = "#cloud-config" ] || fail "$url does not start with #cloud-config"
name="$(sed -n 's/^hostname:[[:space:]]*//p' /tmp/cloud-config | head -n 1)"
[ -n "$name" ] || fail "$url names no hostname"
hostname "$name"
say "hostname=$name"

if [ -f /etc/cairn-vm/unreachable ]; then
  while read -r u; do
    # Any HTTP status line means the connection got through, whatever the status.
    if timeout 10 wget -S -O /dev/null "$u" 2>&1 | grep -q 'HTTP/[0-9]'; then fail "reached $u"; fi
    say "unreachable $u"
  done < /etc/cairn-vm/unreachable
fi

say "done"
poweroff -f
sleep 3600
