#!/usr/bin/env bash
# bench/fleet: `mfgctl fleet plan` of PLANTS plants of one host x 20
# resources each, converged, against, in the same run, the floor (PLANTS
# parallel bare OpenSSH logins running one command) and what a run-all
# wrapper does (PLANTS `mfgctl plan` processes, 10 at a time), with time and
# peak memory (GNU time's maximum resident set size). Then, without hosts,
# 1,000 plants x 100 resources through an in-memory provider
# (build/bench/mfgctl_fleet_bench).
#
#   bench/fleet.sh [PLANTS=50] [HOSTS=10]
#
# The plants share HOSTS test hosts (PLANTS/HOSTS plants on each), each
# plant its own folders and files there (/srv/bench/PLANT/...), named with
# ${var.site} in one shared blueprint. Each plant has 20 resources: 4
# directories, 8 files, 4 packages already present, 2 users, 2 sysctl
# parameters. Run as root; builds mfgctl first if needed. Leaves the hosts
# down.
set -euo pipefail
cd "$(dirname "$0")/.."
PLANTS=${1:-50}
N=${2:-10}
ROOT=$(pwd)
HOSTS=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
WORK=$(mktemp -d /tmp/mfgctl-bench-fleet.XXXXXX)
trap '"$ROOT/tests/hosts/testhosts.sh" down >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -x build/mfgctl ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh
addr() { echo "10.200.0.$((10 + $1))"; }

echo "bench/fleet: $PLANTS plants x 20 resources on $N test hosts"
./tests/hosts/testhosts.sh up "$N" >/dev/null 2>"$WORK/up.log" || { cat "$WORK/up.log"; exit 1; }

cat >"$WORK/plant.yaml" <<YAML
mfgctl: 1
plant: bench
variables:
  gw_address: {}
  site: {}
providers:
  ssh: { user: root, identity_file: $HOSTS/id_ed25519, known_hosts: $HOSTS/known_hosts }
gateways:
  gw:
    address: \${var.gw_address}
    packages: [sed, grep, gzip, tar]
    users:
      bench1: { uid: 2001, shell: /bin/bash }
      bench2: { uid: 2002, shell: /bin/bash }
    sysctl:
      net.ipv4.ip_forward: "1"
      net.ipv4.tcp_syncookies: "1"
    directories:
$(for d in 1 2 3 4; do echo "      \"/srv/bench/\${var.site}/d$d\": { mode: \"0750\" }"; done)
    files:
$(for d in 1 2 3 4; do for f in 1 2; do
  echo "      \"/srv/bench/\${var.site}/d$d/f$f.conf\": { content: \"\${var.site} file $d.$f\\n\", mode: \"0640\" }"
done; done)
YAML
{
  echo "mfgctl: 1"
  echo "fleet: bench"
  echo "blueprint: ./plant.yaml"
  echo "plants:"
  for p in $(seq 1 "$PLANTS"); do
    echo "  p$p: { variables: { gw_address: $(addr $(( (p - 1) % N + 1 ))), site: p$p } }"
  done
  # One plant at a time to converge: plants on one host share its users.
  echo "rollout: { max_parallel_plants: 1 }"
} >"$WORK/fleet.yaml"

cd "$WORK"
"$ROOT/build/mfgctl" fleet apply >"$WORK/apply.log" 2>&1 || { tail -30 "$WORK/apply.log"; exit 1; }

# --- the floor: PLANTS parallel bare OpenSSH logins ---------------------------
floor_once() {
  local t0
  t0=$(now)
  for p in $(seq 1 "$PLANTS"); do
    ssh -q -o BatchMode=yes -o ControlMaster=no -o UserKnownHostsFile="$HOSTS/known_hosts" \
      -i "$HOSTS/id_ed25519" "root@$(addr $(( (p - 1) % N + 1 )))" true &
  done
  wait
  elapsed "$t0" "$(now)"
}
floor=$(least "$(floor_once)" "$(floor_once)" "$(floor_once)")

# --- mfgctl fleet plan, converged: time and peak memory -----------------------
fleet_once() {
  local t0
  t0=$(now)
  /usr/bin/time -f %M -o "$WORK/fleet.rss" "$ROOT/build/mfgctl" fleet plan --detailed-exitcode \
    >"$WORK/plan.log" 2>&1 || { echo "converged fleet plan was not empty:" >&2; tail -30 "$WORK/plan.log" >&2; exit 1; }
  elapsed "$t0" "$(now)"
}
m_fleet=$(least "$(fleet_once)" "$(fleet_once)" "$(fleet_once)")
[[ $m_fleet =~ ^[0-9.]+$ ]] || exit 1
fleet_mib=$(( $(cat "$WORK/fleet.rss") / 1024 ))

# --- a run-all wrapper: one mfgctl plan per plant, 10 at a time ---------------
for p in $(seq 1 "$PLANTS"); do
  echo "--state .mfgctl/p$p.state.json --var gw_address=$(addr $(( (p - 1) % N + 1 ))) --var site=p$p"
done >"$WORK/each.args"
each_once() {
  local t0
  t0=$(now)
  xargs -P 10 -L 1 sh -c 'bin=$1; shift; /usr/bin/time -f %M -a -o "$0/each.rss" "$bin" plan --detailed-exitcode "$@" >/dev/null 2>&1 || exit 255' \
    "$WORK" "$ROOT/build/mfgctl" <"$WORK/each.args" || { echo "a plant's plan failed" >&2; exit 1; }
  elapsed "$t0" "$(now)"
}
: >"$WORK/each.rss"
m_each=$(least "$(each_once)" "$(each_once)" "$(each_once)")
[[ $m_each =~ ^[0-9.]+$ ]] || exit 1
# Peak memory of 10 processes at once: ten times the largest one.
each_mib=$(( $(sort -n "$WORK/each.rss" | tail -1) * 10 / 1024 ))

printf '\n%-58s %8s %8s\n' "what ($PLANTS plants, converged)" "seconds" "peak MiB"
printf '%-58s %8s %8s\n' "floor: $PLANTS parallel bare OpenSSH logins (best of 3)" "$floor" "-"
printf '%-58s %8s %8s\n' "mfgctl fleet plan, one process (best of 3)" "$m_fleet" "$fleet_mib"
printf '%-58s %8s %8s\n' "$PLANTS mfgctl plan processes, 10 at a time (best of 3)" "$m_each" "~$each_mib"
echo
echo "fleet plan vs the floor:           $(ratio "$m_fleet" "$floor")x the floor (goal <= 1.5x)"
echo "fleet plan vs a run-all wrapper:   $(ratio "$m_each" "$m_fleet")x faster"

echo
"$ROOT/build/bench/mfgctl_fleet_bench" 1000 100
