#!/bin/busybox sh
# The test OS's first boot steps, as a CoreOS machine takes them after GRUB: load the ext4 and
# virtio modules, find the disk, choose the USR slot with "cairn gpt next" (GRUB's gptprio.next:
# it decrements the tries of a slot being tried), mount that slot read-only at /usr, read its
# release file. Each step is a "CAIRN-VM: " line on the first serial port; a failed step is
# "CAIRN-VM: FAIL reason". Then power off.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
mount -t proc proc /proc
mount -t sysfs sysfs /sys

say() { echo "CAIRN-VM: $*" > /dev/ttyS0; }
fail() {
  say "FAIL $*"
  poweroff -f
  sleep 3600
}

say "init $(uname -r)"
if [ -d /sys/firmware/efi ]; then say "firmware=uefi"; else say "firmware=bios"; fi

loaded=""
for m in $(cat /etc/cairn-vm/modules); do
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

usr=$(/opt/cairn/jre/bin/java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:-UsePerfData -Xss512k -Xmx64m \
  -cp "$(cat /etc/cairn-vm/classpath)" dev.cairn.cli.Cairn gpt next "$disk" 2>/tmp/gpt-next.err)
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
umount /usr
say "done"
poweroff -f
sleep 3600
