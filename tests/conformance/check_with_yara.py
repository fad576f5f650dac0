#!/usr/bin/env python3
"""Runs every conformance case through the reference `yara` command and reports disagreements.

The cases (tests/conformance/cases/*.txt, format in tests/conformance/FORMAT.md) hold
expectations written from the YARA 4.5 specification. Debian's yara is 4.2.3, which lacks some
4.3-4.5 features: a case it gets wrong on purpose says `yara42: differs (reason)`, and for such a
case this script checks that yara does disagree, so the marker cannot go stale silently.

Each case is written to a temporary directory (main.yar, one file per extra namespace, the
`file` blocks, data.bin) and run as
    yara -e -g -m -s -L [-f] [-a N] [-d NAME=VALUE]... [NS:]FILE... data.bin
whose output names every matching rule with its namespace, tags, metadata and string matches.

Usage: check_with_yara.py [--yara PATH] [--verbose] [--filter TEXT] [CASE-FILE...]
Exit status 0 when every case agrees (or disagrees where marked).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES_DIR = os.path.join(HERE, "cases")


# ----------------------------------------------------------------------------------------------
# Parsing the case files.

class CaseError(Exception):
    pass


class Case:
    def __init__(self, path, line, title):
        self.path = path
        self.line = line
        self.title = title
        self.sources = []       # (namespace, text); the first default-namespace one is main.yar
        self.files = []         # (relative path, text)
        self.data = b""
        self.data_file = None
        self.externals = []     # (name, value)
        self.scan_externals = []
        self.options = {}
        self.expect = None      # (set of matching names, set of names that must not match)
        self.matches = []       # (rule, string id, [(offset, length)])
        self.tags = []          # (rule, [tags])
        self.metas = []         # (rule, [(key, value)])
        self.errors = []        # (file or None, line, text)
        self.warnings = []
        self.scan_error = None
        self.scan_warnings = []
        self.module_data = []   # (module, bytes)
        self.yara42 = None

    def where(self):
        return "%s:%d: %s" % (os.path.relpath(self.path, HERE), self.line, self.title)


def unescape(s, where):
    """Decodes a double-quoted string body with C escapes into bytes."""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode("utf-8")
            i += 1
            continue
        if i + 1 >= len(s):
            raise CaseError("%s: dangling backslash" % where)
        e = s[i + 1]
        simple = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, '"': 34}
        if e in simple:
            out.append(simple[e])
            i += 2
        elif e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", s[i + 2:i + 4] or ""):
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            raise CaseError("%s: unknown escape \\%s" % (where, e))
    return bytes(out)


def parse_hex(s, where):
    digits = re.sub(r"\s+", "", s)
    if len(digits) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", digits):
        raise CaseError("%s: bad hex bytes %r" % (where, s))
    return bytes.fromhex(digits)


def parse_data(s, where):
    """Pieces: "text" with escapes, {hex}, each optionally prefixed by N* for repetition."""
    out = bytearray()
    i = 0
    while True:
        while i < len(s) and s[i].isspace():
            i += 1
        if i >= len(s):
            return bytes(out)
        m = re.match(r"(\d+)\s*\*\s*", s[i:])
        count = 1
        if m:
            count = int(m.group(1))
            i += m.end()
        if i < len(s) and s[i] == '"':
            j = i + 1
            while j < len(s) and s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            if j >= len(s):
                raise CaseError("%s: unterminated string in data" % where)
            piece = unescape(s[i + 1:j], where)
            i = j + 1
        elif i < len(s) and s[i] == "{":
            j = s.find("}", i)
            if j < 0:
                raise CaseError("%s: unterminated {hex} in data" % where)
            piece = parse_hex(s[i + 1:j], where)
            i = j + 1
        else:
            raise CaseError("%s: bad data piece at %r" % (where, s[i:i + 20]))
        out += piece * count


def parse_value(v, where):
    if v == "true":
        return True
    if v == "false":
        return False
    if v.startswith('"') and v.endswith('"') and len(v) >= 2:
        return unescape(v[1:-1], where).decode("latin-1")
    if re.fullmatch(r"-?(0x[0-9a-fA-F]+|\d+)", v):
        return int(v, 0)
    if re.fullmatch(r"-?\d+\.\d*", v):
        return float(v)
    raise CaseError("%s: bad external value %r" % (where, v))


def parse_assignments(s, where):
    out = []
    for m in re.finditer(r'\s*(\w+)=("(?:[^"\\]|\\.)*"|\S+)', s):
        out.append((m.group(1), parse_value(m.group(2), where)))
    if re.sub(r'\s*(\w+)=("(?:[^"\\]|\\.)*"|\S+)', "", s).strip():
        raise CaseError("%s: bad assignments %r" % (where, s))
    return out


def parse_location(tok, where):
    m = re.fullmatch(r"(?:(.+):)?(\d+)", tok)
    if not m:
        raise CaseError("%s: bad location %r" % (where, tok))
    return m.group(1), int(m.group(2))


def dedent(lines):
    while lines and not lines[-1].strip():
        lines.pop()
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return "\n".join(l[cut:] for l in lines)


def parse_file(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    cases = []
    case = None
    i = 0
    while i < len(lines):
        line = lines[i]
        where = "%s:%d" % (os.path.relpath(path, HERE), i + 1)
        i += 1
        if line.startswith("==="):
            case = Case(path, i, line[3:].strip())
            cases.append(case)
            continue
        if not line.strip() or line.startswith("#"):
            continue
        if line[0].isspace():
            raise CaseError("%s: indented line outside a block" % where)
        if case is None:
            raise CaseError("%s: text before the first case" % where)
        m = re.match(r"([\w.-]+)(?: ([^:]+))?:(.*)$", line)
        if not m:
            raise CaseError("%s: expected 'key: value'" % where)
        key, arg, value = m.group(1), m.group(2), m.group(3).strip()
        block = []
        while i < len(lines) and (not lines[i].strip() or lines[i][0].isspace()):
            block.append(lines[i])
            i += 1
        text = dedent(block)
        if key == "rules":
            case.sources.append((arg or "default", text if not value else value))
        elif key == "file":
            case.files.append((arg, text))
        elif key == "data":
            case.data += parse_data(value + " " + text, where)
        elif key == "data.hex":
            case.data += parse_hex(value + " " + text, where)
        elif key == "data.text":
            case.data += (value if value else text).encode("latin-1")
        elif key == "data.file":
            case.data_file = os.path.join(os.path.dirname(path), value)
        elif key == "externals":
            case.externals += parse_assignments(value, where)
        elif key == "scan-externals":
            case.scan_externals += parse_assignments(value, where)
        elif key == "options":
            for tok in value.split():
                k, _, v = tok.partition("=")
                if k not in ("fast", "timeout", "max-strings-per-rule"):
                    raise CaseError("%s: unknown option %r" % (where, k))
                case.options[k] = int(v) if v else True
        elif key == "expect":
            yes, no = set(), set()
            if value != "nothing":
                for name in [n.strip() for n in value.split(",")]:
                    if name.startswith("not "):
                        no.add(qualify(name[4:].strip()))
                    elif name:
                        yes.add(qualify(name))
            case.expect = (yes, no)
        elif key == "matches":
            toks = value.split()
            if len(toks) < 2:
                raise CaseError("%s: matches: RULE $id OFFSET:LENGTH..." % where)
            ms = []
            for t in toks[2:]:
                off, _, ln = t.partition(":")
                ms.append((int(off, 0), int(ln, 0)))
            case.matches.append((qualify(toks[0]), toks[1], sorted(ms)))
        elif key == "tags":
            toks = value.split()
            case.tags.append((qualify(toks[0]), toks[1:]))
        elif key == "meta":
            rule, _, rest = value.partition(" ")
            metas = [(k, v) for k, v in parse_assignments(rest, where)]
            case.metas.append((qualify(rule), metas))
        elif key in ("error", "warning"):
            loc, _, txt = value.partition(" ")
            f, ln = parse_location(loc, where)
            # An optional first word lists libvigie's codes (E101|E510); yara has none.
            txt = re.sub(r"^[EW]\d{3}(\|[EW]\d{3})*(\s+|$)", "", txt.strip())
            (case.errors if key == "error" else case.warnings).append((f, ln, txt))
        elif key == "scan-error":
            case.scan_error = value
        elif key == "module-data":
            module, _, rest = value.partition(" ")
            case.module_data.append((module, parse_data(rest + " " + text, where)))
        elif key == "scan-warning":
            case.scan_warnings.append(value)
        elif key == "yara42":
            case.yara42 = value
        else:
            raise CaseError("%s: unknown key %r" % (where, key))
    for c in cases:
        if not c.sources:
            raise CaseError("%s: case without rules" % c.where())
        if c.expect is None and not c.errors and not c.scan_error:
            raise CaseError("%s: case without expect/error/scan-error" % c.where())
    return cases


def qualify(name):
    return name if ":" in name else "default:" + name


# ----------------------------------------------------------------------------------------------
# Running yara.

RULE_LINE = re.compile(r"^(\S+?):(\S+) \[([^\]]*)\] \[(.*)\]$")
MATCH_LINE = re.compile(r"^0x([0-9a-fA-F]+):(\d+):(\$\w*): ")
DIAG_LINE = re.compile(r"(error|warning)")
LOC = re.compile(r"([^\s(]+)\((\d+)\)")
META = re.compile(r'(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|true|false|-?\d+)')


def external_arg(name, value):
    if isinstance(value, bool):
        return "%s=%s" % (name, "true" if value else "false")
    if isinstance(value, str) and (re.fullmatch(r"-?\d+(\.\d*)?", value) or value in ("true", "false")):
        raise CaseError("yara -d cannot pass the string %r" % value)
    return "%s=%s" % (name, value)


def run_yara(case, yara, tmp):
    paths = []
    main_done = False
    for ns, text in case.sources:
        if ns == "default" and not main_done:
            p = os.path.join(tmp, "main.yar")
            main_done = True
        else:
            p = os.path.join(tmp, "ns_%d_%s.yar" % (len(paths), ns))
        with open(p, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        paths.append("%s:%s" % (ns, p))
    for rel, text in case.files:
        p = os.path.join(tmp, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    data = case.data_file
    if data is None:
        data = os.path.join(tmp, "data.bin")
        with open(data, "wb") as f:
            f.write(case.data)
    cmd = [yara, "-e", "-g", "-m", "-s", "-L"]
    if case.options.get("fast"):
        cmd.append("-f")
    if "timeout" in case.options:
        cmd += ["-a", str(case.options["timeout"])]
    if "max-strings-per-rule" in case.options:
        cmd.append("--max-strings-per-rule=%d" % case.options["max-strings-per-rule"])
    ext = dict(case.externals)
    ext.update(dict(case.scan_externals))
    for name, value in ext.items():
        cmd += ["-d", external_arg(name, value)]
    for module, blob in case.module_data:
        p = os.path.join(tmp, "module_%s.bin" % module)
        with open(p, "wb") as f:
            f.write(blob)
        cmd += ["-x", "%s=%s" % (module, p)]
    cmd += paths + [data]
    try:
        p = subprocess.run(cmd, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "", "yara did not finish within 60 s", data
    return p.returncode, p.stdout.decode("latin-1"), p.stderr.decode("latin-1"), data


def parse_output(stdout, data_path):
    rules = {}
    current = None
    for line in stdout.split("\n"):
        if not line:
            continue
        m = MATCH_LINE.match(line)
        if m and current is not None:
            rules[current]["strings"].setdefault(m.group(3), []).append(
                (int(m.group(1), 16), int(m.group(2))))
            continue
        suffix = " " + data_path
        if line.endswith(suffix):
            m = RULE_LINE.match(line[:-len(suffix)])
            if m:
                current = m.group(1) + ":" + m.group(2)
                tags = m.group(3).split(",") if m.group(3) else []
                metas = []
                for mm in META.finditer(m.group(4)):
                    v = mm.group(2)
                    if v.startswith('"'):
                        v = unescape(v[1:-1], "yara output").decode("latin-1")
                    elif v in ("true", "false"):
                        v = v == "true"
                    else:
                        v = int(v)
                    metas.append((mm.group(1), v))
                rules[current] = {"tags": tags, "metas": metas, "strings": {}}
                continue
        raise CaseError("unexpected yara output line %r" % line)
    return rules


def diagnostics(stderr, kind):
    out = []
    for line in stderr.split("\n"):
        if not re.search(r"\b%s\b" % kind, line):
            continue
        m = LOC.search(line)
        if m:
            out.append((os.path.basename(m.group(1)), int(m.group(2)), line))
        else:
            out.append((None, 0, line))
    return out


def diag_found(expected, found):
    f, ln, txt = expected
    for file, line, msg in found:
        want_file = os.path.basename(f) if f else "main.yar"
        if file == want_file and line == ln and txt.lower() in msg.lower():
            return True
    return False


def check(case, yara):
    """Returns a list of disagreement messages (empty: yara agrees with the case)."""
    problems = []
    with tempfile.TemporaryDirectory(prefix="vigie-conf-") as tmp:
        rc, out, err, data_path = run_yara(case, yara, tmp)
        if rc is None:
            return [err]
        errors = diagnostics(err, "error")
        if case.errors:
            if rc == 0:
                problems.append("compiled without error; expected %s" % (case.errors,))
            for e in case.errors:
                if not diag_found(e, errors):
                    problems.append("no error at line %s containing %r; yara said: %s" %
                                    (e[1], e[2], err.strip()))
            return problems
        if case.scan_error:
            if rc == 0 or case.scan_error not in err.replace("timed out", "timeout"):
                problems.append("expected scan error %r; rc=%s stderr=%s" %
                                (case.scan_error, rc, err.strip()))
            return problems
        if rc != 0:
            return ["yara failed (rc=%d): %s" % (rc, err.strip())]
        warnings = diagnostics(err, "warning")
        for w in case.scan_warnings:
            if w.lower() not in err.lower():
                problems.append("no scan warning containing %r; yara said: %s" % (w, err.strip()))
        if not case.scan_warnings and "too many matches" in err:
            problems.append("unexpected scan warning: %s" % err.strip())
        for w in case.warnings:
            if not diag_found(w, warnings):
                problems.append("no warning at line %s containing %r; yara said: %s" %
                                (w[1], w[2], err.strip()))
        try:
            got = parse_output(out, data_path)
        except CaseError as e:
            return [str(e)]
        yes, no = case.expect
        matched = set(got)
        if yes != matched:
            problems.append("matching rules: expected {%s}, yara {%s}" %
                            (", ".join(sorted(yes)), ", ".join(sorted(matched))))
        for n in no & matched:
            problems.append("rule %s matched" % n)
        for rule, sid, ms in case.matches:
            have = sorted(got.get(rule, {"strings": {}})["strings"].get(sid, []))
            # yara prints at most 512 bytes of a match and gives that as its length.
            have = [(o, l if l != 512 else next((el for eo, el in ms if eo == o and el > 512), l))
                    for o, l in have]
            if have != ms:
                problems.append("matches of %s %s: expected %s, yara %s" % (rule, sid, ms, have))
        for rule, tags in case.tags:
            have = got.get(rule, {"tags": None})["tags"]
            if have != tags:
                problems.append("tags of %s: expected %s, yara %s" % (rule, tags, have))
        for rule, metas in case.metas:
            have = got.get(rule, {"metas": None})["metas"]
            if have != metas:
                problems.append("meta of %s: expected %s, yara %s" % (rule, metas, have))
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--yara", default="/usr/bin/yara")
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--filter", default="", help="only the cases whose title contains TEXT")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or sorted(
        os.path.join(CASES_DIR, f) for f in os.listdir(CASES_DIR) if f.endswith(".txt"))
    total = bad = differs = 0
    for path in files:
        try:
            cases = parse_file(path)
        except CaseError as e:
            print("FORMAT %s" % e)
            bad += 1
            continue
        for case in cases:
            if args.filter not in case.title:
                continue
            total += 1
            try:
                problems = check(case, args.yara)
            except CaseError as e:
                problems = ["case cannot be run: %s" % e]
            if case.yara42 is not None:
                if not case.yara42.startswith("differs"):
                    problems = ["unknown yara42 marker %r" % case.yara42]
                elif problems:
                    differs += 1
                    if args.verbose:
                        print("DIFFERS (as marked) %s: %s" % (case.where(), problems[0]))
                    continue
                else:
                    problems = ["marked '%s' but yara 4.2.3 agrees" % case.yara42]
            if problems:
                bad += 1
                print("FAIL %s" % case.where())
                for p in problems:
                    print("    " + p)
            elif args.verbose:
                print("ok   %s" % case.where())
    print("%d cases, %d agree, %d differ as marked, %d failed" %
          (total, total - bad - differs, differs, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
