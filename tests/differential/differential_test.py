#!/usr/bin/env python3
"""Unit tests of differential.py's rule rewriting and output comparison (no programs needed)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import differential as d  # noqa: E402


class RewriteTest(unittest.TestCase):
    def test_conditions_become_any_of_them(self):
        src = ('import "pe"\n'
               'rule a : t1 t2 { meta: x = "}" strings: $s = "abc" condition: pe.is_pe and $s }\n')
        out, kept, dropped = d.rewrite_any_of_them(src)
        self.assertEqual((kept, dropped), (1, 0))
        self.assertNotIn("import", out)
        self.assertNotIn("pe.is_pe", out)
        self.assertIn("rule a : t1 t2 {", out)
        self.assertIn('$s = "abc"', out)
        self.assertIn("any of them", out)
        self.assertNotIn('x = "}"', out)  # metadata is not needed

    def test_rules_without_strings_are_dropped(self):
        out, kept, dropped = d.rewrite_any_of_them(
            "rule a { condition: true }\nrule b { strings: $x = { 41 } condition: $x }")
        self.assertEqual((kept, dropped), (1, 1))
        self.assertNotIn("rule a", out)

    def test_private_and_global_are_dropped(self):
        out, _, _ = d.rewrite_any_of_them(
            'global private rule g { strings: $a = "private" private $b = "x" condition: $a }')
        self.assertTrue(out.startswith("rule g {"), out)
        self.assertIn('$a = "private"', out)  # the text is kept, the modifier is not
        self.assertIn('$b = "x"', out)
        self.assertEqual(out.count("private"), 1)

    def test_braces_and_slashes_inside_patterns_and_comments(self):
        src = ('/* rule fake { strings: $z = "z" condition: $z } */\n'
               'rule r {\n'
               '  strings:\n'
               '    $t = "a } b"  // }\n'
               '    $re = /x{2}\\/}/ nocase\n'
               '    $h = { 4D 5A [2] ( 90 | 00 ) /* } */ }\n'
               '  condition:\n'
               '    $t and "}" matches /}{/ and filesize / 2 > 1\n'
               '}\n'
               'rule s { strings: $a = "a" condition: $a }\n')
        out, kept, dropped = d.rewrite_any_of_them(src)
        self.assertEqual((kept, dropped), (2, 0), out)
        self.assertNotIn("fake", out)
        self.assertIn("$re = /x{2}\\/}/ nocase", out)
        self.assertIn("( 90 | 00 ) /* } */ }", out)

    def test_include_is_kept_and_garbage_is_refused(self):
        out, _, _ = d.rewrite_any_of_them('include "other.yar"\n')
        self.assertEqual(out, 'include "other.yar"\n')
        with self.assertRaises(ValueError):
            d.rewrite_any_of_them("rule {")
        with self.assertRaises(ValueError):
            d.rewrite_any_of_them("}")


class CompareTest(unittest.TestCase):
    def test_blocks_keep_string_lines_with_their_rule(self):
        out = "b f\n0x1:$a: x\na f\n0x0:$b: y\n"
        self.assertEqual(d.normalize(out, True), ["a f", "0x0:$b: y", "b f", "0x1:$a: x"])
        self.assertEqual(d.normalize(out, False), out.splitlines())

    def test_large_outputs_are_compared_as_block_multisets(self):
        y = ["r a", "0x1:$a: x", "r b"] * 40000
        v = ["r a", "0x1:$a: x", "r c"] * 40000
        text = d.describe_difference(y, v, 10)
        self.assertIn("blocks only in one of them", text)
        self.assertIn("-r b", text)
        self.assertIn("+r c", text)
        small = d.describe_difference(["a", "b"], ["a", "c"], 10)
        self.assertIn("-b", small)
        self.assertIn("+c", small)


if __name__ == "__main__":
    unittest.main()
