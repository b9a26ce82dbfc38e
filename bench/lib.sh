# Shared by the bench/*.sh scripts: timing and ratios, in seconds. Source it
# from the repository root after `set -euo pipefail`.
command -v bc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q bc >/dev/null

now() { date +%s.%N; }
# elapsed T0 T1: T1 - T0, two decimals.
elapsed() { echo "$2 - $1" | bc -l | xargs printf '%.2f'; }
# ratio A B: A / B, one decimal.
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.1f'; }
# least X...: the smallest of the numbers.
least() { printf '%s\n' "$@" | sort -n | head -n1; }
# best_of RUNS COMMAND...: the fastest of RUNS runs of COMMAND (its output
# discarded), three decimals; exits the script if a run fails.
best_of() {
  local runs=$1 b="" t0 t1 d
  shift
  for _ in $(seq 1 "$runs"); do
    t0=$(now); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2 || true; exit 1; }; t1=$(now)
    d=$(echo "$t1 - $t0" | bc -l)
    if [ -z "$b" ] || [ "$(echo "$d < $b" | bc -l)" = 1 ]; then b=$d; fi
  done
  printf '%.3f' "$b"
}
