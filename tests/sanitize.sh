#!/usr/bin/env bash
# The unit tests (ctest -L unit) built with AddressSanitizer and
# UndefinedBehaviorSanitizer into build-asan/; then, when clang is
# installed, the blueprint fuzz target for MFGCTL_FUZZ_SECONDS (default 60,
# 0 skips it) from a corpus of the docs' examples. Inputs that crash it are
# saved in tests/fuzz/findings/. tests/run.sh runs this after the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzz_seconds=${MFGCTL_FUZZ_SECONDS:-60}
jobs=${MFGCTL_JOBS:-2}

configure=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMFGCTL_SANITIZE=ON)
targets=(mfgctl mfgctl_unit_tests mfgctl_cli_tests mfgctl_layering_test)
fuzz=false
if [ "$fuzz_seconds" != 0 ] && command -v clang++ >/dev/null; then
  # One instrumented build serves both: the unit tests carry libFuzzer's
  # coverage counters too, which costs them little and saves a build.
  fuzz=true
  configure+=(-DCMAKE_CXX_COMPILER=clang++ -DMFGCTL_FUZZ=ON)
  targets+=(mfgctl_blueprint_fuzz)
fi
cmake -S . -B build-asan "${configure[@]}" >/dev/null
cmake --build build-asan -j "$jobs" --target "${targets[@]}"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
ctest --test-dir build-asan -L unit -j "$jobs" --output-on-failure

if $fuzz; then
  seeds=build-asan/fuzz-seeds
  rm -rf "$seeds"
  tests/fuzz/seed_corpus.sh "$seeds"
  mkdir -p build-asan/fuzz-corpus tests/fuzz/findings
  # New inputs go to build-asan/fuzz-corpus; the seeds are read only.
  build-asan/tests/mfgctl_blueprint_fuzz -max_total_time="$fuzz_seconds" -max_len=4096 \
    -timeout=10 -rss_limit_mb=2048 -dict=tests/fuzz/blueprint.dict \
    -artifact_prefix=tests/fuzz/findings/ -print_final_stats=1 \
    build-asan/fuzz-corpus "$seeds"
fi
