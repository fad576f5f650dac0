// Checks that need a whole rule: every string reference in the condition names a declared
// string, and every declared string is used by the condition (YARA makes both errors, except
// for strings named $_...).
//
// While parsing the condition, each reference ($a, #a, @a, !a, and set items such as $a*,
// $* or `them`) was recorded in refs_ with its place; here they are matched against the
// declarations. A wildcard item matches the strings whose identifier starts with its prefix.
#include <algorithm>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lang/diag_codes.h"
#include "lang/parser_impl.h"

namespace vigie::lang {

void Parser::check_rule(Rule& rule) {
  // Identifiers sorted, so that exact names and wildcard prefixes are found by binary search:
  // a hostile rule may have very many strings and references.
  std::vector<std::pair<std::string_view, size_t>> names;
  names.reserve(rule.strings.size());
  for (size_t i = 0; i < rule.strings.size(); ++i)
    names.emplace_back(rule.strings[i].identifier, i);
  std::sort(names.begin(), names.end());
  std::vector<bool> used(rule.strings.size(), false);
  bool all_used = false;
  std::unordered_set<std::string_view> wildcards_done, exact_done;
  for (const Ref& ref : refs_) {
    if (ref.name == "them") {
      if (rule.strings.empty())
        report(Severity::kError, codes::kUndefinedString, ref.span,
               "\"them\" refers to no string: the rule declares none");
      all_used = true;
      continue;
    }
    std::string_view key(ref.name);
    if (ref.wildcard) {
      key.remove_suffix(1);  // the '*'
      bool first_time = wildcards_done.insert(key).second;
      auto it = std::lower_bound(names.begin(), names.end(), std::make_pair(key, size_t{0}));
      bool found = it != names.end() && it->first.substr(0, key.size()) == key;
      if (!found)
        report(Severity::kError, codes::kUndefinedString, ref.span,
               "no string matches \"" + ref.name + "\"");
      for (; first_time && it != names.end() && it->first.substr(0, key.size()) == key; ++it)
        used[it->second] = true;
      continue;
    }
    auto it = std::lower_bound(names.begin(), names.end(), std::make_pair(key, size_t{0}));
    if (it == names.end() || it->first != key) {
      report(Severity::kError, codes::kUndefinedString, ref.span,
             "string \"" + ref.name + "\" is not defined");
      continue;
    }
    if (exact_done.insert(key).second)  // mark every duplicate, once
      for (; it != names.end() && it->first == key; ++it) used[it->second] = true;
  }
  if (all_used) return;
  for (size_t i = 0; i < rule.strings.size(); ++i) {
    if (used[i]) continue;
    const StringDecl& s = rule.strings[i];
    // YARA 4.5: a name starting with an underscore marks a string that is only there to be
    // reported (or to be looked at by a module), not used in the condition.
    if (s.identifier.size() > 1 && s.identifier[1] == '_') continue;
    Span at = s.span;
    at.length = static_cast<uint32_t>(s.identifier.size());
    report(Severity::kError, codes::kUnreferencedString, at,
           "string \"" + s.identifier + "\" is not used in the condition");
  }
}

}  // namespace vigie::lang
