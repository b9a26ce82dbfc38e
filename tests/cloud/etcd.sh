#!/usr/bin/env bash
# etcd, for mfgctl's shared-state tests.
#
# Debian's etcd-server (3.4) on 127.0.0.1, one member, data in a fresh
# folder on every `up`; mfgctl talks to its v3 JSON gateway.
#
#   etcd.sh up [PORT]    install it once (apt) and start it: clients on PORT
#                        (default 2379), peers on PORT+1; waits until it is
#                        healthy. Exit 3 when it cannot be installed (tests
#                        skip)
#   etcd.sh down [PORT]  stop it; exit 0 even if it is not running
#
# $MFGCTL_TEST_CLOUD (default /run/mfgctl-cloud) holds etcd-PORT.{log,pid}
# and the data folder.
set -euo pipefail

RUN=${MFGCTL_TEST_CLOUD:-/run/mfgctl-cloud}
PORT=${2:-2379}
PEER=$((PORT + 1))
PIDF=$RUN/etcd-$PORT.pid
LOG=$RUN/etcd-$PORT.log
DATA=$RUN/etcd-$PORT.data

NAME=etcd
PATTERN="etcd --name mfgctl-test-$PORT"
# shellcheck source=tests/cloud/daemon.sh
. "$(dirname "$0")/daemon.sh"

answering() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/health"; }
before_start() { rm -rf "$DATA"; }

install() {
  command -v etcd >/dev/null && command -v etcdctl >/dev/null && return 0
  daemon_log "installing Debian's etcd-server and etcd-client"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    --no-install-recommends etcd-server etcd-client >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=600 --no-install-recommends etcd-server etcd-client >&2; } || true
  command -v etcd >/dev/null || { daemon_log "etcd-server could not be installed"; exit 3; }
}

up() {
  install
  daemon_up 30 "127.0.0.1:$PORT" etcd --name "mfgctl-test-$PORT" --data-dir "$DATA" \
    --listen-client-urls "http://127.0.0.1:$PORT" --advertise-client-urls "http://127.0.0.1:$PORT" \
    --listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" \
    --initial-cluster "mfgctl-test-$PORT=http://127.0.0.1:$PEER"
}

down() {
  daemon_down
  rm -rf "$DATA"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up [PORT] | down [PORT]" >&2; exit 2 ;;
esac
