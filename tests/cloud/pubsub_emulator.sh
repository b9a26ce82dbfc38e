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

log() { echo "pubsub-emulator: $*" >&2; }

answering() { curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/"; }
# Alive when the pid file names a running emulator (not a reused pid).
alive() {
  [ -f "$PIDF" ] && ps -o args= -p "$(cat "$PIDF")" 2>/dev/null | grep -q cloud-pubsub-emulator
}

up() {
  [ -x "$BIN" ] || { log "not installed: $BIN missing"; exit 3; }
  command -v java >/dev/null || { log "java not found (the emulator needs Java 8+)"; exit 3; }
  if alive && answering; then
    echo "pubsub-emulator: already up on 127.0.0.1:$PORT"
    return 0
  fi
  down
  answering && { log "port $PORT is taken by something else"; exit 1; }
  mkdir -p "$RUN"
  # A background job of a script is no group leader, so setsid does not fork:
  # $! is the session (and process group) leader, which the launcher
  # script turns into the java process by exec.
  setsid nohup "$BIN" --host=127.0.0.1 --port="$PORT" </dev/null >"$LOG" 2>&1 &
  echo $! >"$PIDF"
  local deadline=$((SECONDS + 60))
  until answering; do
    if ! alive || [ $SECONDS -ge $deadline ]; then
      log "did not come up on port $PORT; log $LOG:"; tail -n 20 "$LOG" >&2
      down
      exit 1
    fi
    sleep 0.3
  done
  echo "pubsub-emulator: up on 127.0.0.1:$PORT"
}

down() {
  alive || { rm -f "$PIDF"; return 0; }
  local pid
  pid=$(cat "$PIDF")
  # TERM the whole process group (launcher and java), KILL what is left.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    pgrep -g "$pid" >/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PIDF"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up [PORT] | down [PORT]" >&2; exit 2 ;;
esac
