#!/usr/bin/env bash
# Downloads a few small Debian packages that ship PE files (signed EFI images, MinGW DLLs, .NET
# assemblies) and unpacks them into DIR, for the pe and dotnet module tests.
#
#   scripts/fetch-test-binaries.sh DIR
#
# The result is cached: DIR/.complete marks a finished download of this package list, and a lock
# file serialises concurrent runs (test binaries may call this script in parallel). Nothing here
# is committed.
set -euo pipefail

dir=${1:?usage: fetch-test-binaries.sh DIR}
packages=(
  shim-signed            # shimx64.efi.signed: PE32+, Authenticode (two signatures)
  grub-efi-amd64-signed  # grubx64.efi.signed: PE32+, Authenticode
  win32-loader           # win32-loader.exe: PE32, resources, imports
  libz-mingw-w64         # zlib1.dll (PE32 and PE32+): exports, imports, version info
  libmono-cecil-cil      # Mono.Cecil*.dll: .NET assemblies
  libhexbox1.5-cil       # Be.Windows.Forms.HexBox.dll: .NET, resources
  libmono-accessibility4.0-cil  # Accessibility.dll: small .NET assembly
  libmono-system4.0-cil         # System.dll: large .NET assembly, many classes and resources
  libmono-system-xml4.0-cil     # System.Xml.dll: .NET, generics, nested types
  nsis-common                   # NSIS stubs and plugins: PE32 executables and DLLs
  memtest86+                    # memtest86+x64.efi: PE32+ EFI application
  gcc-mingw-w64-i686-win32-runtime  # libgnat-12.dll: 13,644 exports, past yara's 8,192
)

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)  # absolute: the downloads below run in a temporary directory
exec 9>"$dir/.lock"
flock 9
want="${packages[*]}"
if [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$want" ]]; then
  exit 0
fi
rm -rf "$dir/root" "$dir/.complete"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work"
if ! apt-get download "${packages[@]}" >/dev/null 2>&1; then
  # The package lists may be missing or stale (fresh CI machine): refresh them once.
  apt-get update >/dev/null 2>&1 || true
  apt-get download "${packages[@]}" >/dev/null
fi
for deb in ./*.deb; do
  dpkg -x "$deb" "$dir/root"
done
echo "$want" >"$dir/.complete"
