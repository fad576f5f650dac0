#include "cli/arg_parser.h"

#include <cerrno>
#include <cstdlib>

namespace vigie::cli {
namespace {

// strtoll(s, &end, 0) followed by nothing, as yara reads integer options. Overflow saturates.
bool parse_integer(const std::string& s, int64_t* value) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (end == nullptr || *end != '\0') return false;
  *value = v;
  return true;
}

std::string missing_value_message(const std::string& arg, OptionSpec::Kind kind) {
  return "option `" + arg + "` requires " +
         (kind == OptionSpec::Kind::kInteger ? "an integer" : "a string") + " argument";
}

// Records one value for option `i`; false when an integer does not parse.
bool store(const std::vector<OptionSpec>& table, size_t i, const std::string& value,
           ParsedArgs& out) {
  ++out.count[i];
  if (table[i].kind == OptionSpec::Kind::kString) {
    out.strings[i].push_back(value);
    return true;
  }
  if (table[i].kind == OptionSpec::Kind::kInteger) {
    int64_t v = 0;
    if (!parse_integer(value, &v)) return false;
    out.integers[i].push_back(v);
  }
  return true;
}

}  // namespace

int64_t ParsedArgs::integer(size_t option, int64_t fallback) const {
  return integers[option].empty() ? fallback : integers[option].back();
}

ParseResult parse_args(const std::vector<OptionSpec>& table, const std::vector<std::string>& args) {
  ParseResult r;
  r.args.count.assign(table.size(), 0);
  r.args.strings.resize(table.size());
  r.args.integers.resize(table.size());
  auto fail = [&r](std::string message) {
    r.ok = false;
    r.error = std::move(message);
    return r;
  };

  for (size_t a = 0; a < args.size(); ++a) {
    const std::string& arg = args[a];
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
      size_t eq = arg.find('=');
      std::string_view name =
          std::string_view(arg).substr(2, eq == std::string::npos ? arg.npos : eq - 2);
      size_t i = 0;
      while (i < table.size() && table[i].long_name != name) ++i;
      if (i == table.size()) return fail("unknown option `" + arg + "`");
      if (table[i].kind == OptionSpec::Kind::kFlag) {
        ++r.args.count[i];
        continue;
      }
      if (eq == std::string::npos) return fail(missing_value_message(arg, table[i].kind));
      if (!store(table, i, arg.substr(eq + 1), r.args))
        return fail(missing_value_message(arg, table[i].kind));
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-' && arg != "--") {
      for (size_t c = 1; c < arg.size(); ++c) {
        size_t i = 0;
        while (i < table.size() && table[i].short_name != arg[c]) ++i;
        if (i == table.size()) return fail("unknown option `" + arg + "`");
        if (table[i].kind == OptionSpec::Kind::kFlag) {
          ++r.args.count[i];
          continue;
        }
        // An option with a value ends its group and takes the next argument.
        if (c + 1 != arg.size() || a + 1 == args.size())
          return fail(missing_value_message(arg, table[i].kind));
        ++a;
        if (!store(table, i, args[a], r.args))
          return fail(missing_value_message(arg, table[i].kind));
      }
      continue;
    }
    r.args.positional.push_back(arg);
  }
  return r;
}

std::string format_option_help(const std::vector<OptionSpec>& table, size_t name_width) {
  std::string out;
  for (const OptionSpec& o : table) {
    if (o.help.empty()) continue;
    out += o.short_name ? std::string("  -") + o.short_name + ",  " : std::string(7, ' ');
    std::string name = "--" + std::string(o.long_name);
    if (!o.value_name.empty()) name += "=" + std::string(o.value_name);
    out += name;
    out.append(name.size() < name_width ? name_width - name.size() : 1, ' ');
    out += o.help;
    out += '\n';
  }
  return out;
}

}  // namespace vigie::cli
