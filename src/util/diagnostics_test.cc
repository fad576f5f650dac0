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
