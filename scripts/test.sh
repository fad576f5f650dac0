#!/usr/bin/env bash
# Installs what is needed, builds the release preset, runs the fuzz targets for a short time and
# then every test (ctest, whose summary closes the output).
# Usage: scripts/test.sh [PRESET]   (release by default; asan for the sanitizer build)
#   VIGIE_FUZZ_SECONDS=N   seconds per fuzz target (default 10; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
./scripts/install-deps.sh
cmake --preset "$preset"
cmake --build --preset "$preset"
if [[ $preset == release && ${VIGIE_FUZZ_SECONDS:-10} != 0 ]]; then
  ./scripts/fuzz.sh "${VIGIE_FUZZ_SECONDS:-10}"
fi
ctest --preset "$preset"
