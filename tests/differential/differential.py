#!/usr/bin/env python3
"""Differential test: runs the reference `yara` and `vigie-yara` on the same rules, flags and
targets, and compares what they print on stdout, line by line, and their exit codes.

Each run is one command line, `PROGRAM FLAGS... RULES... TARGET`, given to both programs. When
the order of yara's output is not fixed (a directory, which yara scans on several threads, a
--scan-list, or -p) both outputs are cut into blocks, a rule line with the string lines under
it, and the blocks are sorted before comparing. Every difference is printed with the command
line, as a unified diff.

With --any-of-them the rule files are rewritten first: every condition becomes `any of them`,
imports are dropped, `private` and `global` are dropped from rules and `private` from strings,
and rules left without strings are dropped. With -s, every match of every pattern is then
compared, whatever the conditions and modules do.

Modes:
  --quick        the rules of tests/differential/rules/ with flag sets that exercise the output
                 formats, over small files this script writes to a temporary directory (the
                 ctest test `differential_quick`);
  (default)      --rules FILE... over --targets PATH... with --flags, e.g. the public rule sets
                 over a corpus:
                   differential.py --vigie build/x/app/cli/vigie-yara --any-of-them --flags=-s \\
                     --rules /work/shared/rules/*.yar --targets /tmp/corpus60 -r
  --build-corpus DIR --size-mb N  builds a corpus with /work/shared/bench/make-corpus.sh first
                 and scans it.

Exit status: 0 when the outputs agree, 1 when they differ, 2 on a usage or setup error.
Only the Python 3 standard library is used.
"""

import argparse
import collections
import difflib
import os
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RULES_DIR = os.path.join(HERE, "rules")

# Flag sets of the quick mode. Each is run on every rule file of rules/ over the generated
# targets. Together they cover the output formats: rule lines, tags, metadata, namespaces,
# strings with lengths, counts, negation, filters and limits.
QUICK_FLAG_SETS = [
    [],
    ["-s"],
    ["-s", "-L"],
    ["-L"],
    ["-g", "-m", "-e"],
    ["-sgme"],
    ["-c"],
    ["-n"],
    ["-n", "-g", "-m"],
    ["-c", "-n"],
    ["-t", "alpha"],
    ["-t", "alpha", "-t", "beta", "-g"],
    ["-i", "text_plain"],
    ["-l", "2"],
    ["-l", "1", "-c"],
    # Only over formats.yar: with -f, vigie stops counting a string after its first match where
    # yara keeps the matches a condition counts (#h >= 2 in conditions.yar), an engine
    # difference run by hand with `--rules rules/conditions.yar --flags=-f`.
    ["-f", "formats.yar"],
    ["-w", "-s", "-p", "2"],
    ["-r", "-s"],
    ["-N", "-r"],
    ["-z", "200"],
    ["-D"],
]

# Rule files that use external variables are run with these definitions first.
QUICK_DEFINES = ["-d", "ext_int=5", "-d", "ext_str=abc", "-d", "ext_bool=true",
                 "-d", "ext_float=1.5"]


# ----------------------------------------------------------------------------------------------
# Rewriting rules to `any of them`.

class Lexer:
    """Just enough of the YARA lexical structure to find rule bodies and their sections: comments,
    text strings, regular expressions and hex strings are skipped whole, so that braces, colons
    and keywords inside them are not taken for structure."""

    def __init__(self, text):
        self.text = text
        self.pos = 0

    def skip_space_and_comments(self):
        t = self.text
        while self.pos < len(t):
            c = t[self.pos]
            if c in " \t\r\n":
                self.pos += 1
            elif t.startswith("//", self.pos):
                end = t.find("\n", self.pos)
                self.pos = len(t) if end < 0 else end + 1
            elif t.startswith("/*", self.pos):
                end = t.find("*/", self.pos + 2)
                self.pos = len(t) if end < 0 else end + 2
            else:
                return

    def skip_quoted(self, quote):
        """pos is on the opening quote (or slash); moves past the closing one."""
        t = self.text
        self.pos += 1
        while self.pos < len(t):
            c = t[self.pos]
            if c == "\\":
                self.pos += 2
                continue
            self.pos += 1
            if c == quote:
                return
            if c == "\n" and quote == '"':
                return

    def skip_regex(self):
        self.skip_quoted("/")
        while self.pos < len(self.text) and self.text[self.pos] in "isx":
            self.pos += 1

    def skip_hex(self):
        t = self.text
        self.pos += 1
        while self.pos < len(t):
            if t.startswith("//", self.pos) or t.startswith("/*", self.pos):
                self.skip_space_and_comments()
                continue
            c = t[self.pos]
            self.pos += 1
            if c == "}":
                return

    def word(self):
        t = self.text
        start = self.pos
        while self.pos < len(t) and (t[self.pos].isalnum() or t[self.pos] in "_$#@!*"):
            self.pos += 1
        return t[start:self.pos]


def rewrite_any_of_them(text):
    """Returns (rewritten source, number of rules kept, number dropped)."""
    lx = Lexer(text)
    out = []
    kept = dropped = 0
    while True:
        lx.skip_space_and_comments()
        if lx.pos >= len(text):
            break
        start = lx.pos
        c = text[lx.pos]
        if c.isalpha() or c == "_":
            w = lx.word()
            if w == "import":
                lx.skip_space_and_comments()
                if lx.pos < len(text) and text[lx.pos] == '"':
                    lx.skip_quoted('"')
                continue
            if w == "include":
                lx.skip_space_and_comments()
                if lx.pos < len(text) and text[lx.pos] == '"':
                    lx.skip_quoted('"')
                out.append(text[start:lx.pos] + "\n")
                continue
            if w in ("private", "global"):
                continue
            if w == "rule":
                rule = parse_rule(lx)
                if rule is None:
                    raise ValueError("cannot parse the rule at offset %d" % start)
                header, strings = rule
                if strings is None:
                    dropped += 1
                else:
                    kept += 1
                    out.append("rule %s {\n  strings:%s\n  condition:\n    any of them\n}\n"
                               % (header, strings))
                continue
            raise ValueError("unexpected %r at offset %d" % (w, start))
        raise ValueError("unexpected %r at offset %d" % (c, start))
    return "".join(out), kept, dropped


def parse_rule(lx):
    """After the `rule` keyword: returns (name and tags, the strings section as written minus
    `private` modifiers, or None when the rule has no strings)."""
    text = lx.text
    brace = text.find("{", lx.pos)
    if brace < 0:
        return None
    header = " ".join(text[lx.pos:brace].split())
    lx.pos = brace + 1
    section = None
    strings_start = strings_end = None
    private_spans = []   # (start, end) of `private` modifiers inside the strings section
    prev = ""
    while True:
        lx.skip_space_and_comments()
        if lx.pos >= len(text):
            return None
        at = lx.pos
        c = text[at]
        if c == "}":
            lx.pos += 1
            if section == "strings":
                strings_end = at
            break
        if c == '"':
            lx.skip_quoted('"')
            prev = "text"
        elif c == "/" and ((section == "strings" and prev == "=") or prev == "matches"):
            lx.skip_regex()
            prev = "regex"
        elif c == "{" and section == "strings":
            lx.skip_hex()
            prev = "hex"
        elif c.isalnum() or c in "_$#@!*":
            w = lx.word()
            after = lx.pos
            lx.skip_space_and_comments()
            if w in ("meta", "strings", "condition") and lx.pos < len(text) and text[lx.pos] == ":":
                if section == "strings":
                    strings_end = at
                lx.pos += 1
                section = w
                if w == "strings":
                    strings_start = lx.pos
                prev = ""
                continue
            if section == "strings" and w == "private":
                private_spans.append((at, after))
            prev = w
        else:
            lx.pos += 1
            prev = c
    if strings_start is None or strings_end is None:
        return header, None
    parts = []
    pos = strings_start
    for a, b in private_spans:
        parts.append(text[pos:a])
        pos = b
    parts.append(text[pos:strings_end])
    body = "".join(parts).rstrip()
    if "$" not in body:
        return header, None
    return header, body


# ----------------------------------------------------------------------------------------------
# Running and comparing.

def blocks(output):
    """Cuts output into blocks: a line that does not start with "0x" and the string lines under
    it, so that sorting keeps each rule's strings with it."""
    result = []
    for line in output.splitlines():
        if line.startswith("0x") and result:
            result[-1].append(line)
        else:
            result.append([line])
    return result


def normalize(output, sort):
    if not sort:
        return output.splitlines()
    return [line for block in sorted(blocks(output)) for line in block]


# Above this many lines, outputs are compared as multisets of blocks, which takes linear time,
# rather than with difflib, which does not.
MAX_DIFFLIB_LINES = 100000


def describe_difference(y_lines, v_lines, max_lines):
    if len(y_lines) + len(v_lines) <= MAX_DIFFLIB_LINES:
        diff = list(difflib.unified_diff(y_lines, v_lines, "yara", "vigie-yara", lineterm="", n=1))
    else:
        y_blocks = collections.Counter(tuple(b) for b in blocks("\n".join(y_lines)))
        v_blocks = collections.Counter(tuple(b) for b in blocks("\n".join(v_lines)))
        diff = ["%d lines from yara, %d from vigie-yara; blocks only in one of them:"
                % (len(y_lines), len(v_lines))]
        # Half of the room for each side, so that both show.
        for sign, name, only in (("-", "yara", y_blocks - v_blocks),
                                 ("+", "vigie-yara", v_blocks - y_blocks)):
            shown = []
            for block in sorted(only.elements()):
                if len(shown) >= max_lines // 2:
                    break
                shown.extend(sign + line for line in block)
            diff.append("%d blocks only in %s:" % (sum(only.values()), name))
            diff.extend(shown[:max_lines // 2])
        return "\n".join(diff)
    if len(diff) > max_lines:
        diff = diff[:max_lines] + ["... (%d more diff lines)" % (len(diff) - max_lines)]
    return "\n".join(diff)


def run(program, args, timeout):
    try:
        p = subprocess.run([program] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b"timeout after %d s" % timeout
    return p.returncode, p.stdout, p.stderr


class Stats:
    def __init__(self):
        self.runs = 0
        self.same = 0
        self.differ = 0
        self.reference_failed = 0


def compare(yara, vigie, args, sort, timeout, stats, max_lines, compare_exit=True):
    stats.runs += 1
    y_rc, y_out, y_err = run(yara, args, timeout)
    v_rc, v_out, v_err = run(vigie, args, timeout)
    cmd = " ".join(shlex.quote(a) for a in args)
    if y_rc is None:
        stats.reference_failed += 1
        print("SKIP (yara timed out): %s" % cmd)
        return True
    if y_rc != 0 and not y_out and b"error" in y_err and b"error scanning" not in y_err:
        # yara could not compile or load the rules: nothing to compare against.
        stats.reference_failed += 1
        errors = [l for l in y_err.decode("utf-8", "replace").splitlines() if "error" in l]
        print("SKIP (yara failed: %s): %s" % ((errors or ["?"])[0], cmd))
        return True
    y_lines = normalize(y_out.decode("utf-8", "surrogateescape"), sort)
    v_lines = normalize(v_out.decode("utf-8", "surrogateescape"), sort)
    problems = []
    if y_lines != v_lines:
        problems.append(describe_difference(y_lines, v_lines, max_lines))
    if compare_exit and y_rc != v_rc:
        problems.append("exit code: yara %s, vigie-yara %s" % (y_rc, v_rc))
        if v_err:
            problems.append("vigie-yara stderr:\n" + v_err.decode("utf-8", "replace")[:2000])
    if problems:
        stats.differ += 1
        print("DIFF: %s\n%s\n" % (cmd, "\n".join(problems)))
        return False
    stats.same += 1
    return True


def write_quick_targets(directory):
    """Small files whose bytes exercise the rules of rules/: text, wide text, hex patterns,
    xor-encoded text, escapes, a large match, a nested directory, and an empty file."""
    os.makedirs(os.path.join(directory, "sub", "deeper"), exist_ok=True)
    files = {
        "text.txt": b"hello world\nThe quick brown fox jumps over the lazy dog.\n"
                    b"password=hunter2 \"quoted\" back\\slash\ttab\n" * 3,
        "binary.bin": bytes(range(256)) * 4 + b"\x4d\x5a\x90\x00\x03\x00\x00\x00" + b"MZ-end",
        "wide.bin": "hello world".encode("utf-16-le") + b"\x00\x00" + "Secret".encode("utf-16-le"),
        "xored.bin": bytes(b ^ 0x21 for b in b"This program cannot be run in DOS mode")
                     + b"\x00" * 16 + bytes(b ^ 0x7f for b in b"evil payload"),
        "escapes.bin": b"\x7f\xe9tab\there\x00\x01\x02\xff" + b"marker\r\n" + b"\x1b[0m",
        "big.bin": b"A" * 3000 + b"BCD" + b"A" * 100,
        "empty": b"",
        "sub/nested.txt": b"nested hello world in a subdirectory\n",
        "sub/deeper/deep.bin": b"\xde\xad\xbe\xef" * 8 + b"hello",
        "sub/large.bin": b"Z" * 5000 + b"hello world",
    }
    for name, data in files.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
    try:
        os.symlink("text.txt", os.path.join(directory, "link-to-text"))
    except OSError:
        pass
    return [os.path.join(directory, n) for n in ("text.txt", "binary.bin", "wide.bin",
                                                "xored.bin", "escapes.bin", "big.bin", "empty")]


def quick(args):
    stats = Stats()
    rule_files = sorted(os.path.join(RULES_DIR, f) for f in os.listdir(RULES_DIR)
                        if f.endswith(".yar"))
    if not rule_files:
        print("no rules in %s" % RULES_DIR)
        return 2
    ok = True
    with tempfile.TemporaryDirectory(prefix="vigie-diff-") as tmp:
        os.chdir(tmp)  # relative target names, as a user would type them
        files = [os.path.relpath(f, tmp) for f in write_quick_targets(os.path.join(tmp, "t"))]
        for rules in rule_files:
            defines = QUICK_DEFINES if os.path.basename(rules).startswith("externals") else []
            for flags in QUICK_FLAG_SETS:
                only = [f for f in flags if f.endswith(".yar")]
                if only and os.path.basename(rules) not in only:
                    continue
                flags = defines + [f for f in flags if not f.endswith(".yar")]
                for target in files + ["t"]:
                    is_dir = target == "t"
                    if not is_dir and ("-r" in flags or "-N" in flags or "-z" in flags):
                        continue  # flags about directories: once per rule file is enough
                    if is_dir and "-l" in flags:
                        # yara's -l count is kept per scanning thread, not per file, so its
                        # directory output depends on which thread got which file.
                        continue
                    sort = is_dir or "-p" in flags
                    ok &= compare(args.yara, args.vigie, flags + [rules, target], sort,
                                  args.timeout, stats, args.max_diff_lines)
        # A scan list, and several rule files with namespaces.
        with open("list.txt", "w") as f:
            f.write("\n".join(files) + "\n")
        ok &= compare(args.yara, args.vigie, ["--scan-list", "-s", rule_files[0], "list.txt"],
                      True, args.timeout, stats, args.max_diff_lines)
        ns_rules = ["ns%d:%s" % (i, r) for i, r in enumerate(rule_files)]
        ok &= compare(args.yara, args.vigie, QUICK_DEFINES + ["-e", "-s"] + ns_rules + ["t"], True,
                      args.timeout, stats, args.max_diff_lines)
        # The same rules with every condition turned into `any of them`.
        ok &= any_of_them_runs(args, rule_files, ["t"], tmp, stats)
    report(stats)
    return 0 if ok else 1


def any_of_them_runs(args, rule_files, targets, tmp, stats):
    ok = True
    for rules in rule_files:
        with open(rules, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        try:
            rewritten, kept, dropped = rewrite_any_of_them(text)
        except ValueError as e:
            print("cannot rewrite %s: %s" % (rules, e))
            ok = False
            continue
        out = os.path.join(tmp, "any-" + os.path.basename(rules))
        with open(out, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(rewritten)
        print("%s: %d rules with strings kept, %d dropped" % (rules, kept, dropped))
        for target in targets:
            flags = list(args.flag_list) or ["-s"]
            if os.path.isdir(target) and args.recursive:
                flags.append("-r")
            ok &= compare(args.yara, args.vigie, flags + [out, target], os.path.isdir(target),
                          args.timeout, stats, args.max_diff_lines)
    return ok


def report(stats):
    print("%d runs: %d same, %d different, %d skipped (reference failed)"
          % (stats.runs, stats.same, stats.differ, stats.reference_failed))


def custom(args):
    stats = Stats()
    ok = True
    targets = list(args.targets)
    if args.build_corpus:
        script = os.path.join(HERE, "..", "..", "..", "shared", "bench", "make-corpus.sh")
        cmd = [script, args.build_corpus, "--size-mb", str(args.size_mb)]
        print("building corpus: %s" % " ".join(cmd))
        if subprocess.run(cmd).returncode != 0:
            print("corpus build failed")
            return 2
        targets.append(args.build_corpus)
    if not args.rules or not targets:
        print("--rules and --targets (or --build-corpus) are needed")
        return 2
    with tempfile.TemporaryDirectory(prefix="vigie-diff-") as tmp:
        if args.any_of_them:
            ok = any_of_them_runs(args, args.rules, targets, tmp, stats)
        else:
            for rules in args.rules:
                for target in targets:
                    flags = list(args.flag_list)
                    if os.path.isdir(target) and args.recursive:
                        flags.append("-r")
                    ok &= compare(args.yara, args.vigie, flags + [rules, target],
                                  os.path.isdir(target) or args.sort, args.timeout, stats,
                                  args.max_diff_lines)
    report(stats)
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--yara", default="/usr/bin/yara", help="reference program")
    ap.add_argument("--vigie", required=True, help="vigie-yara program")
    ap.add_argument("--quick", action="store_true", help="the ctest run over rules/")
    ap.add_argument("--rules", nargs="*", default=[], help="rule files")
    ap.add_argument("--targets", nargs="*", default=[], help="files or directories to scan")
    ap.add_argument("--flags", default="", help="flags given to both programs, e.g. '-s -m'")
    ap.add_argument("-r", "--recursive", action="store_true", help="add -r for directories")
    ap.add_argument("--sort", action="store_true", help="compare sorted output for files too")
    ap.add_argument("--any-of-them", action="store_true",
                    help="rewrite conditions to `any of them` (see above)")
    ap.add_argument("--build-corpus", metavar="DIR", help="build a corpus there and scan it")
    ap.add_argument("--size-mb", type=int, default=60, help="corpus size (default 60)")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per program run")
    ap.add_argument("--max-diff-lines", type=int, default=60, help="diff lines shown per run")
    args = ap.parse_args()
    args.flag_list = shlex.split(args.flags)
    for p in (args.yara, args.vigie):
        if not os.access(p, os.X_OK):
            print("not an executable: %s" % p)
            return 2
    args.vigie = os.path.abspath(args.vigie)
    args.rules = [os.path.abspath(r) for r in args.rules]
    return quick(args) if args.quick else custom(args)


if __name__ == "__main__":
    sys.exit(main())
