#!/usr/bin/env bash
# Installs what is needed, builds the release preset and runs every test (ctest).
# Usage: scripts/test.sh [PRESET]   (release by default; asan for the sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
./scripts/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
ctest --preset "$preset"
