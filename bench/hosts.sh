#!/usr/bin/env bash
# bench/hosts: mfgctl against N real test hosts with M resources each, and,
# measured in the same run, the floor (N parallel bare OpenSSH logins running
# one command) and — when ansible-playbook is installed — Ansible doing the
# same work with the same hosts, with the ratios.
#
#   bench/hosts.sh [N=20] [FILES=2000]
#
# Then it applies FILES new files (40 directories) to one host and compares
# that with its floor: the same files sent as one tar stream over one SSH
# login. BENCH_PARTS=files measures only that part (one host).
#
# Each host gets 20 resources: 4 directories, 8 files, 4 packages already
# present, 2 users, 2 sysctl parameters. The hosts carry python3 and
# python3-apt, which Ansible needs on its targets. Run as root; builds mfgctl
# first if needed. Leaves the hosts down.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
FILES=${2:-2000}
PARTS=${BENCH_PARTS:-hosts,files}
[[ $PARTS == *hosts* ]] || N=1
ROOT=$(pwd)
export MFGCTL_TEST_EXTRA_PACKAGES="python3 python3-apt"
HOSTS=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
WORK=$(mktemp -d /tmp/mfgctl-bench-hosts.XXXXXX)
trap '"$ROOT/tests/hosts/testhosts.sh" down >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -x build/mfgctl ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh

hosts_up() { ./tests/hosts/testhosts.sh up "$N" >/dev/null 2>"$WORK/up.log" || { cat "$WORK/up.log"; exit 1; }; }
addr() { echo "10.200.0.$((10 + $1))"; }

# --- the blueprint -----------------------------------------------------------
{
  echo "mfgctl: 1"
  echo "plant: bench-hosts"
  echo "providers:"
  echo "  ssh: { user: root, identity_file: $HOSTS/id_ed25519, known_hosts: $HOSTS/known_hosts }"
  echo "gateway_groups:"
  echo "  line:"
  echo -n "    members: ["
  for i in $(seq 1 "$N"); do echo -n "h$i"; [ "$i" -lt "$N" ] && echo -n ", "; done
  echo "]"
  echo "    packages: [sed, grep, gzip, tar]"
  echo "    users:"
  echo "      bench1: { uid: 2001, shell: /bin/bash }"
  echo "      bench2: { uid: 2002, shell: /bin/bash }"
  echo "    sysctl:"
  echo "      net.ipv4.ip_forward: \"1\""
  echo "      net.ipv4.tcp_syncookies: \"1\""
  echo "    directories:"
  for d in 1 2 3 4; do echo "      /srv/bench/d$d: { mode: \"0750\" }"; done
  echo "gateways:"
  for i in $(seq 1 "$N"); do
    echo "  h$i:"
    echo "    address: $(addr "$i")"
    echo "    files:"
    for d in 1 2 3 4; do for f in 1 2; do
      echo "      /srv/bench/d$d/f$f.conf: { content: \"host h$i file $d.$f\\n\", mode: \"0640\" }"
    done; done
  done
} >"$WORK/plant.yaml"

# --- the equivalent playbook -------------------------------------------------
if command -v ansible-playbook >/dev/null; then
  {
    echo "[line]"
    for i in $(seq 1 "$N"); do echo "h$i ansible_host=$(addr "$i") idx=$i"; done
  } >"$WORK/inventory"
  cat >"$WORK/ansible.cfg" <<CFG
[defaults]
forks = $N
host_key_checking = True
interpreter_python = /usr/bin/python3
[ssh_connection]
pipelining = True
ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o UserKnownHostsFile=$HOSTS/known_hosts
CFG
  {
    echo "- hosts: line"
    echo "  gather_facts: false"
    echo "  remote_user: root"
    echo "  vars: { ansible_ssh_private_key_file: $HOSTS/id_ed25519 }"
    echo "  tasks:"
    echo "    - ansible.builtin.apt: { name: [sed, grep, gzip, tar], state: present }"
    echo "    - ansible.builtin.user: { name: bench1, uid: 2001, shell: /bin/bash }"
    echo "    - ansible.builtin.user: { name: bench2, uid: 2002, shell: /bin/bash }"
    for k in net.ipv4.ip_forward net.ipv4.tcp_syncookies; do
      echo "    - ansible.builtin.copy: { dest: /etc/sysctl.d/60-bench-$k.conf, content: \"$k = 1\\n\" }"
      echo "    - ansible.builtin.command: sysctl -w $k=1"
      echo "      changed_when: false"
    done
    for d in 1 2 3 4; do
      echo "    - ansible.builtin.file: { path: /srv/bench/d$d, state: directory, mode: \"0750\" }"
    done
    for d in 1 2 3 4; do for f in 1 2; do
      echo "    - ansible.builtin.copy: { dest: /srv/bench/d$d/f$f.conf, content: \"host h{{ idx }} file $d.$f\\n\", mode: \"0640\" }"
    done; done
  } >"$WORK/playbook.yml"
fi

# --- FILES new files on one host, and their floor ----------------------------
files_bench() {
  local dir="$WORK/files" t0 i
  mkdir -p "$dir/tree"
  {
    echo "mfgctl: 1"
    echo "plant: bench-files"
    echo "gateways:"
    echo "  h1:"
    echo "    address: $(addr 1)"
    echo "    user: root"
    echo "    identity_file: $HOSTS/id_ed25519"
    echo "    known_hosts: $HOSTS/known_hosts"
    echo "    files:"
    for i in $(seq 1 "$FILES"); do
      echo "      /srv/bench-files/d$((i % 40))/f$i.conf: { content: \"file $i\\n\", mode: \"0640\" }"
      mkdir -p "$dir/tree/d$((i % 40))"
      printf 'file %s\n' "$i" >"$dir/tree/d$((i % 40))/f$i.conf"
    done
  } >"$dir/plant.yaml"
  t0=$(now)
  tar -C "$dir/tree" -cf - . | ssh -q -o BatchMode=yes -o ControlMaster=no \
    -o UserKnownHostsFile="$HOSTS/known_hosts" -i "$HOSTS/id_ed25519" "root@$(addr 1)" \
    'mkdir -p /srv/bench-tar && tar -C /srv/bench-tar -xf -'
  f_floor=$(elapsed "$t0" "$(now)")
  t0=$(now)
  (cd "$dir" && "$ROOT/build/mfgctl" apply --auto-approve >"$dir/apply.log" 2>&1) ||
    { tail -30 "$dir/apply.log"; exit 1; }
  f_apply=$(elapsed "$t0" "$(now)")
  t0=$(now)
  (cd "$dir" && "$ROOT/build/mfgctl" plan --detailed-exitcode >"$dir/plan.log" 2>&1) ||
    { echo "converged plan was not empty:" >&2; tail -30 "$dir/plan.log" >&2; exit 1; }
  f_plan=$(elapsed "$t0" "$(now)")
  local made
  made=$(ssh -q -o BatchMode=yes -o UserKnownHostsFile="$HOSTS/known_hosts" \
    -i "$HOSTS/id_ed25519" "root@$(addr 1)" 'find /srv/bench-files -type f | wc -l')
  [ "$made" -eq "$FILES" ] || { echo "apply made $made files, not $FILES" >&2; exit 1; }
  printf '\n%-48s %8s\n' "what ($FILES new files on one host)" "seconds"
  printf '%-48s %8s\n' "floor: one tar stream over one OpenSSH login" "$f_floor"
  printf '%-48s %8s\n' "mfgctl apply" "$f_apply"
  printf '%-48s %8s\n' "mfgctl plan, converged" "$f_plan"
  echo
  echo "apply of $FILES files vs the tar floor:    $(ratio "$f_apply" "$f_floor")x the floor (goal <= 10x)"
}

if [[ $PARTS != *hosts* ]]; then
  echo "bench/hosts: $FILES files on one host"
  hosts_up
  files_bench
  exit 0
fi

echo "bench/hosts: $N hosts x 20 resources"
hosts_up

# The best of 3 runs, for the short measurements: on 2 cores one run can
# lose 0.1 s to anything else the machine does.

# --- the floor: N parallel bare OpenSSH logins running one command -----------
floor_once() {
  local t0
  t0=$(now)
  for i in $(seq 1 "$N"); do
    ssh -q -o BatchMode=yes -o ControlMaster=no -o UserKnownHostsFile="$HOSTS/known_hosts" \
      -i "$HOSTS/id_ed25519" "root@$(addr "$i")" true &
  done
  wait
  elapsed "$t0" "$(now)"
}
floor=$(least "$(floor_once)" "$(floor_once)" "$(floor_once)")

# --- Ansible: a converging run from fresh hosts, then --check when converged --
if [ -f "$WORK/playbook.yml" ]; then
  export ANSIBLE_CONFIG="$WORK/ansible.cfg"
  t0=$(now)
  ansible-playbook -i "$WORK/inventory" "$WORK/playbook.yml" >"$WORK/ansible-run.log" 2>&1 ||
    { tail -30 "$WORK/ansible-run.log"; exit 1; }
  a_run=$(elapsed "$t0" "$(now)")
  t0=$(now)
  ansible-playbook --check -i "$WORK/inventory" "$WORK/playbook.yml" >"$WORK/ansible-check.log" 2>&1 ||
    { tail -30 "$WORK/ansible-check.log"; exit 1; }
  a_check=$(elapsed "$t0" "$(now)")
  hosts_up  # fresh hosts again for mfgctl
fi

# --- mfgctl: apply from fresh hosts, then plan when converged -----------------
cd "$WORK"
t0=$(now)
"$ROOT/build/mfgctl" apply --auto-approve --parallelism "$N" >"$WORK/apply.log" 2>&1 ||
  { tail -30 "$WORK/apply.log"; exit 1; }
m_apply=$(elapsed "$t0" "$(now)")
plan_once() {
  local t0
  t0=$(now)
  "$ROOT/build/mfgctl" plan --parallelism "$N" --detailed-exitcode >"$WORK/plan.log" 2>&1 ||
    { echo "converged plan was not empty:" >&2; tail -30 "$WORK/plan.log" >&2; exit 1; }
  elapsed "$t0" "$(now)"
}
m_plan=$(least "$(plan_once)" "$(plan_once)" "$(plan_once)")
[[ $m_plan =~ ^[0-9.]+$ ]] || exit 1

printf '\n%-48s %8s\n' "what" "seconds"
printf '%-48s %8s\n' "floor: $N parallel bare OpenSSH logins (best of 3)" "$floor"
printf '%-48s %8s\n' "mfgctl plan, converged (best of 3)" "$m_plan"
printf '%-48s %8s\n' "mfgctl apply, from fresh hosts" "$m_apply"
if [ -n "${a_run:-}" ]; then
  printf '%-48s %8s\n' "ansible-playbook --check, converged" "$a_check"
  printf '%-48s %8s\n' "ansible-playbook, from fresh hosts" "$a_run"
  echo
  echo "converged plan vs ansible --check: $(ratio "$a_check" "$m_plan")x faster (goal >= 30x)"
  echo "apply vs ansible run:              $(ratio "$a_run" "$m_apply")x faster (goal >= 20x)"
else
  echo
  echo "(ansible-playbook not installed: apt-get install ansible-core to compare)"
fi
echo "converged plan vs the floor:       $(ratio "$m_plan" "$floor")x the floor (goal <= 1.5x)"
[[ $PARTS != *files* ]] || files_bench
