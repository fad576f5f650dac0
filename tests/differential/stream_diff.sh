#!/usr/bin/env bash
# Differential run for outputs too large to hold in memory (a public rule set rewritten to
# `any of them`, with -s, over a whole corpus: tens of millions of lines).
#
#   stream_diff.sh VIGIE_YARA RULES TARGET [FLAGS...]
#
# Runs `yara FLAGS -r RULES TARGET` and `vigie-yara FLAGS -r RULES TARGET` (with the external
# variables the public sets need), writes both outputs to disk, turns every string line into
# "rule line <TAB> string line" so that each line carries its block, sorts both with sort(1)
# (which spills to disk) and compares them. RULES is used as given: rewrite it first
# (differential.py's rewrite_any_of_them) for the any-of-them comparison.
#
# Prints the line counts and exit codes and the first differences; exit status 0 when the outputs
# and the exit codes agree.
set -euo pipefail
vigie=${1:?usage: stream_diff.sh VIGIE_YARA RULES TARGET [FLAGS...]}
rules=${2:?}
target=${3:?}
shift 3
yara=${YARA:-/usr/bin/yara}
defs=(-d filename= -d filepath= -d extension= -d filetype= -d owner=)
work=$(mktemp -d "${TMPDIR:-/tmp}/vigie-stream-diff.XXXXXX")
trap 'rm -rf "$work"' EXIT

flatten() {
  awk '/^0x[0-9a-f]+:/ { print head "\t" $0; next } { head = $0; print }' | LC_ALL=C sort -S 1G -T "$work"
}

set +e
"$yara" "${defs[@]}" -w "$@" -r "$rules" "$target" 2>"$work/yara.err" | flatten >"$work/yara"
yara_exit=${PIPESTATUS[0]}
"$vigie" "${defs[@]}" -w "$@" -r "$rules" "$target" 2>"$work/vigie.err" | flatten >"$work/vigie"
vigie_exit=${PIPESTATUS[0]}
set -e
echo "yara:  $(wc -l <"$work/yara") lines, exit $yara_exit"
echo "vigie: $(wc -l <"$work/vigie") lines, exit $vigie_exit"
head -3 "$work/yara.err" "$work/vigie.err" 2>/dev/null | grep -v '^$' || true
if [[ $yara_exit == "$vigie_exit" ]] && cmp -s "$work/yara" "$work/vigie"; then
  echo "same"
  exit 0
fi
echo "different:"
diff "$work/yara" "$work/vigie" | head -40
exit 1
