#!/usr/bin/env bash
# s3rver, an S3-compatible server (npm), for mfgctl's bucket tests.
#
# The most complete S3 server that installs here (Debian has none that runs
# without a cluster): buckets, objects, listings and object tagging. It has
# no bucket tagging, versioning or lifecycle (501 or ignored), and checks the
# access key but not the signature; the tests say where they rely on AWS's
# documented shapes instead.
#
#   s3rver.sh up [PORT]    install it once (npm, into $CACHE) and start it on
#                          127.0.0.1 (default port 4569) with an empty data
#                          folder; waits until it answers. Exit 3 when it
#                          cannot be installed (no npm registry: tests skip)
#   s3rver.sh down [PORT]  stop it; exit 0 even if it is not running
#
# Its one account: access key S3RVER, secret S3RVER.
# $MFGCTL_TEST_CLOUD (default /run/mfgctl-cloud) holds s3rver-PORT.{log,pid}
# and the data folder.
set -euo pipefail

RUN=${MFGCTL_TEST_CLOUD:-/run/mfgctl-cloud}
CACHE=${MFGCTL_TEST_CACHE:-/var/cache/mfgctl-test}/s3rver-3.7.1
BIN=$CACHE/node_modules/.bin/s3rver
PORT=${2:-4569}
PIDF=$RUN/s3rver-$PORT.pid
LOG=$RUN/s3rver-$PORT.log
DATA=$RUN/s3rver-$PORT.data

NAME=s3rver
PATTERN=s3rver
# shellcheck source=tests/cloud/daemon.sh
. "$(dirname "$0")/daemon.sh"

answering() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }
before_start() { rm -rf "$DATA" && mkdir -p "$DATA"; }

install() {
  [ -x "$BIN" ] && return 0
  if ! command -v npm >/dev/null; then
    daemon_log "installing npm (Debian's nodejs and npm)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=600 \
      --no-install-recommends nodejs npm >&2 ||
      { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
          -o DPkg::Lock::Timeout=600 --no-install-recommends nodejs npm >&2; } || true
  fi
  command -v npm >/dev/null || { daemon_log "npm could not be installed"; exit 3; }
  daemon_log "installing s3rver 3.7.1 from npm into $CACHE"
  mkdir -p "$CACHE"
  if ! npm install --prefix "$CACHE" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >&2; then
    daemon_log "npm install failed (is the npm registry reachable?)"
    rm -rf "$CACHE"
    exit 3
  fi
}

up() {
  install
  daemon_up 30 "127.0.0.1:$PORT" "$BIN" -d "$DATA" -a 127.0.0.1 -p "$PORT" --silent
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
