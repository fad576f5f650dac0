#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing, benchmarking and fuzzing vigie need.
# Idempotent: packages already present are skipped, and apt-get runs only when something is
# missing. Must run as root (or through sudo).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3 file
  libvectorscan-dev   # multi-pattern prefilter
  libssl-dev          # hashes, Authenticode
  libmagic-dev        # magic module, file typing
  libarchive-dev      # archives in vigie hunt
  libcli11-dev libfmt-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  yara                # reference engine for differential tests and benchmarks
  clang libclang-rt-14-dev  # libFuzzer targets
  openssl gpg gzip zip xz-utils  # benign workloads of the vigie watch tests
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    SUDO=sudo
  else
    SUDO=
  fi
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
