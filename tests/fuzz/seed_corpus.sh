#!/usr/bin/env bash
# Writes the blueprint fuzz target's seed corpus into DIR: every ```yaml
# block of docs/ (a block that starts with a top-level section gets the
# header the docs test puts before it), the example plant, the hand-written
# seeds in tests/fuzz/seeds/ and the inputs that once failed in
# tests/fuzz/regressions/. Made from the docs on each run, so the corpus
# follows them; files are named by content.
set -euo pipefail
out=${1:?usage: tests/fuzz/seed_corpus.sh DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$(dirname "$0")/../.."

header=$'mfgctl: 1\nplant: doc\nproviders:\n  ssh: { known_hosts: ./known_hosts }\n'
seed() {
  printf '%s' "$1" >"$out/$(printf '%s' "$1" | sha1sum | cut -c1-16).yaml"
}
for md in docs/*.md docs/resources/*.md; do
  # Each block, NUL-terminated.
  while IFS= read -r -d '' block; do
    case $block in
      gateways:* | variables:* | secrets:*) block=$header$block ;;
    esac
    seed "$block"
  done < <(awk '/^```yaml$/ { y = 1; b = ""; next }
                y && /^```$/ { y = 0; printf "%s%c", b, 0; next }
                y { b = b $0 "\n" }' "$md")
done
seed "$(cat examples/line-demo/plant.yaml)"
cp tests/fuzz/seeds/* "$out/"
if [ -d tests/fuzz/regressions ]; then cp tests/fuzz/regressions/* "$out/"; fi
echo "seed_corpus: $(find "$out" -type f | wc -l) inputs in $out" >&2
