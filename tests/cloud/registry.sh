#!/usr/bin/env bash
# A container registry (Debian's docker-registry, the CNCF distribution
# server) for mfgctl's container tests: the "plant registry" a gateway pulls
# images from. Plain HTTP; storage in a fresh folder on every `up`.
#
#   registry.sh up [PORT]    install it once (apt, with skopeo to push images)
#                            and start it on PORT (default 5000) on every
#                            address, so the test hosts reach it through their
#                            bridge; waits until it answers. Exit 3 when it
#                            cannot be installed (tests skip)
#   registry.sh down [PORT]  stop it; exit 0 even if it is not running
#
# $MFGCTL_TEST_CLOUD (default /run/mfgctl-cloud) holds registry-PORT.{log,pid},
# its configuration and its storage.
set -euo pipefail

RUN=${MFGCTL_TEST_CLOUD:-/run/mfgctl-cloud}
PORT=${2:-5000}
PIDF=$RUN/registry-$PORT.pid
LOG=$RUN/registry-$PORT.log
DATA=$RUN/registry-$PORT.data
CONFIG=$RUN/registry-$PORT.yml
BIN=/usr/bin/docker-registry

NAME=registry
PATTERN="docker-registry serve $CONFIG"
# shellcheck source=tests/cloud/daemon.sh
. "$(dirname "$0")/daemon.sh"

answering() { curl -sf -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/v2/"; }
before_start() {
  rm -rf "$DATA" && mkdir -p "$DATA"
  cat >"$CONFIG" <<YML
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $DATA }
  delete: { enabled: true }
http:
  addr: 0.0.0.0:$PORT
YML
}

install() {
  [ -x "$BIN" ] && command -v skopeo >/dev/null && return 0
  daemon_log "installing Debian's docker-registry and skopeo"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
    --no-install-recommends docker-registry skopeo >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=600 --no-install-recommends docker-registry skopeo >&2; } || true
  [ -x "$BIN" ] && command -v skopeo >/dev/null ||
    { daemon_log "docker-registry or skopeo could not be installed"; exit 3; }
}

up() {
  install
  mkdir -p "$RUN"
  daemon_up 30 "0.0.0.0:$PORT" "$BIN" serve "$CONFIG"
}

down() {
  daemon_down
  rm -rf "$DATA" "$CONFIG"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up [PORT] | down [PORT]" >&2; exit 2 ;;
esac
