#!/usr/bin/env bash
# bench/hypervisor: a converged plan of one hypervisor — 20 VMs, 3 networks,
# 2 pools, 40 volumes — against, measured in the same run, the floor (one
# OpenSSH login running `virsh list --all`) and Ansible's community.libvirt
# checking the same definitions (`ansible-playbook --check`), with the
# ratios. Goal (issue 8): ≤ 2× the floor, ≥ 20× faster than Ansible.
#
#   bench/hypervisor.sh [VMS=20] [RUNS=5]
#
# The hypervisor is a test host with libvirtd + QEMU (TCG) and the Python
# bindings Ansible's modules need on their target. The VMs are defined
# stopped (they have no OS to boot; 20 emulated CPUs spinning in the BIOS
# would measure the machine, not the tools); reading a running VM costs the
# same. community.libvirt has no volume module: Ansible checks the networks,
# pools and VMs only, which favours it. Run as root; leaves the hosts down.
set -euo pipefail
cd "$(dirname "$0")/.."
VMS=${1:-20}
RUNS=${2:-5}
ROOT=$(pwd)
export MFGCTL_TEST_EXTRA_PACKAGES="python3 python3-libvirt python3-lxml"
HOSTS=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
WORK=$(mktemp -d /tmp/mfgctl-bench-hv.XXXXXX)
trap '"$ROOT/tests/hosts/testhosts.sh" down >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -x build/mfgctl ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh
best() { best_of "$RUNS" "$@"; }

./tests/hosts/testhosts.sh up 1 1 >/dev/null 2>"$WORK/up.log" || { cat "$WORK/up.log"; exit 1; }
ADDR=10.200.0.11
SSH=(ssh -q -o BatchMode=yes -o UserKnownHostsFile="$HOSTS/known_hosts" -i "$HOSTS/id_ed25519"
     root@"$ADDR")
"${SSH[@]}" 'virsh -q net-undefine default >/dev/null 2>&1; true'

# --- the blueprint -------------------------------------------------------------
{
  echo "mfgctl: 1"
  echo "plant: bench-hypervisor"
  echo "providers:"
  echo "  ssh: { user: root, identity_file: $HOSTS/id_ed25519, known_hosts: $HOSTS/known_hosts }"
  echo "hypervisors:"
  echo "  hv1:"
  echo "    address: $ADDR"
  echo "    networks:"
  for n in 1 2 3; do echo "      net$n: { mode: isolated, bridge: mfgb$n }"; done
  echo "    pools:"
  echo "      sys: { type: dir, path: /var/lib/bench-sys }"
  echo "      data: { type: dir, path: /var/lib/bench-data }"
  echo "    volumes:"
  for i in $(seq 1 "$VMS"); do
    echo "      vm$i-os: { pool: sys, capacity_gib: 8, format: qcow2 }"
    echo "      vm$i-data: { pool: data, capacity_gib: 4, format: qcow2 }"
  done
  echo "    vms:"
  for i in $(seq 1 "$VMS"); do
    echo "      vm$i:"
    echo "        vcpus: 1"
    echo "        memory_mib: 64"
    echo "        disks: [vm$i-os, vm$i-data]"
    echo "        interfaces: [{ network: net$(( (i % 3) + 1 )) }]"
    echo "        state: stopped"
  done
} >"$WORK/plant.yaml"

M=("$ROOT/build/mfgctl")
cd "$WORK"
t0=$(now); "${M[@]}" apply --auto-approve >"$WORK/apply.log" 2>&1 || { tail -20 "$WORK/apply.log"; exit 1; }
t1=$(now)
"${M[@]}" plan --detailed-exitcode >/dev/null 2>&1 || { echo "the second plan is not empty"; "${M[@]}" plan; exit 1; }
printf 'apply from empty (%s VMs, 3 networks, 2 pools, %s volumes): %.2f s\n' "$VMS" $((2 * VMS)) \
  "$(echo "$t1 - $t0" | bc -l)"

plan=$(best "${M[@]}" plan --detailed-exitcode)
floor=$(best "${SSH[@]}" 'virsh list --all')
echo "converged plan: ${plan} s (best of $RUNS)"
echo "floor, one SSH login running virsh list --all: ${floor} s"
echo "mfgctl / floor: $(ratio "$plan" "$floor")x (goal ≤ 2x)"

# --- Ansible, the same definitions -------------------------------------------
if ! command -v ansible-playbook >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ansible \
    >/dev/null 2>&1 || true
fi
if ! ansible-doc -t module community.libvirt.virt >/dev/null 2>&1; then
  echo "ansible (with community.libvirt) not installed: no peer figure"
  exit 0
fi
{
  echo "- hosts: hv"
  echo "  gather_facts: false"
  echo "  tasks:"
  for n in 1 2 3; do
    # The definitions libvirt holds now: the same ones mfgctl made.
    xml=$("${SSH[@]}" "virsh -q net-dumpxml --inactive net$n" | tr -d '\n' | sed "s/'/\"/g")
    echo "    - community.libvirt.virt_net: { name: net$n, command: define, xml: '$xml' }"
    echo "    - community.libvirt.virt_net: { name: net$n, state: active }"
    echo "    - community.libvirt.virt_net: { name: net$n, autostart: true }"
  done
  for p in sys data; do
    xml=$("${SSH[@]}" "virsh -q pool-dumpxml --inactive $p" | tr -d '\n' | sed "s/'/\"/g")
    echo "    - community.libvirt.virt_pool: { name: $p, command: define, xml: '$xml' }"
    echo "    - community.libvirt.virt_pool: { name: $p, state: active }"
    echo "    - community.libvirt.virt_pool: { name: $p, autostart: true }"
  done
  for i in $(seq 1 "$VMS"); do
    xml=$("${SSH[@]}" "virsh -q dumpxml --inactive vm$i" | tr -d '\n' | sed "s/'/\"/g")
    echo "    - community.libvirt.virt: { name: vm$i, command: define, xml: '$xml' }"
    echo "    - community.libvirt.virt: { name: vm$i, state: shutdown }"
  done
} >"$WORK/playbook.yml"
cat >"$WORK/ansible.cfg" <<EOF
[defaults]
inventory = $WORK/inventory
host_key_checking = True
interpreter_python = /usr/bin/python3
[ssh_connection]
ssh_args = -o UserKnownHostsFile=$HOSTS/known_hosts -o ControlMaster=auto -o ControlPersist=60s
pipelining = True
EOF
echo "[hv]" >"$WORK/inventory"
echo "$ADDR ansible_user=root ansible_ssh_private_key_file=$HOSTS/id_ed25519" >>"$WORK/inventory"
export ANSIBLE_CONFIG=$WORK/ansible.cfg
ansible-playbook --check playbook.yml >"$WORK/ansible.log" 2>&1 || { tail -30 "$WORK/ansible.log"; exit 1; }
grep -E "^$ADDR" "$WORK/ansible.log" | sed 's/^/ansible: /' || true
peer=$(best ansible-playbook --check playbook.yml)
echo "ansible-playbook --check: ${peer} s (best of $RUNS)"
echo "ansible / mfgctl: $(ratio "$peer" "$plan")x (goal ≥ 20x)"
