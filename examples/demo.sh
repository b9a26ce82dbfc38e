#!/usr/bin/env bash
# One command for a newcomer on a fresh Debian 12 machine, as root: installs
# and builds mfgctl, starts two local test gateways and a hypervisor (real
# Debian hosts with systemd and sshd, in network namespaces; the hypervisor
# runs libvirtd and QEMU) and the Google Pub/Sub emulator for the plant's
# digital twin, and shows the plan for the example plant against them. Pass
# "apply" to apply it as well.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
./tests/hosts/testhosts.sh up 3 1
rc=0; ./tests/cloud/pubsub_emulator.sh up 8085 || rc=$?
if [ $rc = 3 ]; then
  echo "demo: the Pub/Sub emulator is not installed; install Google's google-cloud-cli-pubsub-emulator package (it brings Java's emulator under /usr/lib/google-cloud-sdk)" >&2
  exit 1
fi
[ $rc = 0 ] || exit $rc
export PUBSUB_EMULATOR_HOST=127.0.0.1:8085
keys=${MFGCTL_TEST_HOSTS:-/run/mfgctl-test}
state=$(mktemp -d)/line-demo.state.json
set -x
./build/mfgctl plan -f examples/line-demo/plant.yaml --var keys="$keys" --state "$state"
if [ "${1:-}" = apply ]; then
  ./build/mfgctl apply -f examples/line-demo/plant.yaml --var keys="$keys" --state "$state" --auto-approve
  ./build/mfgctl plan -f examples/line-demo/plant.yaml --var keys="$keys" --state "$state"
fi
