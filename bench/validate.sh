#!/usr/bin/env bash
# bench/validate: `mfgctl validate` of generated blueprints of SMALL and
# LARGE resources (10k and 100k by default), with the shapes that were once
# quadratic, and the growth from one to the other (linear: about LARGE/SMALL).
#
#   bench/validate.sh [SMALL=10000] [LARGE=100000]
#
# MFGCTL=path/to/mfgctl times another build (an older one, to compare).
#
# Per N resources, on one host and on 20 hosts around it:
#   - N/10 packages and N/10 apt repositories on one host (every package
#     after every apt source: thousands x thousands);
#   - commands, each `after:` the 20 before it, and one `after:` all of them
#     (a list N/2 long);
#   - every command's `run:` a reference to another command's (`${...}`);
#   - files under a directory tree, each after its nearest declared parent.
# No hosts are needed; builds mfgctl first if needed.
set -euo pipefail
cd "$(dirname "$0")/.."
SMALL=${1:-10000}
LARGE=${2:-100000}
WORK=$(mktemp -d /tmp/mfgctl-bench-validate.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

MFGCTL=${MFGCTL:-build/mfgctl}
[ -x "$MFGCTL" ] || ./scripts/bootstrap.sh >/dev/null
source bench/lib.sh

# generate N FILE: a blueprint of about N resources.
generate() {
  awk -v n="$1" 'BEGIN {
    print "mfgctl: 1\nplant: bench-validate\nproviders:\n  ssh: { known_hosts: ./known_hosts }"
    print "gateways:\n  big:\n    address: 10.0.0.1\n    apt_repositories:"
    for (i = 0; i < n / 10; i++)
      printf "      r%d: { uri: \"http://mirror/r%d\", suite: stable, components: [main] }\n", i, i
    print "    packages:"
    for (i = 0; i < n / 10; i++) printf "      - p%d\n", i
    print "    directories:"
    dirs = n / 20
    for (i = 0; i < 100; i++) printf "      /srv/d%d: {}\n", i
    for (i = 0; i < dirs; i++) printf "      /srv/d%d/s%d: {}\n", i % 100, i
    print "    files:"
    for (i = 0; i < n / 10; i++)
      printf "      /srv/d%d/s%d/deeper/f%d: { content: \"x\" }\n", (i % dirs) % 100, i % dirs, i
    commands = n - 3 * n / 10 - 100 - dirs
    hosts = 20
    per_host = int(commands / hosts)
    for (h = 0; h < hosts; h++) {
      printf "  h%d:\n    address: 10.0.1.%d\n    commands:\n", h, h + 1
      for (i = 0; i < per_host; i++) {
        after = ""
        for (k = (i > 20 ? i - 20 : 0); k < i; k++)
          after = after (after ? ", " : "") "\"command[c" k "]\""
        # Each references the first of its block of 50 (chains stay short).
        run = (i % 50 == 0) ? "true" : "${command[c" (i - i % 50) "].run}"
        printf "      c%d: { run: \"%s\", after: [%s] }\n", i, run, after
      }
      all = ""
      for (i = 0; i < per_host; i++) all = all (all ? ", " : "") "\"command[c" i "]\""
      printf "      last: { run: \"true\", after: [%s] }\n", all
    }
  }' >"$2"
}

# run N: prints "N resources: S s, M MiB" and leaves the seconds in $secs.
run() {
  generate "$1" "$WORK/plant.yaml"
  local size out
  size=$(du -m "$WORK/plant.yaml" | cut -f1)
  /usr/bin/time -f "%e %M" -o "$WORK/time" "$MFGCTL" validate -f "$WORK/plant.yaml" \
    >"$WORK/out" 2>&1 || { cat "$WORK/out"; exit 1; }
  read -r secs kib <"$WORK/time"
  echo "$1 resources ($size MB of YAML): validate ${secs} s, $((kib / 1024)) MiB peak"
}

echo "bench/validate: mfgctl validate of generated blueprints"
run "$SMALL"
small_s=$secs
run "$LARGE"
large_s=$secs
echo "growth: $(ratio "$LARGE" "$SMALL")x the resources took" \
  "$(ratio "$large_s" "$small_s")x the time"
