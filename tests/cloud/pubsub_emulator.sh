#!/usr/bin/env bash
# The Google Pub/Sub emulator for mfgctl's cloud provider tests.
#
# Runs the emulator that ships with the Google Cloud SDK (a Java program) on
# 127.0.0.1, in its own session so that it outlives the shell that started
# it; the test run stops it with `down`. State is in memory only: every `up`
# starts empty.
#
#   pubsub_emulator.sh up [PORT]    start it (default port 8085) and wait until
#                                   it answers HTTP; exit 3 when the emulator
#                                   or Java is not installed (tests skip)
#   pubsub_emulator.sh down [PORT]  stop it; exit 0 even if it is not running
#
# $MFGCTL_TEST_CLOUD (default /run/mfgctl-cloud) holds pubsub-PORT.{log,pid}.
set -euo pipefail

RUN=${MFGCTL_TEST_CLOUD:-/run/mfgctl-cloud}
BIN=/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator
PORT=${2:-8085}
PIDF=$RUN/pubsub-$PORT.pid
LOG=$RUN/pubsub-$PORT.log

NAME=pubsub-emulator
PATTERN=cloud-pubsub-emulator
# shellcheck source=tests/cloud/daemon.sh
. "$(dirname "$0")/daemon.sh"

answering() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }

up() {
  [ -x "$BIN" ] || { daemon_log "not installed: $BIN missing"; exit 3; }
  command -v java >/dev/null || { daemon_log "java not found (the emulator needs Java 8+)"; exit 3; }
  daemon_up 60 "127.0.0.1:$PORT" "$BIN" --host=127.0.0.1 --port="$PORT"
}

case "${1:-}" in
  up) up ;;
  down) daemon_down ;;
  *) echo "usage: $0 up [PORT] | down [PORT]" >&2; exit 2 ;;
esac
