#!/usr/bin/env python3
"""Benchmark: vigie-yara against yara, side by side in one run, on the same rules and corpus.

For every rule set it prints, for each program: the compile time (yarac / vigie-yarac), the
scan throughput in MB/s over the corpus at 1 and 2 threads (precompiled rules, -C, -r), the peak
resident memory of the scan, the number of output lines, and the ratio vigie / yara.

Rule sets are the public ones in ../shared/rules by default. With --any-of-them every condition
is rewritten to `any of them` and imports are dropped (the pattern engine alone, see
tests/differential/differential.py); without it the sets are scanned as written, which needs the
modules they import.

The corpus is a directory, e.g. one built with ../shared/bench/make-corpus.sh; its files are
read once before timing so both programs scan from the page cache.

  bench/compare_yara.py --vigie build/release/app/cli --corpus /path/to/corpus \\
      [--rules bartblaze signature-base ...] [--any-of-them] [--threads 1 2] [--timeout 900]

Only the Python 3 standard library is used.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "differential"))
from differential import rewrite_any_of_them  # noqa: E402

# External variables some public sets need (see ../shared/rules/README.md).
EXTERNALS = ["filename=", "filepath=", "extension=", "filetype=", "owner="]


def corpus_bytes(corpus):
    total = 0
    for root, _, files in os.walk(corpus):
        for f in files:
            p = os.path.join(root, f)
            if os.path.isfile(p) and not os.path.islink(p):
                total += os.path.getsize(p)
    return total


def warm(corpus):
    for root, _, files in os.walk(corpus):
        for f in files:
            p = os.path.join(root, f)
            try:
                with open(p, "rb") as fh:
                    while fh.read(1 << 20):
                        pass
            except OSError:
                pass


def timed(cmd, timeout):
    """Runs cmd; returns (seconds, cpu seconds, peak RSS in MB, exit code, output lines)."""
    start = time.monotonic()
    out_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd, stdout=out_file, stderr=subprocess.DEVNULL)
    try:
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                return None, None, usage.ru_maxrss / 1024.0, "timeout", None
            time.sleep(0.02)
    finally:
        pass
    seconds = time.monotonic() - start
    cpu = usage.ru_utime + usage.ru_stime
    out_file.seek(0)
    lines = sum(1 for _ in out_file)
    code = os.waitstatus_to_exitcode(status)
    return seconds, cpu, usage.ru_maxrss / 1024.0, code, lines


def defines():
    out = []
    for d in EXTERNALS:
        out += ["-d", d]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vigie", required=True, help="directory holding vigie-yara and vigie-yarac")
    ap.add_argument("--yara", default="/usr/bin", help="directory holding yara and yarac")
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--rules-dir", default=os.path.join(HERE, "..", "..", "shared", "rules"))
    ap.add_argument("--rules", nargs="*",
                    default=["bartblaze", "reversinglabs", "signature-base", "yararules-community"])
    ap.add_argument("--any-of-them", action="store_true")
    ap.add_argument("--threads", nargs="*", type=int, default=[1, 2])
    ap.add_argument("--timeout", type=int, default=1200, help="seconds per scan")
    args = ap.parse_args()

    size = corpus_bytes(args.corpus)
    warm(args.corpus)
    mb = size / 1e6
    print("corpus: %s, %.1f MB; rules %s" % (args.corpus, mb,
                                             "rewritten to 'any of them'" if args.any_of_them else "as written"))
    header = "%-20s %-6s %10s %8s %10s %8s %8s %8s" % ("rule set", "prog", "compile s", "threads",
                                                       "scan MB/s", "cpu s", "peak MB", "lines")
    print(header)
    print("-" * len(header))
    tmp = tempfile.mkdtemp(prefix="vigie-bench-")
    for name in args.rules:
        src = os.path.join(args.rules_dir, name + ".yar")
        if args.any_of_them:
            with open(src, encoding="utf-8", errors="surrogateescape") as f:
                text, kept, dropped = rewrite_any_of_them(f.read())
            src = os.path.join(tmp, name + ".any.yar")
            with open(src, "w", encoding="utf-8", errors="surrogateescape") as f:
                f.write(text)
        results = {}
        for prog, compiler, scanner in (
                ("yara", os.path.join(args.yara, "yarac"), os.path.join(args.yara, "yara")),
                ("vigie", os.path.join(args.vigie, "vigie-yarac"), os.path.join(args.vigie, "vigie-yara"))):
            compiled = os.path.join(tmp, "%s.%s.bin" % (name, prog))
            csec, _, _, ccode, _ = timed([compiler] + defines() + ["-w", src, compiled], args.timeout)
            if ccode != 0:
                print("%-20s %-6s compile failed (exit %s)" % (name, prog, ccode))
                continue
            for t in args.threads:
                ssec, scpu, smem, scode, lines = timed([scanner, "-C", "-r", "-w", "-p", str(t), compiled, args.corpus],
                                                 args.timeout)
                rate = mb / ssec if ssec else 0.0
                results[(prog, t)] = rate
                shown = ("%10.1f" % rate) if ssec else ("%10s" % (">%ds" % args.timeout))
                print("%-20s %-6s %10.2f %8d %s %8.2f %8.0f %8s" % (
                    name, prog, csec, t, shown, scpu or 0.0, smem, lines if lines is not None else "-"))
                sys.stdout.flush()
        for t in args.threads:
            y, v = results.get(("yara", t)), results.get(("vigie", t))
            if y and v:
                print("%-20s ratio  vigie/yara at %d thread(s): %.1fx" % (name, t, v / y))
        print()


if __name__ == "__main__":
    main()
