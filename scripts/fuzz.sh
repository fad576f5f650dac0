#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset, clang with ASan and UBSan) and runs each one for a
# short time on a seed corpus of real inputs: rule files for the rule parser and the compiled
# rules loader, ELF programs of this machine, PE and .NET files from Debian packages
# (scripts/fetch-test-binaries.sh), and mixed files for the whole scan path.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]     (default 10; VIGIE_FUZZ_SECONDS also works)
#
# Exits non-zero when a target crashes, leaks or trips a sanitizer; the crashing input is kept
# in build/fuzz/findings/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-${VIGIE_FUZZ_SECONDS:-10}}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz
bin=build/fuzz/fuzz
seeds=build/fuzz/seeds
findings=build/fuzz/findings
mkdir -p "$seeds" "$findings"

# Seed corpora, made once.
seed_dir() {  # NAME FILE...: copies files under 1 MiB into seeds/NAME
  local name=$1
  shift
  mkdir -p "$seeds/$name"
  local f
  for f in "$@"; do
    [[ -f $f && $(stat -c %s "$f") -lt 1048576 ]] && cp -f "$f" "$seeds/$name/" || true
  done
}
seed_dir rule_parser_fuzz rules/*.yar tests/golden/diagnostics/*.yar
seed_dir rules_load_fuzz rules/*.yar
seed_dir elf_fuzz /usr/bin/true /usr/bin/ls /usr/lib/x86_64-linux-gnu/libz.so.1 src/modules/elf/testdata/*
binaries=build/test-binaries
if ./scripts/fetch-test-binaries.sh "$binaries" >/dev/null 2>&1; then
  mapfile -t pe_files < <(find "$binaries" -type f \( -iname '*.dll' -o -iname '*.exe' -o -iname '*.efi*' \) | head -20)
  seed_dir pe_fuzz "${pe_files[@]}"
  seed_dir dotnet_fuzz "${pe_files[@]}"
fi
seed_dir scan_fuzz /usr/bin/true rules/*.yar "${pe_files[@]:0:3}"

status=0
for target in "$bin"/*_fuzz; do
  name=$(basename "$target")
  mkdir -p "$seeds/$name"
  echo "fuzz: $name for ${secs}s"
  if ! "$target" -max_total_time="$secs" -max_len=1048576 -timeout=20 -rss_limit_mb=4096 \
      -artifact_prefix="$findings/$name-" -print_final_stats=0 "$seeds/$name" \
      > "build/fuzz/$name.log" 2>&1; then
    echo "fuzz: $name FAILED, see build/fuzz/$name.log and $findings/"
    tail -30 "build/fuzz/$name.log"
    status=1
  fi
done
exit $status
