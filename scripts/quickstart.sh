#!/usr/bin/env bash
# Installs what is needed, builds vigie (release preset) and runs its main job: a scan of a real
# folder (/usr/bin by default, or the folder given) with vigie's default rules.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-/usr/bin}
./scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
echo "scanning $target with rules/vigie-default.yar"
start=$(date +%s%N)
build/release/app/cli/vigie-yara -r -p 2 -g -m rules/vigie-default.yar "$target"
end=$(date +%s%N)
echo "scan of $target done in $(( (end - start) / 1000000 )) ms"
