// Checks that need a whole rule: every string reference in the condition names a declared
// string, and every declared string is used by the condition (YARA makes both errors, except
// for strings named $_...).
//
// While parsing the condition, each reference ($a, #a, @a, !a, and set items such as $a*,
// $* or `them`) was recorded in refs_ with its place; here they are matched against the
// declarations. A wildcard item matches the strings whose identifier starts with its prefix.
#include <string>
#include <string_view>

#include "lang/diag_codes.h"
#include "lang/parser_impl.h"

namespace vigie::lang {

void Parser::check_rule(Rule& rule) {
  std::vector<bool> used(rule.strings.size(), false);
  for (const Ref& ref : refs_) {
    if (ref.name == "them") {
      if (rule.strings.empty())
        report(Severity::kError, codes::kUndefinedString, ref.span,
               "\"them\" refers to no string: the rule declares none");
      used.assign(used.size(), true);
      continue;
    }
    bool found = false;
    if (ref.wildcard) {
      std::string_view prefix(ref.name);
      prefix.remove_suffix(1);  // the '*'
      for (size_t i = 0; i < rule.strings.size(); ++i) {
        if (std::string_view(rule.strings[i].identifier).substr(0, prefix.size()) == prefix) {
          used[i] = true;
          found = true;
        }
      }
      if (!found)
        report(Severity::kError, codes::kUndefinedString, ref.span,
               "no string matches \"" + ref.name + "\"");
      continue;
    }
    for (size_t i = 0; i < rule.strings.size(); ++i) {
      if (rule.strings[i].identifier == ref.name) {
        used[i] = true;
        found = true;
      }
    }
    if (!found)
      report(Severity::kError, codes::kUndefinedString, ref.span,
             "string \"" + ref.name + "\" is not defined");
  }
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
