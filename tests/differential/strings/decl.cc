// Declaration parsing for the differential test. See decl.h.
#include "decl.h"

#include <cctype>

namespace vigie::re::difftest {
namespace {

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads a quoted text string at s[i] == '"', applying YARA's escapes.
bool quoted(const std::string& s, size_t& i, std::string& out) {
  ++i;
  while (i < s.size() && s[i] != '"') {
    char c = s[i++];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (i >= s.size()) return false;
    char e = s[i++];
    switch (e) {
      case 'n':
        out.push_back('\n');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '"':
        out.push_back('"');
        break;
      case 'x':
        if (i + 2 > s.size() || hexval(s[i]) < 0 || hexval(s[i + 1]) < 0) return false;
        out.push_back(static_cast<char>(hexval(s[i]) * 16 + hexval(s[i + 1])));
        i += 2;
        break;
      default:
        return false;
    }
  }
  if (i >= s.size()) return false;
  ++i;
  return true;
}

bool number(const std::string& s, size_t& i, int& v) {
  size_t start = i;
  v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])))
    v = v * 10 + (s[i++] - '0');
  if (s.compare(start, 2, "0x") == 0) {
    i = start + 2;
    v = 0;
    while (i < s.size() && hexval(s[i]) >= 0) v = v * 16 + hexval(s[i++]);
  }
  return i > start;
}

}  // namespace

std::optional<PatternSpec> parse_decl(const std::string& d) {
  PatternSpec spec;
  size_t i = 0;
  if (d.empty()) return std::nullopt;
  if (d[0] == '"') {
    spec.kind = lang::StringKind::kText;
    if (!quoted(d, i, spec.value)) return std::nullopt;
  } else if (d[0] == '{') {
    spec.kind = lang::StringKind::kHex;
    size_t end = d.find('}');
    if (end == std::string::npos) return std::nullopt;
    spec.value = d.substr(1, end - 1);
    i = end + 1;
  } else if (d[0] == '/') {
    spec.kind = lang::StringKind::kRegex;
    i = 1;
    while (i < d.size() && d[i] != '/') {
      if (d[i] == '\\' && i + 1 < d.size()) spec.value.push_back(d[i++]);
      spec.value.push_back(d[i++]);
    }
    if (i >= d.size()) return std::nullopt;
    ++i;
    while (i < d.size() && (d[i] == 'i' || d[i] == 's')) {
      spec.regex_flags |= d[i] == 'i' ? lang::kRegexNocase : lang::kRegexDotAll;
      ++i;
    }
  } else {
    return std::nullopt;
  }
  auto& m = spec.modifiers;
  while (i < d.size()) {
    while (i < d.size() && d[i] == ' ') ++i;
    size_t start = i;
    while (i < d.size() && (std::isalnum(static_cast<unsigned char>(d[i])) || d[i] == '_')) ++i;
    std::string word = d.substr(start, i - start);
    if (word.empty()) {
      if (i < d.size()) return std::nullopt;
      break;
    }
    if (word == "nocase")
      m.nocase = true;
    else if (word == "ascii")
      m.ascii = true;
    else if (word == "wide")
      m.wide = true;
    else if (word == "fullword")
      m.fullword = true;
    else if (word == "private")
      m.is_private = true;
    else if (word == "xor") {
      m.xor_ = true;
      if (i < d.size() && d[i] == '(') {
        ++i;
        int a, b;
        if (!number(d, i, a)) return std::nullopt;
        b = a;
        if (i < d.size() && d[i] == '-') {
          ++i;
          if (!number(d, i, b)) return std::nullopt;
        }
        if (i >= d.size() || d[i] != ')') return std::nullopt;
        ++i;
        m.xor_min = static_cast<uint8_t>(a);
        m.xor_max = static_cast<uint8_t>(b);
      }
    } else if (word == "base64" || word == "base64wide") {
      bool wide = word == "base64wide";
      (wide ? m.base64wide : m.base64) = true;
      if (i < d.size() && d[i] == '(') {
        ++i;
        std::string alphabet;
        if (i >= d.size() || d[i] != '"' || !quoted(d, i, alphabet)) return std::nullopt;
        if (i >= d.size() || d[i] != ')') return std::nullopt;
        ++i;
        (wide ? m.base64wide_alphabet : m.base64_alphabet) = alphabet;
      }
    } else {
      return std::nullopt;
    }
  }
  return spec;
}

}  // namespace vigie::re::difftest
