# Sourced by the scripts that each run one test server on this machine
# (pubsub_emulator.sh, s3rver.sh): start it in its own session, so that it
# outlives the shell that started it, wait until it answers, and stop its
# whole process group.
#
# The sourcing script sets NAME (for messages), PIDF and LOG (its files),
# PATTERN (what the server's command line holds, so a reused pid is not
# taken for it) and defines answering(); before_start(), when defined, runs
# just before a new server starts (an empty data folder).

daemon_log() { echo "$NAME: $*" >&2; }

daemon_alive() {
  [ -f "$PIDF" ] && ps -o args= -p "$(cat "$PIDF")" 2>/dev/null | grep -q -- "$PATTERN"
}

# daemon_up SECONDS WHERE COMMAND...: start COMMAND unless the server is up
# already; exit 1 when it does not answer within SECONDS or dies first.
daemon_up() {
  local timeout=$1 where=$2
  shift 2
  if daemon_alive && answering; then
    echo "$NAME: already up on $where"
    return 0
  fi
  daemon_down
  answering && { daemon_log "$where is taken by something else"; exit 1; }
  mkdir -p "$(dirname "$PIDF")"
  if declare -F before_start >/dev/null; then before_start; fi
  # A background job of a script is no group leader, so setsid does not
  # fork: $! is the session (and process group) leader, which a launcher
  # script turns into the server by exec.
  setsid nohup "$@" </dev/null >"$LOG" 2>&1 &
  echo $! >"$PIDF"
  local deadline=$((SECONDS + timeout))
  until answering; do
    if ! daemon_alive || [ $SECONDS -ge $deadline ]; then
      daemon_log "did not come up on $where; log $LOG:"
      tail -n 20 "$LOG" >&2
      daemon_down
      exit 1
    fi
    sleep 0.2
  done
  echo "$NAME: up on $where"
}

# Stops the server: TERM to its process group, KILL to what is left after
# ten seconds. No error when it is not running.
daemon_down() {
  daemon_alive || { rm -f "$PIDF"; return 0; }
  local pid
  pid=$(cat "$PIDF")
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    pgrep -g "$pid" >/dev/null || break
    sleep 0.2
  done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PIDF"
}
