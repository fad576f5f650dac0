#include "cli/externals.h"

#include <sys/stat.h>

#include <cstdlib>

namespace vigie::cli {
namespace {

bool is_float_text(std::string_view t) {
  size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
  size_t digits_before = 0;
  while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i, ++digits_before;
  if (digits_before == 0 || i == t.size() || t[i] != '.') return false;
  for (++i; i < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

}  // namespace

bool is_integer_text(std::string_view t) {
  size_t i = t.size() > 0 && t[0] == '-' ? 1 : 0;
  if (i == t.size()) return false;
  for (; i < t.size(); ++i)
    if (t[i] < '0' || t[i] > '9') return false;
  return true;
}

ExternalValue typed_value(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  std::string s(text);
  if (is_integer_text(text)) return static_cast<int64_t>(std::strtoll(s.c_str(), nullptr, 10));
  if (is_float_text(text)) return std::strtod(s.c_str(), nullptr);
  return s;
}

std::optional<Define> parse_define(std::string_view arg) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  return Define{std::string(arg.substr(0, eq)), typed_value(arg.substr(eq + 1))};
}

RuleSource split_rule_argument(const std::string& arg) {
  size_t colon = arg.find(':');
  struct stat st;
  if (colon == std::string::npos || ::stat(arg.c_str(), &st) == 0) return {"default", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace vigie::cli
