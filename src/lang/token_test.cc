#include "lang/token.h"

#include <gtest/gtest.h>

namespace vigie::lang {
namespace {

TEST(Token, KeywordsAndDescriptions) {
  EXPECT_EQ(keyword("uint32be"), Tok::kUint32be);
  EXPECT_EQ(keyword("rules"), Tok::kIdentifier);
  EXPECT_EQ(describe(Tok::kAnd), "\"and\"");
  EXPECT_EQ(describe(Tok::kDotDot), "\"..\"");
  EXPECT_TRUE(is_int_read(Tok::kInt8));
  EXPECT_FALSE(is_int_read(Tok::kXor));
}

}  // namespace
}  // namespace vigie::lang
