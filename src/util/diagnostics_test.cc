#include "vigie/diagnostics.h"

#include <gtest/gtest.h>

namespace vigie {
namespace {

TEST(Diagnostic, FormatsFileLineColumnAndCaret) {
  Diagnostic d;
  d.code = "E012";
  d.message = "undefined string identifier \"$b\"";
  d.location = {"rules.yar", 12, 12};
  d.source_line = "    $a and $b";
  d.span_length = 2;
  EXPECT_EQ(d.format_short(), "rules.yar:12:12: error[E012]: undefined string identifier \"$b\"");
  EXPECT_EQ(d.format(),
            "rules.yar:12:12: error[E012]: undefined string identifier \"$b\"\n"
            " 12 |     $a and $b\n"
            "    |            ^~\n");
}

TEST(Diagnostic, WarningWithoutLine) {
  Diagnostic d;
  d.severity = Severity::kWarning;
  d.code = "W001";
  d.message = "m";
  d.location = {"x.yar", 0, 0};
  EXPECT_EQ(d.format(), "x.yar: warning[W001]: m\n");
}

}  // namespace
}  // namespace vigie

namespace vigie {
namespace {

TEST(Diagnostic, CaretCountsUtf8CharactersOnce) {
  Diagnostic d;
  d.code = "E001";
  d.message = "m";
  d.location = {"f", 3, 9};
  d.source_line = "\"\xc3\xa9t\xc3\xa9\" \xc3\xa9x";  // "été" éx
  d.span_length = 3;                                  // éx
  EXPECT_EQ(d.format(),
            "f:3:9: error[E001]: m\n"
            " 3 | \"\xc3\xa9t\xc3\xa9\" \xc3\xa9x\n"
            "   |       ^~\n");
}

TEST(Diagnostic, TabsAreKeptAndSpansStopAtLineEnd) {
  Diagnostic d;
  d.code = "E002";
  d.message = "m";
  d.location = {"f", 1, 3};
  d.source_line = "\t\tabc";
  d.span_length = 50;
  EXPECT_EQ(d.format(), "f:1:3: error[E002]: m\n 1 | \t\tabc\n   | \t\t^~~\n");
  d.location.column = 6;  // just past the end: the caret goes there
  d.span_length = 1;
  EXPECT_EQ(d.format(), "f:1:6: error[E002]: m\n 1 | \t\tabc\n   | \t\t   ^\n");
}

}  // namespace
}  // namespace vigie
