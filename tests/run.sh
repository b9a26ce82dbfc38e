#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs and builds what is needed,
# then ctest runs the unit tests and the end-to-end tests (which boot real
# Debian test hosts with systemd and sshd once and share them); then the
# unit tests under the sanitizers and the fuzz run (tests/sanitize.sh).
# Arguments go to ctest and leave out tests/sanitize.sh: `-L unit` stays fast.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/bootstrap.sh
ctest --test-dir build --output-on-failure "$@"
if [ $# -eq 0 ]; then
  ./tests/sanitize.sh
fi
