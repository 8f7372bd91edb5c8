#!/bin/sh
# The VM tier's guest image, built from Debian packages only: debootstrap (minbase) of bookworm,
# Debian's stock kernel (linux-image-amd64) with its modules, systemd as PID 1, openssh-server
# and curl. The packages the installer installs (frr, wireguard-tools, iputils-ping, nodejs) are
# NOT installed: only their .debs and apt's package lists are left in the image, so the guests,
# which have no route to a mirror, run the installer's real `apt-get install` offline.
#
# Usage: build-image.sh OUT_DIR [MIRROR]. Writes OUT_DIR/{root.img,vmlinuz,initrd.img,id_ed25519}.
# The harness caches OUT_DIR outside the repository, keyed by a hash of this file.
set -eu

out=$1
mirror=${2:-http://deb.debian.org/debian}
work="$out.tmp.$$"
root="$work/root"

cleanup() {
	for fs in dev/pts dev proc sys; do
		if mountpoint -q "$root/$fs" 2>/dev/null; then umount -l "$root/$fs"; fi
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

mkdir -p "$work"
echo "[image] debootstrap bookworm (minbase) from $mirror"
debootstrap --variant=minbase \
	--include=systemd-sysv,udev,dbus,kmod,iproute2,procps,openssh-server,curl,ca-certificates,sudo,initramfs-tools \
	bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
	tail -n 30 "$work/debootstrap.log" >&2
	exit 1
}

mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF

# A small initramfs: only what mounting a virtio disk needs (MODULES=most would carry every
# storage driver, which emulation then has to decompress at every boot).
mkdir -p "$root/etc/initramfs-tools/conf.d"
printf 'MODULES=list\nCOMPRESS=gzip\n' >"$root/etc/initramfs-tools/conf.d/meshover-vm.conf"
printf 'virtio_pci\nvirtio_blk\next4\n' >>"$root/etc/initramfs-tools/modules"

echo "[image] apt-get update; linux-image-amd64"
in_root apt-get update -qq
in_root apt-get install -y -qq --no-install-recommends linux-image-amd64 >"$work/kernel.log" 2>&1 || {
	tail -n 30 "$work/kernel.log" >&2
	exit 1
}
in_root apt-get clean

echo "[image] caching the installer's packages (not installed)"
in_root apt-get install -y -qq --no-install-recommends --download-only \
	frr frr-pythontools wireguard-tools iputils-ping nodejs >"$work/download.log" 2>&1 || {
	tail -n 30 "$work/download.log" >&2
	exit 1
}

kver=$(ls "$root/lib/modules" | head -n 1)
# Drivers no guest here has: smaller image, same kernel.
for dir in drivers/gpu drivers/media drivers/net/wireless drivers/infiniband drivers/staging \
	drivers/bluetooth drivers/isdn drivers/iio drivers/hid sound; do
	rm -rf "$root/lib/modules/$kver/kernel/$dir"
done
in_root depmod -a "$kver"

# Network: eth0 gets the address the harness passes on the kernel command line (vmnet.addr=).
cat >"$root/usr/local/sbin/vmnet-up" <<'EOF'
#!/bin/sh
for word in $(cat /proc/cmdline); do
	case "$word" in vmnet.addr=*) addr=${word#vmnet.addr=} ;; esac
done
ip link set lo up
ip link set eth0 up
[ -n "${addr:-}" ] && ip -6 addr replace "$addr" dev eth0 nodad
exit 0
EOF
chmod 0755 "$root/usr/local/sbin/vmnet-up"
cat >"$root/etc/systemd/system/vmnet.service" <<'EOF'
[Unit]
Description=VM tier test network (address from the kernel command line)
DefaultDependencies=no
After=systemd-udevd.service sys-subsystem-net-devices-eth0.device
Wants=sys-subsystem-net-devices-eth0.device
Before=network-online.target network.target
[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/usr/local/sbin/vmnet-up
[Install]
WantedBy=network-online.target multi-user.target
EOF
in_root systemctl enable vmnet.service >/dev/null 2>&1
in_root systemctl mask apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	fstrim.timer man-db.timer getty@tty1.service >/dev/null 2>&1 || true

echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" >"$root/etc/fstab"
echo "vm" >"$root/etc/hostname"

# Root logs in with the tier's throwaway key (the guests are reachable only inside the tier's
# namespace); "tester" is the unprivileged user of the "refuses without root" test.
ssh-keygen -q -t ed25519 -N "" -C meshover-vm -f "$work/id_ed25519"
install -d -m 0700 "$root/root/.ssh"
install -m 0600 "$work/id_ed25519.pub" "$root/root/.ssh/authorized_keys"
in_root useradd -m -s /bin/sh tester
install -d -m 0700 -o 1000 -g 1000 "$root/home/tester/.ssh"
install -m 0600 -o 1000 -g 1000 "$work/id_ed25519.pub" "$root/home/tester/.ssh/authorized_keys"

cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$work/initrd.img"

for fs in dev/pts dev proc sys; do umount -l "$root/$fs"; done
echo "[image] ext4 image"
used_mb=$(du -sm "$root" | cut -f1)
mkfs.ext4 -q -F -L root -d "$root" "$work/root.img" "$((used_mb + 700))M"
rm -rf "$root"
echo "$kver" >"$work/kernel-version"
rm -rf "$out"
mv "$work" "$out"
trap - EXIT INT TERM
echo "[image] done: $out ($(du -sh "$out/root.img" | cut -f1) image, kernel $kver)"
