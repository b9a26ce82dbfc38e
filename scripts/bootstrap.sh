#!/usr/bin/env bash
# Installs what building mfgctl needs (Debian 12 packages only) and builds
# it into build/. Safe to run again: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# clang and its sanitizer and libFuzzer runtimes (only recommended by clang,
# which --no-install-recommends skips) for tests/sanitize.sh; chromium, whose
# headless mode renders the fleet report in the end-to-end tests.
PACKAGES=(g++ cmake ninja-build pkg-config git
          libssh2-1-dev libssl-dev libyaml-cpp-dev libcli11-dev nlohmann-json3-dev
          libgtest-dev libpugixml-dev libcctz-dev tzdata openssh-client libcurl4-openssl-dev zlib1g-dev python3 openssl
          clang libclang-rt-14-dev chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >&2
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
