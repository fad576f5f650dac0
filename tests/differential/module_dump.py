#!/usr/bin/env python3
"""Module differential test: dumps the module data of every file with the reference `yara -D`
and with `vigie-yara -D`, and compares them field by field.

For each file both programs run `-D` on one rule file that imports the modules (pe, elf and
dotnet by default) and never matches. Each dump is read into a map from field path to printed
value ("pe.sections[0].name" -> '".text"'), so the order in which fields are printed does not
matter. Every field yara prints must be printed by vigie with the same value. vigie may print
fields yara 4.2.3 lacks (YARA 4.3 to 4.5 fields); they are counted, not compared.

Known differences of yara 4.2.3, corrected on yara's side before comparing:
  - it numbers imported functions across all DLLs of a file (fixed in 4.3): functions are
    given per-DLL indices again, and number_of_functions counts the DLL's own functions.
Known differences accepted (counted and printed apart):
  - in assemblies whose #Strings heap is over 64 KB (string indexes of 4 bytes: bit 0 of the
    #~ stream's HeapSizes), yara 4.2.3 leaves undefined some dotnet fields it fills after
    reading the metadata tables (assembly, assembly_refs, resources, constants, field_offsets,
    modulerefs); vigie reads them (System.dll's resources are the .wav files it is known to
    carry). Such a difference counts as known only for those files, only for dotnet fields,
    and only where yara prints YR_UNDEFINED.

Usage:
  module_dump.py --vigie build/release/app/cli/vigie-yara --targets DIR_OR_FILE...
                 [--modules pe elf dotnet] [--max-files N] [--min-files N]

Exit status: 0 when every field agrees, 1 on a difference, 2 on a usage or setup error.
Only the Python 3 standard library is used.
"""

import argparse
import collections
import functools
import os
import re
import struct
import subprocess
import sys
import tempfile

FUNCTION = re.compile(r"^(pe\.(?:import_details|delay_import_details)\[\d+\]\.functions)\[(\d+)\](.*)$")
COUNT = re.compile(r"^(pe\.(?:import_details|delay_import_details)\[\d+\])\.number_of_functions$")


@functools.lru_cache(maxsize=None)
def wide_string_heap(path):
    """True if the file is a .NET assembly whose #~ stream has 4-byte #Strings indexes."""
    try:
        with open(path, "rb") as f:
            d = f.read()
        i = d.find(b"BSJB")
        if i < 0:
            return False
        vlen = struct.unpack_from("<I", d, i + 12)[0]
        p = i + 16 + vlen
        _, count = struct.unpack_from("<HH", d, p)
        p += 4
        for _ in range(count):
            off, _ = struct.unpack_from("<II", d, p)
            end = d.index(b"\0", p + 8)
            name = d[p + 8:end]
            p = (end + 4) & ~3
            if name == b"#~":
                return bool(d[i + off + 6] & 1)
    except (OSError, ValueError, struct.error, IndexError):
        pass
    return False


def known(path, key, theirs):
    return theirs == "YR_UNDEFINED" and key.startswith("dotnet.") and wide_string_heap(path)


def dump_map(text):
    """A -D dump as {path: value}; paths come from the tab indentation."""
    out = {}
    stack = []
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip("\t"))
        body = line[depth:]
        if not body:
            continue
        stack = stack[:depth]
        leaf = " = " in body
        name, value = (body.split(" = ", 1) if leaf else (body, None))
        path = ""
        for part in stack + [name]:
            path += part if (part.startswith("[") or not path) else "." + part
        if leaf:
            out[path] = value
        else:
            stack.append(name)
    return out


def renumber_functions(fields):
    """yara 4.2.3 numbers imported functions across DLLs: give them per-DLL indices again."""
    index = collections.defaultdict(dict)
    for key in fields:
        m = FUNCTION.match(key)
        if m:
            index[m.group(1)][int(m.group(2))] = 0
    for olds in index.values():
        for n, old in enumerate(sorted(olds)):
            olds[old] = n
    out = {}
    for key, value in fields.items():
        m, c = FUNCTION.match(key), COUNT.match(key)
        if c:
            out[key] = str(len(index.get(c.group(1) + ".functions", {})))
        elif m:
            out["%s[%d]%s" % (m.group(1), index[m.group(1)][int(m.group(2))], m.group(3))] = value
        else:
            out[key] = value
    return out


def files_under(targets):
    for t in targets:
        if os.path.isfile(t) and not os.path.islink(t):
            yield t
            continue
        for root, dirs, files in os.walk(t):
            dirs.sort()
            for f in sorted(files):
                p = os.path.join(root, f)
                if os.path.isfile(p) and not os.path.islink(p):
                    yield p


def dump(program, rules, path, timeout):
    try:
        r = subprocess.run([program, "-D", rules, path], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return r.stdout.decode("utf-8", "surrogateescape")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--yara", default="/usr/bin/yara")
    ap.add_argument("--vigie", required=True)
    ap.add_argument("--targets", nargs="+", required=True)
    ap.add_argument("--modules", nargs="+", default=["pe", "elf", "dotnet"])
    ap.add_argument("--max-files", type=int, default=0, help="stop after N files (0: all)")
    ap.add_argument("--min-files", type=int, default=1,
                    help="fail unless at least N files had module data")
    ap.add_argument("--timeout", type=int, default=60, help="seconds per program run")
    ap.add_argument("--max-shown", type=int, default=40, help="differences printed")
    args = ap.parse_args()
    for p in (args.yara, args.vigie):
        if not os.access(p, os.X_OK):
            print("not executable: %s" % p, file=sys.stderr)
            return 2

    fd, rules = tempfile.mkstemp(suffix=".yar")
    with os.fdopen(fd, "w") as f:
        f.write("".join('import "%s"\n' % m for m in args.modules))
        f.write("rule vigie_module_dump { condition: false }\n")
    stats = collections.Counter()
    extra = collections.Counter()
    shown = 0
    try:
        for n, path in enumerate(files_under(args.targets)):
            if args.max_files and n >= args.max_files:
                break
            stats["files"] += 1
            theirs_text = dump(args.yara, rules, path, args.timeout)
            ours_text = dump(args.vigie, rules, path, args.timeout)
            if theirs_text is None or ours_text is None:
                stats["timeouts"] += 1
                print("TIMEOUT %s (%s)" % (path, "yara" if theirs_text is None else "vigie"))
                continue
            theirs = renumber_functions(dump_map(theirs_text))
            ours = dump_map(ours_text)
            if any(theirs.get(k, "YR_UNDEFINED") not in ("YR_UNDEFINED", "0")
                   for k in ("pe.number_of_sections", "elf.number_of_sections", "elf.type")):
                stats["files with module data"] += 1
            bad = 0
            for key, value in theirs.items():
                stats["fields compared"] += 1
                mine = ours.get(key)
                if mine == value:
                    continue
                if mine is not None and known(path, key, value):
                    stats["known differences"] += 1
                    continue
                bad += 1
                stats["fields differing"] += 1
                if shown < args.max_shown:
                    shown += 1
                    print("DIFF %s: %s: yara %s, vigie %s" % (
                        path, key, value, "(missing)" if mine is None else mine))
            for key in ours.keys() - theirs.keys():
                extra[re.sub(r"\[\d+\]", "[]", key)] += 1
            if bad:
                stats["files differing"] += 1
    finally:
        os.unlink(rules)

    for k in ("files", "files with module data", "fields compared", "fields differing",
              "files differing", "known differences", "timeouts"):
        print("%-24s %d" % (k, stats[k]))
    if extra:
        print("fields only vigie prints (newer than yara 4.2.3), by kind: %d kinds, e.g." % len(extra))
        for key, count in extra.most_common(8):
            print("  %-60s %d" % (key, count))
    if stats["files with module data"] < args.min_files:
        print("too few files with module data: %d < %d" % (stats["files with module data"],
                                                          args.min_files))
        return 1
    return 1 if stats["fields differing"] or stats["timeouts"] else 0


if __name__ == "__main__":
    sys.exit(main())
