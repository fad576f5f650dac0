#!/usr/bin/env python3
"""Runs the built vigie-yara and vigie-yarac programs and checks their output, messages and exit
codes. The expected text is what /usr/bin/yara (4.2.3) prints for the same command lines, with
the program name changed where yara prints its own; where vigie differs on purpose (compile
errors in vigie's format, YARA 4.5 behaviour) the test says so.

Usage: cli_test.py VIGIE_YARA VIGIE_YARAC [unittest options]
Only the Python 3 standard library is used.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

VIGIE_YARA = None
VIGIE_YARAC = None

RULES = r'''
rule hello : tag1 tag2 {
  meta:
    author = "a \"quoted\" \\ back\nnl"
    n = 42
    b = true
  strings:
    $a = "hello"
    $b = { 00 01 02 FF }
  condition:
    any of them
}
rule never { condition: false }
rule empty { condition: filesize == 0 }
'''

DATA = b"hello world\x00\x01\x02\xff and more hello"


def run(program, *args, timeout=60, cwd=None):
    p = subprocess.run([program] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Fixture(unittest.TestCase):
    """A temporary directory with rules r.yar, data t.bin and a small tree d/."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="vigie-cli-")
        self.dir = self.tmp.name
        self.rules = self.write("r.yar", RULES)
        self.data = self.write("t.bin", DATA)
        os.makedirs(os.path.join(self.dir, "d", "sub"))
        self.write("d/a.bin", DATA)
        self.write("d/c.txt", b"hi\n")
        self.write("d/sub/b.bin", b"nothing hello")
        self.write("d/e", b"")

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, content):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(content.encode() if isinstance(content, str) else content)
        return path

    def yara(self, *args, **kw):
        return run(VIGIE_YARA, *args, cwd=self.dir, **kw)


class CliTest(Fixture):

    # --- command line -------------------------------------------------------------------------

    def test_wrong_number_of_arguments(self):
        rc, out, err = self.yara("r.yar")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertEqual(err, "vigie-yara: wrong number of arguments\n"
                              "Usage: vigie-yara [OPTION]... [NAMESPACE:]RULES_FILE... FILE | DIR | PID\n\n"
                              "Try `--help` for more options\n")

    def test_option_errors(self):
        self.assertEqual(self.yara("-Q", "r.yar", "t.bin"), (1, "", "unknown option `-Q`\n"))
        self.assertEqual(self.yara("-l", "x", "r.yar", "t.bin"),
                         (1, "", "option `-l` requires an integer argument\n"))
        self.assertEqual(self.yara("-l1", "r.yar", "t.bin"),
                         (1, "", "option `-l1` requires an integer argument\n"))
        self.assertEqual(self.yara("-p", "33", "r.yar", "t.bin"),
                         (1, "", "maximum number of threads is 32\n"))

    def test_help_and_version(self):
        rc, out, _ = self.yara("-h")
        self.assertEqual(rc, 0)
        self.assertIn("  -s,  --print-strings ", out)
        rc, out, _ = self.yara("--version")
        self.assertEqual(rc, 0)
        self.assertTrue(out.startswith("4.5.0 (vigie "))

    # --- output -------------------------------------------------------------------------------

    def test_rule_and_string_lines(self):
        rc, out, err = self.yara("-s", "-g", "-m", "-e", "r.yar", "t.bin")
        self.assertEqual(rc, 0, err)
        self.assertEqual(out,
                         'default:hello [tag1,tag2] [author="a \\"quoted\\" \\\\ back\\nnl",n =42,'
                         'b=true] t.bin\n'
                         "0x0:$a: hello\n0x19:$a: hello\n0xb:$b: 00 01 02 FF\n")

    def test_grouped_flags_and_length(self):
        rc, out, _ = self.yara("-sL", "r.yar", "t.bin")
        self.assertEqual(out, "hello t.bin\n0x0:5:$a: hello\n0x19:5:$a: hello\n0xb:4:$b: 00 01 02 FF\n")

    def test_count_negate_and_filters(self):
        self.assertEqual(self.yara("-c", "r.yar", "t.bin"), (0, "1\n", ""))
        self.assertEqual(self.yara("-n", "r.yar", "t.bin"), (0, "never t.bin\nempty t.bin\n", ""))
        self.assertEqual(self.yara("-t", "tag2", "r.yar", "t.bin"), (0, "hello t.bin\n", ""))
        self.assertEqual(self.yara("-t", "nope", "r.yar", "t.bin"), (0, "", ""))
        self.assertEqual(self.yara("-i", "never", "-n", "r.yar", "t.bin"), (0, "never t.bin\n", ""))

    def test_directory_scans(self):
        rc, out, _ = self.yara("-p", "1", "r.yar", "d")
        self.assertEqual(rc, 0)
        self.assertEqual(out, "hello d/a.bin\nempty d/e\n")
        rc, out, _ = self.yara("-r", "r.yar", "d/")
        self.assertEqual(sorted(out.splitlines()),
                         ["empty d//e", "hello d//a.bin", "hello d//sub/b.bin"])
        rc, out, _ = self.yara("-c", "-r", "r.yar", "d")
        self.assertEqual(sorted(out.splitlines()),
                         ["d/a.bin: 1", "d/c.txt: 0", "d/e: 1", "d/sub/b.bin: 1"])

    def test_skip_larger(self):
        rc, out, err = self.yara("-p", "1", "-z", "3", "r.yar", "d")
        self.assertEqual(rc, 0)
        self.assertEqual(out, "empty d/e\n")
        self.assertIn("skipping d/a.bin (%d bytes) because it's larger than 3 bytes.\n" % len(DATA),
                      err)
        self.assertIn("skipping d/c.txt (3 bytes) because it's larger than 3 bytes.\n", err)

    def test_scan_list(self):
        self.write("list.txt", "t.bin\nmissing\nd\n")
        rc, out, err = self.yara("--scan-list", "-p", "1", "r.yar", "list.txt")
        self.assertEqual(rc, 0)
        self.assertEqual(out, "hello t.bin\nhello d/a.bin\nempty d/e\n")
        self.assertEqual(err, "error scanning missing: could not open file\n")
        self.assertEqual(self.yara("--scan-list", "r.yar", "nolist"),
                         (1, "", 'error: could not open file "nolist".\n'))
        self.assertEqual(self.yara("--scan-list", "r.yar", "d"),
                         (1, "", "error: cannot use a directory as scan list.\n"))

    # --- errors and special files -------------------------------------------------------------

    def test_missing_files(self):
        self.assertEqual(self.yara("r.yar", "nofile"),
                         (1, "", "error scanning nofile: could not open file\n"))
        self.assertEqual(self.yara("-c", "r.yar", "nofile"),
                         (1, "", "error scanning nofile: could not open file\n"))
        self.assertEqual(self.yara("nor.yar", "t.bin"),
                         (1, "", "error: could not open file: nor.yar\n"))
        os.symlink("/nonexistent-vigie", os.path.join(self.dir, "dangling"))
        self.assertEqual(self.yara("r.yar", "dangling"),
                         (1, "", "error scanning dangling: could not open file\n"))

    def test_special_files_scan_as_empty(self):
        self.assertEqual(self.yara("r.yar", "/dev/null"), (0, "empty /dev/null\n", ""))
        fifo = os.path.join(self.dir, "fifo")
        os.mkfifo(fifo)
        # yara blocks on a fifo without writer; vigie-yara scans it as empty and goes on.
        self.assertEqual(self.yara("r.yar", "fifo", timeout=20), (0, "empty fifo\n", ""))

    def test_compile_errors_use_vigie_diagnostics(self):
        self.write("bad.yar", "rule bad {\n  condition:\n    $x\n}\n")
        rc, out, err = self.yara("bad.yar", "t.bin")
        self.assertEqual(rc, 1)
        self.assertEqual(out, "")
        self.assertRegex(err, r"bad\.yar:3:5: error\[E\d+\]: ")
        self.assertIn("    $x\n", err)
        self.assertIn("^", err)

    def test_defines(self):
        self.write("ext.yar", 'rule e { condition: n == 16 and s == "0x10" and f > 1.0 and b }')
        rc, out, err = self.yara("-d", "n=16", "-d", "s=0x10", "-d", "f=1.5", "-d", "b=true",
                                 "ext.yar", "t.bin")
        self.assertEqual((rc, out), (0, "e t.bin\n"), err)
        rc, out, err = self.yara("-d", "x", "r.yar", "t.bin")
        self.assertEqual((rc, out), (0, "hello t.bin\n"))
        self.assertEqual(err, "error: wrong syntax for `-d` option.\n")

    def test_module_data_syntax(self):
        self.assertEqual(self.yara("-x", "foo", "r.yar", "t.bin"),
                         (1, "", "error: wrong syntax for `-x` option.\n"))
        self.assertEqual(self.yara("-x", "foo=nofile", "r.yar", "t.bin"),
                         (1, "", 'error: could not open file "nofile".\n'))
        # Data for a module the rules do not import is ignored, as yara does.
        self.assertEqual(self.yara("-x", "cuckoo=t.bin", "r.yar", "t.bin"), (0, "hello t.bin\n", ""))

    def test_fail_on_warnings(self):
        self.write("slow.yar", "rule slow { strings: $a = /A+/ condition: $a }")
        rc, _, err = self.yara("--fail-on-warnings", "slow.yar", "t.bin")
        self.assertEqual(rc, 1, err)
        rc, _, err = self.yara("--fail-on-warnings", "-w", "slow.yar", "t.bin")
        self.assertEqual(rc, 0, err)
        self.assertEqual(err, "")

    def test_too_many_matches(self):
        # 1,100,000 matches: over yara's limit of 1,000,000 per string.
        self.write("many.bin", b"xyz" * 1100000)
        self.write("many.yar", 'rule many { strings: $a = "xyzxyzxyzx" condition: $a }')
        warning = ('warning: rule "many": too many matches for $a, results for this rule may be '
                   'incorrect\n')
        self.assertEqual(self.yara("many.yar", "many.bin"), (0, "many many.bin\n", warning))
        self.assertEqual(self.yara("--fail-on-warnings", "many.yar", "many.bin"),
                         (1, "", warning + 'error scanning many.bin: string "$a" in rule "many" '
                                           'caused too many matches\n'))

    def test_namespaces(self):
        rc, out, _ = self.yara("-e", "one:r.yar", "t.bin")
        self.assertEqual(out, "one:hello t.bin\n")

    # --- processes ----------------------------------------------------------------------------

    def test_missing_process(self):
        # A number that names no file is a process id.
        rc, out, err = self.yara("r.yar", "2147483600")
        self.assertEqual((rc, out), (1, ""))
        self.assertEqual(err, "error scanning 2147483600: can not attach to process "
                              "(try running as root)\n")

    # --- vigie-yarac and -C -------------------------------------------------------------------

    def test_yarac_round_trip(self):
        rc, out, err = run(VIGIE_YARAC, "r.yar", "r.vgc", cwd=self.dir)
        self.assertEqual((rc, out, err), (0, "", ""))
        rc, out, err = self.yara("-C", "-s", "r.vgc", "t.bin")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out, self.yara("-s", "r.yar", "t.bin")[1])

    def test_yarac_errors(self):
        rc, out, err = run(VIGIE_YARAC, "r.yar", cwd=self.dir)
        self.assertEqual(rc, 1)
        self.assertIn("vigie-yarac: wrong number of arguments\n", err)
        self.assertEqual(run(VIGIE_YARAC, "nofile", "out", cwd=self.dir),
                         (1, "", "error: could not open file: nofile\n"))
        rc, _, err = run(VIGIE_YARAC, "r.yar", "/nonexistent-dir/out", cwd=self.dir)
        self.assertEqual(rc, 1)
        self.assertIn("/nonexistent-dir/out", err)
        self.write("bad.yar", "rule { condition: true }")
        rc, _, err = run(VIGIE_YARAC, "bad.yar", "out", cwd=self.dir)
        self.assertEqual(rc, 1)
        self.assertIn("bad.yar:1:", err)

    def test_compiled_rules_errors(self):
        self.assertEqual(self.yara("-C", "nofile", "t.bin"), (1, "", "could not open file\n"))
        self.assertEqual(self.yara("-C", "r.yar", "t.bin")[0], 1)
        self.assertEqual(self.yara("-C", "r.yar", "r.yar", "t.bin"),
                         (1, "", "error: can't accept multiple rules files if one of them is in "
                                 "compiled form.\n"))
        # A file compiled by YARA's yarac: refused, with a hint to use vigie-yarac.
        self.write("yara.yarc", b"YARA" + bytes(60))
        rc, out, err = self.yara("-C", "yara.yarc", "t.bin")
        self.assertEqual((rc, out), (1, ""))
        self.assertIn("vigie-yarac", err)


class ProcessScanTest(Fixture):
    """Scans a child process whose memory holds a marker (ctest: cli_process_scan)."""

    def test_process_scan(self):
        marker = "vigie" + "-cli-process-marker"
        self.write("p.yar", 'rule in_process { strings: $m = "%s" condition: $m }' % marker)
        child = subprocess.Popen([sys.executable, "-c",
                                  "import sys, time; m = sys.argv[1] * 2; print(len(m), flush=True);"
                                  " time.sleep(60)", marker], stdout=subprocess.PIPE)
        try:
            child.stdout.readline()
            rc, out, err = self.yara("p.yar", str(child.pid))
            self.assertEqual((rc, out), (0, "in_process %d\n" % child.pid), err)
            rc, out, err = self.yara("-c", "--max-process-memory-chunk=65536", "p.yar",
                                     str(child.pid))
            self.assertEqual((rc, out), (0, "1\n"), err)
        finally:
            child.send_signal(signal.SIGKILL)
            child.wait()
            child.stdout.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(2)
    VIGIE_YARA = os.path.abspath(sys.argv[1])
    VIGIE_YARAC = os.path.abspath(sys.argv[2])
    unittest.main(argv=[sys.argv[0]] + sys.argv[3:])
