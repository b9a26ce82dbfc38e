#!/usr/bin/env bash
# bench/bundle: an offline bundle of SIZE MiB (16 files) uploaded to one real
# test host by mfgctl, against OpenSSH's scp (SFTP) of the same files in the
# same run — and, when ansible-playbook is installed, Ansible's copy module;
# then what a converged plan costs with the bundle's manifest, and without it
# (every file hashed on the host).
#
#   bench/bundle.sh [SIZE=256]
#
# Run as root; builds mfgctl first if needed. Leaves the hosts down.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-256}
ROOT=$(pwd)
HOSTS=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
WORK=$(mktemp -d /tmp/mfgctl-bench-bundle.XXXXXX)
trap '"$ROOT/tests/hosts/testhosts.sh" down >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

[ -x build/mfgctl ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh
rate() { echo "$SIZE / $1" | bc -l | xargs printf '%.0f'; }
ADDR=10.200.0.11
SSH=(ssh -q -o BatchMode=yes -o UserKnownHostsFile="$HOSTS/known_hosts" -i "$HOSTS/id_ed25519")

mkdir -p "$WORK/bundle"
for i in $(seq -w 1 16); do
  head -c $((SIZE * 1024 * 1024 / 16)) /dev/urandom >"$WORK/bundle/part-$i.bin"
done
cat >"$WORK/plant.yaml" <<YAML
mfgctl: 1
plant: bench-bundle
providers:
  ssh: { user: root, identity_file: $HOSTS/id_ed25519, known_hosts: $HOSTS/known_hosts }
gateways:
  h1:
    address: $ADDR
    bundles:
      /srv/bundle: ./bundle
YAML

echo "bench/bundle: $SIZE MiB in 16 files to one host"
./tests/hosts/testhosts.sh up 1 >/dev/null 2>"$WORK/up.log" || { cat "$WORK/up.log"; exit 1; }

t0=$(now)
scp -q -r -o BatchMode=yes -o UserKnownHostsFile="$HOSTS/known_hosts" -i "$HOSTS/id_ed25519" \
  "$WORK/bundle" "root@$ADDR:/srv/scp-bundle"
scp_s=$(elapsed "$t0" "$(now)")
"${SSH[@]}" "root@$ADDR" rm -rf /srv/scp-bundle

if command -v ansible-playbook >/dev/null; then
  echo "h1 ansible_host=$ADDR" >"$WORK/inventory"
  cat >"$WORK/copy.yml" <<YML
- hosts: h1
  gather_facts: false
  remote_user: root
  vars: { ansible_ssh_private_key_file: $HOSTS/id_ed25519, ansible_python_interpreter: /usr/bin/python3 }
  tasks:
    - ansible.builtin.copy: { src: $WORK/bundle/, dest: /srv/ansible-bundle/ }
YML
  if "${SSH[@]}" "root@$ADDR" command -v python3 >/dev/null; then
    t0=$(now)
    ANSIBLE_HOST_KEY_CHECKING=True ANSIBLE_SSH_ARGS="-o UserKnownHostsFile=$HOSTS/known_hosts" \
      ansible-playbook -i "$WORK/inventory" "$WORK/copy.yml" >"$WORK/ansible.log" 2>&1 ||
      { tail -20 "$WORK/ansible.log"; exit 1; }
    ansible_s=$(elapsed "$t0" "$(now)")
    "${SSH[@]}" "root@$ADDR" rm -rf /srv/ansible-bundle
  fi
fi

cd "$WORK"
t0=$(now)
"$ROOT/build/mfgctl" apply --auto-approve >"$WORK/apply.log" 2>&1 || { tail -20 "$WORK/apply.log"; exit 1; }
apply_s=$(elapsed "$t0" "$(now)")
t0=$(now)
"$ROOT/build/mfgctl" plan --detailed-exitcode >"$WORK/plan.log" 2>&1 ||
  { echo "converged plan was not empty:"; tail -20 "$WORK/plan.log"; exit 1; }
plan_s=$(elapsed "$t0" "$(now)")
# New mtimes, same bytes: the manifest no longer vouches for any file.
"${SSH[@]}" "root@$ADDR" 'touch /srv/bundle/*.bin'
t0=$(now)
"$ROOT/build/mfgctl" plan --detailed-exitcode >"$WORK/plan2.log" 2>&1 ||
  { echo "plan after touch was not empty:"; tail -20 "$WORK/plan2.log"; exit 1; }
hashed_s=$(elapsed "$t0" "$(now)")

printf '\n%-52s %8s %8s\n' "what" "seconds" "MiB/s"
printf '%-52s %8s %8s\n' "floor: scp -r (OpenSSH, SFTP)" "$scp_s" "$(rate "$scp_s")"
printf '%-52s %8s %8s\n' "mfgctl apply (upload, verify, move into place)" "$apply_s" "$(rate "$apply_s")"
[ -n "${ansible_s:-}" ] && printf '%-52s %8s %8s\n' "ansible copy module" "$ansible_s" "$(rate "$ansible_s")"
printf '%-52s %8s\n' "mfgctl plan, converged (manifest)" "$plan_s"
printf '%-52s %8s\n' "mfgctl plan, every file hashed on the host" "$hashed_s"
echo
echo "apply vs scp:              $(ratio "$apply_s" "$scp_s")x the time of scp"
[ -n "${ansible_s:-}" ] && echo "apply vs ansible copy:     $(ratio "$ansible_s" "$apply_s")x faster"
echo "manifest saves:            $(ratio "$hashed_s" "$plan_s")x on a converged plan"
