#!/usr/bin/env bash
# bench/cloud: N Pub/Sub topics and N subscriptions on the Pub/Sub emulator.
# Measured in the same run:
#   - apply from empty, against the floor of the 2N creating requests sent
#     alone by curl at the same concurrency (8 in flight, mfgctl's bound per
#     endpoint). Goal (issue 9): within 2x.
#   - a converged plan, against a Terraform-style refresh: one GET per
#     resource, 10 in flight (Terraform's default parallelism), by curl.
#     Goal: ≥ 10x faster and ≤ 1% of its requests.
# Requests are counted by tests/support/fault_server.py --upstream, a proxy in
# front of the emulator, in runs of their own (the proxy's cost stays out of
# the timings).
#
#   bench/cloud.sh [N=1000] [RUNS=5]
#
# Starts its own emulator on port 8095 (empty, in memory) and stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
RUNS=${2:-5}
ROOT=$(pwd)
PORT=8095
EMU=http://127.0.0.1:$PORT
WORK=$(mktemp -d /tmp/mfgctl-bench-cloud.XXXXXX)
trap '"$ROOT/tests/cloud/pubsub_emulator.sh" down $PORT >/dev/null 2>&1 || true
      [ -n "${PROXY_PID:-}" ] && kill "$PROXY_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

[ -x build/mfgctl ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh
./tests/cloud/pubsub_emulator.sh up $PORT >/dev/null

# --- the blueprint: subscription i reads topic i -------------------------------
{
  echo "mfgctl: 1"
  echo "plant: bench-cloud"
  echo "variables:"
  echo "  endpoint: { default: \"$EMU\" }"
  echo "providers:"
  echo "  gcp: { project: bench, endpoints: { pubsub: \"\${var.endpoint}\" } }"
  echo "cloud:"
  echo "  pubsub:"
  echo "    topics:"
  for i in $(seq 1 "$N"); do echo "      line-$i: { labels: { line: l$i } }"; done
  echo "    subscriptions:"
  for i in $(seq 1 "$N"); do echo "      twin-$i: { topic: line-$i, ack_deadline_seconds: 30 }"; done
} >"$WORK/plant.yaml"

# curl config files: one request per resource (`next` resets curl's options,
# so each request carries its own).
# requests KIND METHOD PROJECT BASE: KIND topics|subscriptions.
requests() {
  local kind=$1 method=$2 project=$3 base=$4 i data
  for i in $(seq 1 "$N"); do
    [ "$i" = 1 ] || echo "next"
    if [ "$kind" = topics ]; then
      echo "url = \"$base/v1/projects/$project/topics/line-$i\""
      data="{\"labels\": {\"line\": \"l$i\"}}"
    else
      echo "url = \"$base/v1/projects/$project/subscriptions/twin-$i\""
      data="{\"topic\": \"projects/$project/topics/line-$i\", \"ackDeadlineSeconds\": 30}"
    fi
    echo "request = \"$method\""
    echo "output = \"/dev/null\""
    echo "fail"
    echo "silent"
    echo "show-error"
    if [ "$method" = PUT ]; then
      echo "header = \"Content-Type: application/json\""
      echo "data = \"${data//\"/\\\"}\""
    fi
  done
}
# curl_all PARALLEL FILE...: the requests of each file, PARALLEL in flight.
curl_all() {
  local parallel=$1 f
  shift
  for f in "$@"; do
    # --parallel draws its progress meter whatever -s says: stderr is kept
    # for a failure only.
    curl -s -S --parallel --parallel-max "$parallel" --config "$f" 2>"$WORK/curl.err" ||
      { tr '\r' '\n' <"$WORK/curl.err" | grep -i curl >&2; return 1; }
  done
}

# --- apply from empty, and the floor of its creating requests ------------------
requests topics PUT raw "$EMU" >"$WORK/raw-topics.curl"
requests subscriptions PUT raw "$EMU" >"$WORK/raw-subs.curl"
t0=$(now); curl_all 8 "$WORK/raw-topics.curl" "$WORK/raw-subs.curl"; t1=$(now)
raw=$(elapsed "$t0" "$t1")
live=$(curl -s "$EMU/v1/projects/raw/subscriptions?pageSize=1000" | grep -c '"name"' || true)
[ "$live" -ge 1 ] || { echo "the raw creates made nothing" >&2; exit 1; }

cd "$WORK"
M=("$ROOT/build/mfgctl")
t0=$(now); "${M[@]}" apply --auto-approve >"$WORK/apply.log" 2>&1 || { tail -20 "$WORK/apply.log"; exit 1; }
t1=$(now)
apply=$(elapsed "$t0" "$t1")
"${M[@]}" plan --detailed-exitcode >/dev/null 2>&1 || { echo "the second plan is not empty"; "${M[@]}" plan | tail; exit 1; }

# --- converged plan against one GET per resource -------------------------------
requests topics GET bench "$EMU" >"$WORK/get-topics.curl"
requests subscriptions GET bench "$EMU" >"$WORK/get-subs.curl"
cat "$WORK/get-topics.curl" "$WORK/get-subs.curl" >"$WORK/get-all.curl"
plan=$(best_of "$RUNS" "${M[@]}" plan --detailed-exitcode)
refresh=$(best_of "$RUNS" curl_all 10 "$WORK/get-all.curl")

# --- requests, counted by the proxy ---------------------------------------------
# The proxy ends when its standard input closes: when this script is gone.
python3 "$ROOT/tests/support/fault_server.py" --upstream "$EMU" >"$WORK/proxy.port" \
  < <(while kill -0 $$ 2>/dev/null; do sleep 1; done) &
PROXY_PID=$!
until [ -s "$WORK/proxy.port" ]; do sleep 0.1; done
PROXY=http://127.0.0.1:$(head -n1 "$WORK/proxy.port")
counted() { curl -s "$PROXY/__proxy/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])'; }
before=$(counted)
"${M[@]}" plan --detailed-exitcode --var endpoint="$PROXY" >/dev/null 2>&1 ||
  { echo "the plan through the proxy is not empty" >&2; exit 1; }
plan_requests=$(( $(counted) - before ))
requests topics GET bench "$PROXY" >"$WORK/proxy-topics.curl"
requests subscriptions GET bench "$PROXY" >"$WORK/proxy-subs.curl"
before=$(counted)
curl_all 10 "$WORK/proxy-topics.curl" "$WORK/proxy-subs.curl"
refresh_requests=$(( $(counted) - before ))

printf '%-62s %8s s\n' "apply from empty, $N topics + $N subscriptions" "$apply"
printf '%-62s %8s s\n' "floor: the $((2 * N)) creating requests alone, curl, 8 in flight" "$raw"
echo "apply / floor: $(ratio "$apply" "$raw")x (goal ≤ 2x)"
printf '%-62s %8s s  %6s requests\n' "converged plan (best of $RUNS)" "$plan" "$plan_requests"
printf '%-62s %8s s  %6s requests\n' "Terraform-style refresh: one GET per resource, 10 in flight" \
  "$refresh" "$refresh_requests"
echo "refresh / plan: $(ratio "$refresh" "$plan")x faster (goal ≥ 10x)"
echo "plan requests / refresh requests: $(echo "100 * $plan_requests / $refresh_requests" | bc -l |
  xargs printf '%.2f')% (goal ≤ 1%)"
