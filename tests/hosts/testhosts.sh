#!/usr/bin/env bash
# Real Debian test hosts for mfgctl's end-to-end tests and benchmarks.
#
# Each host is a systemd-nspawn container booting real systemd and sshd, on a
# copy-on-write overlay of one debootstrapped base, with its own network
# namespace on a bridge. Installing a package on one host leaves the others
# and this machine untouched.
#
#   testhosts.sh up N [HV] [CT]
#                         start N hosts (tears down leftovers first), the
#                         last HV of them hypervisors (libvirtd + QEMU/TCG),
#                         the CT before those container gateways (podman);
#                         writes $MFGCTL_TEST_HOSTS/{id_ed25519,known_hosts,hosts}
#   testhosts.sh down     stop every host and remove kernel objects
#   testhosts.sh base     build the cached base image only
#
# MFGCTL_TEST_EXTRA_PACKAGES="python3 python3-apt" adds packages to the base.
#
# $RUN/wheels holds two versions of a tiny Python wheel (mfg-demo-lib).
#
# Host i (1..N) answers on 10.200.0.(10+i) as root with the key id_ed25519 there.
# The hosts have no route out; packages come from a local apt repository
# (file:/srv/mfgctl-repo inside each host) that this script builds.
set -euo pipefail

BRIDGE=mfgt0
SUBNET=10.200.0
CACHE=${MFGCTL_TEST_CACHE:-/var/cache/mfgctl-test}
RUN=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
CG=mfgctl-test
# Bump when the base recipe below changes; the cached image is keyed by it.
RECIPE=5
# Extra Debian packages in the base image (the benchmark's hosts carry
# python3 for Ansible); a different list is a different cached image.
EXTRA=${MFGCTL_TEST_EXTRA_PACKAGES:-}
BASE=$CACHE/base-$RECIPE${EXTRA:+-$(echo "$EXTRA" | tr ' ,' '__')}
REPO=$CACHE/repo-$RECIPE
# Hypervisor hosts: the base plus libvirt and QEMU (TCG: no /dev/kvm needed).
HV_RECIPE=1
HV_BASE=$BASE-hv$HV_RECIPE
HV_PACKAGES="libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils dnsmasq-base genisoimage"
# Container gateways: the base plus podman (and busybox-static, the test
# images' only program).
CT_RECIPE=2
CT_BASE=$BASE-ct$CT_RECIPE
CT_PACKAGES="podman uidmap fuse-overlayfs slirp4netns catatonit busybox-static"

log() { echo "testhosts: $*" >&2; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    --no-install-recommends "${missing[@]}" >&2
}

mirror() {
  local m
  m=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$m" ] || m=$(grep -h '^deb ' /etc/apt/sources.list 2>/dev/null | head -n1 | awk '{print $2}')
  [ -n "$m" ] || { log "no apt mirror configured on this machine"; exit 1; }
  echo "$m"
}

# A tiny local apt repository: real Debian packages fetched once on this
# machine plus packages built here, indexed with dpkg-scanpackages.
build_repo() {
  [ -f "$REPO/Packages" ] && return 0
  log "building local apt repository in $REPO"
  rm -rf "$REPO.tmp" && mkdir -p "$REPO.tmp"
  (cd "$REPO.tmp" && apt-get download sl libncurses6 >&2)
  for v in 1.0-1 2.0-1; do
    local d="$REPO.tmp/build-mfg-demo-$v"
    mkdir -p "$d/DEBIAN" "$d/usr/share/mfg-demo"
    cat >"$d/DEBIAN/control" <<CTL
Package: mfg-demo
Version: $v
Architecture: all
Maintainer: mfgctl tests <tests@mfgctl.invalid>
Description: mfgctl test package
CTL
    echo "mfg-demo $v" >"$d/usr/share/mfg-demo/VERSION"
    dpkg-deb --root-owner-group --build "$d" "$REPO.tmp/mfg-demo_${v}_all.deb" >&2
    rm -rf "$d"
  done
  (cd "$REPO.tmp" && dpkg-scanpackages --multiversion . /dev/null >Packages 2>/dev/null)
  mv "$REPO.tmp" "$REPO"
}

# Two versions of a tiny pure-Python wheel, mfg-demo-lib, built with the
# base image's own python3 (this machine may have none) into
# /usr/local/share/mfgctl-test-wheels; `up` copies them to $RUN/wheels for
# the tests to upload.
build_wheels() {
  local out=/usr/local/share/mfgctl-test-wheels
  mkdir -p "$BASE.tmp$out"
  chroot "$BASE.tmp" python3 - "$out" <<'PY'
import base64, hashlib, sys, zipfile
for version in ("1.0", "2.0"):
    info = f"mfg_demo_lib-{version}.dist-info"
    files = {
        "mfg_demo_lib/__init__.py": f'VERSION = "{version}"\n',
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: mfg-demo-lib\nVersion: {version}\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: mfgctl-tests\n"
                         "Root-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [f"{name},sha256="
              + base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
              + f",{len(text.encode())}" for name, text in files.items()]
    files[f"{info}/RECORD"] = "\n".join(record + [f"{info}/RECORD,,"]) + "\n"
    with zipfile.ZipFile(f"{sys.argv[1]}/mfg_demo_lib-{version}-py3-none-any.whl", "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
PY
}

build_base() {
  [ -f "$BASE/.complete" ] && return 0
  apt_install debootstrap systemd-container openssh-client iproute2 dpkg-dev
  build_repo
  log "debootstrapping base image into $BASE (about a minute, once)"
  rm -rf "$BASE.tmp"
  debootstrap --variant=minbase \
    --include=systemd,systemd-sysv,dbus,openssh-server,iproute2,ca-certificates,sudo,python3-venv${EXTRA:+,$(echo "$EXTRA" | tr ' ' ',')} \
    bookworm "$BASE.tmp" "$(mirror)" >&2
  chroot "$BASE.tmp" apt-get clean
  rm -f "$BASE.tmp"/var/lib/dbus/machine-id "$BASE.tmp"/etc/ssh/ssh_host_*
  : >"$BASE.tmp/etc/machine-id"
  for u in apt-daily.timer apt-daily-upgrade.timer console-getty.service \
           systemd-networkd-wait-online.service; do
    ln -sf /dev/null "$BASE.tmp/etc/systemd/system/$u"
  done
  mkdir -p "$BASE.tmp/etc/ssh/sshd_config.d"
  cat >"$BASE.tmp/etc/ssh/sshd_config.d/mfgctl-test.conf" <<CONF
PermitRootLogin prohibit-password
PasswordAuthentication no
UseDNS no
MaxStartups 100:30:200
KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256
CONF
  # Packages come only from the local repository copied into each host.
  rm -f "$BASE.tmp"/etc/apt/sources.list.d/* 
  echo "deb [trusted=yes] file:/srv/mfgctl-repo ./" >"$BASE.tmp/etc/apt/sources.list"
  mkdir -p "$BASE.tmp/srv/mfgctl-repo"
  cp "$REPO"/*.deb "$REPO/Packages" "$BASE.tmp/srv/mfgctl-repo/"
  chroot "$BASE.tmp" apt-get update -q >&2
  chroot "$BASE.tmp" apt-cache gencaches >&2
  build_wheels
  touch "$BASE.tmp/.complete"
  mv "$BASE.tmp" "$BASE"
}

# A second base: a copy of the base with more packages installed from this
# machine's mirror (packages in the hosts still come only from the local
# repository), then `$2_setup` run on it. $1: its directory; $2: its kind.
build_layer() {
  local dir=$1 kind=$2 packages=$3
  [ -f "$dir/.complete" ] && return 0
  build_base
  log "building the $kind base image into $dir (once)"
  rm -rf "$dir.tmp"
  cp -a "$BASE" "$dir.tmp"
  rm -f "$dir.tmp/.complete"
  local t=$dir.tmp m
  for m in proc dev sys; do mount --bind "/$m" "$t/$m"; done
  cp /etc/resolv.conf "$t/etc/resolv.conf"
  mv "$t/etc/apt/sources.list" "$t/etc/apt/sources.list.local"
  cp -r /etc/apt/sources.list.d/. "$t/etc/apt/sources.list.d/" 2>/dev/null || true
  [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$t/etc/apt/sources.list"
  printf '#!/bin/sh\nexit 101\n' >"$t/usr/sbin/policy-rc.d" && chmod +x "$t/usr/sbin/policy-rc.d"
  local ok=0
  chroot "$t" apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive chroot "$t" apt-get install -y -q --no-install-recommends \
      $packages >&2 && ok=1
  for m in sys dev proc; do umount -l "$t/$m"; done
  [ $ok = 1 ] || { log "installing $packages into the $kind base failed"; exit 1; }
  rm -f "$t/usr/sbin/policy-rc.d" "$t/etc/apt/sources.list.d/"* "$t/etc/apt/sources.list"
  mv "$t/etc/apt/sources.list.local" "$t/etc/apt/sources.list"
  : >"$t/etc/resolv.conf"
  chroot "$t" apt-get clean
  chroot "$t" apt-get update -q >&2
  "${kind}_setup" "$t"
  touch "$t/.complete"
  mv "$t" "$dir"
}

# nspawn's cgroups are read-only to libvirt; guests without an OS would
# hold every shutdown for 300 s.
hypervisor_setup() {
  echo 'cgroup_controllers = [ ]' >>"$1/etc/libvirt/qemu.conf"
  ln -sf /dev/null "$1/etc/systemd/system/libvirt-guests.service"
}

# podman inside nspawn: no kernel keyring, cgroups read-only (limits are
# recorded, not enforced), no /dev/fuse for overlay storage. A busybox-static
# rootfs in /usr/local/share/mfgctl-test-rootfs.tar is what tests build
# their images from (`podman import`): no registry is reachable.
container_setup() {
  mkdir -p "$1/etc/containers/containers.conf.d"
  printf '[containers]\nkeyring = false\ncgroups = "disabled"\n' \
    >"$1/etc/containers/containers.conf.d/10-nspawn.conf"
  printf '[storage]\ndriver = "vfs"\nrunroot = "/run/containers/storage"\ngraphroot = "/var/lib/containers/storage"\n' \
    >"$1/etc/containers/storage.conf"
  local r=$1/tmp/rootfs
  rm -rf "$r" && mkdir -p "$r/bin" "$r/etc" "$r/data"
  cp "$1/bin/busybox" "$r/bin/busybox"
  for c in sh cat echo env sleep ls httpd nc; do ln -s busybox "$r/bin/$c"; done
  tar -C "$r" -cf "$1/usr/local/share/mfgctl-test-rootfs.tar" .
  rm -rf "$r"
}

build_hv_base() { build_layer "$HV_BASE" hypervisor "$HV_PACKAGES"; }
build_ct_base() { build_layer "$CT_BASE" container "$CT_PACKAGES"; }

down() {
  # Kill every nspawn we started, then clear kernel objects left by any run.
  if [ -d "$RUN" ]; then
    for pidf in "$RUN"/h*/nspawn.pid; do
      [ -f "$pidf" ] || continue
      kill -TERM "$(cat "$pidf")" 2>/dev/null || true
    done
    for i in $(seq 1 50); do
      alive=0
      for pidf in "$RUN"/h*/nspawn.pid; do
        [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null && alive=1
      done
      [ $alive = 0 ] && break
      sleep 0.2
    done
    for pidf in "$RUN"/h*/nspawn.pid; do
      [ -f "$pidf" ] && kill -KILL "$(cat "$pidf")" 2>/dev/null || true
    done
  fi
  pkill -KILL -f "systemd-nspawn .*-M mfgt-h" 2>/dev/null || true
  # A container whose nspawn died keeps running under init: kill what is
  # left in our cgroups so the namespaces and veths can go.
  for ctl in systemd unified; do
    [ -d "/sys/fs/cgroup/$ctl/$CG" ] || continue
    for i in 1 2 3 4 5 6 7 8 9 10; do
      pids=$(find "/sys/fs/cgroup/$ctl/$CG" -name cgroup.procs -exec cat {} + 2>/dev/null)
      [ -z "$pids" ] && break
      kill -KILL $pids 2>/dev/null || true
      sleep 0.2
    done
  done
  for m in $(awk '$2 ~ /mfgctl-test/ {print $2}' /proc/mounts | sort -r); do
    umount -l "$m" 2>/dev/null || true
  done
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^mfgt-h' || true); do
    ip netns del "$ns" 2>/dev/null || true
  done
  for l in $(ip -o link 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^mfgt-v' || true); do
    ip link del "$l" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
  for ctl in systemd unified; do
    [ -d "/sys/fs/cgroup/$ctl/$CG" ] || continue
    find "/sys/fs/cgroup/$ctl/$CG" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$RUN"
}

# Runs as its own session (setsid) so that the host outlives the shell that
# started it; the test run stops it with `down`.
boot_host() {
  setsid "$0" _boot "$@" </dev/null >"$RUN/h$1/console.log" 2>&1 &
  echo $! >"$RUN/h$1/nspawn.pid"
}

boot_exec() {
  local i=$1 root=$2 ns=$3
  for ctl in systemd unified; do
    if [ -d "/sys/fs/cgroup/$ctl" ]; then
      mkdir -p "/sys/fs/cgroup/$ctl/$CG/h$i"
      echo $$ >"/sys/fs/cgroup/$ctl/$CG/h$i/cgroup.procs"
    fi
  done
  # /proc/sys/net belongs to the host's own network namespace: let it be
  # written (sysctl resources) with CAP_NET_ADMIN inside it; the rest of
  # /proc/sys stays read-only.
  # A reboot inside the host ends nspawn with 133: boot it again, as
  # systemd-nspawn@.service does. The network namespace outlives a boot:
  # what the last boot made in it (bridges, veths, firewall rules) goes
  # first, as a real reboot would clear it.
  while :; do
    for l in $(ip -n "$ns" -o link 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//'); do
      [ "$l" = lo ] || [ "$l" = eth0 ] || ip -n "$ns" link del "$l" 2>/dev/null || true
    done
    if command -v nft >/dev/null 2>&1; then
      ip netns exec "$ns" nft flush ruleset 2>/dev/null || true
    fi
    if command -v iptables >/dev/null 2>&1; then
      for t in filter nat mangle; do
        ip netns exec "$ns" iptables -t "$t" -F 2>/dev/null || true
        ip netns exec "$ns" iptables -t "$t" -X 2>/dev/null || true
      done
    fi
    rc=0
    SYSTEMD_NSPAWN_API_VFS_WRITABLE=network systemd-nspawn -q --boot --capability=CAP_NET_ADMIN --register=no --keep-unit -M "mfgt-h$i" -D "$root" \
      --network-namespace-path="/run/netns/$ns" || rc=$?
    [ "$rc" = 133 ] || exit "$rc"
  done
}

up() {
  local n=$1 hv=${2:-0} ct=${3:-0}
  build_base
  [ "$hv" -gt 0 ] && build_hv_base
  [ "$ct" -gt 0 ] && build_ct_base
  down
  mkdir -p "$RUN"
  chmod 0700 "$RUN"
  ssh-keygen -q -t ed25519 -N '' -C mfgctl-test -f "$RUN/id_ed25519"
  : >"$RUN/known_hosts"
  : >"$RUN/hosts"
  ip link add "$BRIDGE" type bridge
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for i in $(seq 1 "$n"); do
    local h="$RUN/h$i" ns="mfgt-h$i" addr="$SUBNET.$((10 + i))"
    local lower=$BASE
    [ "$i" -gt $((n - hv - ct)) ] && lower=$CT_BASE
    [ "$i" -gt $((n - hv)) ] && lower=$HV_BASE
    mkdir -p "$h/up" "$h/work" "$h/root"
    mount -t overlay overlay -o "lowerdir=$lower,upperdir=$h/up,workdir=$h/work" "$h/root"
    echo "h$i" >"$h/root/etc/hostname"
    # Its own name resolves without DNS (the namespace reaches none).
    echo "127.0.1.1 h$i" >>"$h/root/etc/hosts"
    ssh-keygen -q -t ed25519 -N '' -C "h$i" -f "$h/root/etc/ssh/ssh_host_ed25519_key"
    echo "$addr $(cut -d' ' -f1,2 "$h/root/etc/ssh/ssh_host_ed25519_key.pub")" >>"$RUN/known_hosts"
    mkdir -p -m 0700 "$h/root/root/.ssh"
    cp "$RUN/id_ed25519.pub" "$h/root/root/.ssh/authorized_keys"
    ip netns add "$ns"
    ip link add "mfgt-v$i" type veth peer name eth0 netns "$ns"
    ip link set "mfgt-v$i" master "$BRIDGE" up
    ip -n "$ns" addr add "$addr/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    echo "h$i $addr" >>"$RUN/hosts"
    boot_host "$i" "$h/root" "$ns"
  done
  # Ready when every host's systemd says it is running and sshd answers.
  local deadline=$((SECONDS + 180))
  for i in $(seq 1 "$n"); do
    local addr="$SUBNET.$((10 + i))"
    until ssh -q -o BatchMode=yes -o ConnectTimeout=2 -o UserKnownHostsFile="$RUN/known_hosts" \
        -o StrictHostKeyChecking=yes -i "$RUN/id_ed25519" "root@$addr" \
        'systemctl is-system-running --wait >/dev/null 2>&1; true' 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then
        log "host h$i ($addr) did not come up; console:"; tail -n 30 "$RUN/h$i/console.log" >&2
        exit 1
      fi
      sleep 0.3
    done
  done
  rm -rf "$RUN/wheels" && cp -r "$BASE/usr/local/share/mfgctl-test-wheels" "$RUN/wheels"
  log "$n hosts up; key $RUN/id_ed25519, known_hosts $RUN/known_hosts"
}

case "${1:-}" in
  up) up "${2:-3}" "${3:-0}" "${4:-0}" ;;
  down) down ;;
  base) build_base ;;
  hv-base) build_hv_base ;;
  ct-base) build_ct_base ;;
  _boot) shift; boot_exec "$@" ;;
  *) echo "usage: $0 up N [HV] [CT] | down | base | hv-base | ct-base" >&2; exit 2 ;;
esac
