// Parser of the conformance case format (see FORMAT.md and check_with_yara.py, which reads the
// same files). A file is a list of cases; a case is a "=== title" line followed by "key: value"
// lines, and a key may own the indented lines after it (a block). Values are decoded here into
// bytes, numbers and names so the runner only compares.
#include "case_file.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vigie::conformance {
namespace {

struct Parser {
  std::string where;  // "file:line" of the line being parsed
  std::string error;  // first error; parsing stops at it

  bool fail(const std::string& message) {
    if (error.empty()) error = where + ": " + message;
    return false;
  }

  static int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  // The body of a double-quoted string with C escapes, into bytes.
  bool unescape(std::string_view s, std::string* out) {
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] != '\\') {
        out->push_back(s[i]);
        continue;
      }
      if (i + 1 >= s.size()) return fail("dangling backslash");
      char e = s[++i];
      switch (e) {
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case '0':
          out->push_back('\0');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '"':
          out->push_back('"');
          break;
        case 'x': {
          if (i + 2 >= s.size()) return fail("bad \\x escape");
          int hi = hex_digit(s[i + 1]), lo = hex_digit(s[i + 2]);
          if (hi < 0 || lo < 0) return fail("bad \\x escape");
          out->push_back(static_cast<char>(hi * 16 + lo));
          i += 2;
          break;
        }
        default:
          return fail(std::string("unknown escape \\") + e);
      }
    }
    return true;
  }

  bool parse_hex(std::string_view s, std::string* out) {
    int pending = -1;
    for (char c : s) {
      if (std::isspace(static_cast<unsigned char>(c))) continue;
      int d = hex_digit(c);
      if (d < 0) return fail("bad hex digit in data");
      if (pending < 0) {
        pending = d;
      } else {
        out->push_back(static_cast<char>(pending * 16 + d));
        pending = -1;
      }
    }
    if (pending >= 0) return fail("odd number of hex digits in data");
    return true;
  }

  // Pieces: "text", {hex}, each optionally prefixed by N* for repetition.
  bool parse_data(std::string_view s, std::string* out) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= s.size()) return true;
      uint64_t count = 1;
      if (std::isdigit(static_cast<unsigned char>(s[i]))) {
        size_t j = i;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        size_t k = j;
        while (k < s.size() && s[k] == ' ') ++k;
        if (k >= s.size() || s[k] != '*') return fail("bad repetition in data");
        count = std::strtoull(std::string(s.substr(i, j - i)).c_str(), nullptr, 10);
        i = k + 1;
        while (i < s.size() && s[i] == ' ') ++i;
      }
      std::string piece;
      if (i < s.size() && s[i] == '"') {
        size_t j = i + 1;
        while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
        if (j >= s.size()) return fail("unterminated string in data");
        if (!unescape(s.substr(i + 1, j - i - 1), &piece)) return false;
        i = j + 1;
      } else if (i < s.size() && s[i] == '{') {
        size_t j = s.find('}', i);
        if (j == std::string_view::npos) return fail("unterminated {hex} in data");
        if (!parse_hex(s.substr(i + 1, j - i - 1), &piece)) return false;
        i = j + 1;
      } else {
        return fail("bad data piece");
      }
      if (count * piece.size() > (64u << 20)) return fail("data over 64 MB");
      if (piece.size() == 1) {
        out->append(count, piece[0]);
      } else {
        out->reserve(out->size() + count * piece.size());
        for (uint64_t n = 0; n < count; ++n) out->append(piece);
      }
    }
  }

  bool parse_value(const std::string& v, CaseValue* out) {
    if (v == "true" || v == "false") {
      *out = v == "true";
      return true;
    }
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
      std::string s;
      if (!unescape(std::string_view(v).substr(1, v.size() - 2), &s)) return false;
      *out = s;
      return true;
    }
    char* end = nullptr;
    if (v.find('.') != std::string::npos) {
      double d = std::strtod(v.c_str(), &end);
      if (end && *end == '\0' && !v.empty()) {
        *out = d;
        return true;
      }
      return fail("bad value " + v);
    }
    long long i = std::strtoll(v.c_str(), &end, 0);
    if (v.empty() || !end || *end != '\0') return fail("bad value " + v);
    *out = static_cast<int64_t>(i);
    return true;
  }

  // name=value pairs separated by spaces; string values may contain spaces.
  bool parse_assignments(std::string_view s, std::vector<std::pair<std::string, CaseValue>>* out) {
    size_t i = 0;
    while (true) {
      while (i < s.size() && s[i] == ' ') ++i;
      if (i >= s.size()) return true;
      size_t eq = s.find('=', i);
      if (eq == std::string_view::npos) return fail("expected name=value");
      std::string name(s.substr(i, eq - i));
      size_t j = eq + 1;
      if (j < s.size() && s[j] == '"') {
        ++j;
        while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
        if (j >= s.size()) return fail("unterminated string value");
        ++j;
      } else {
        while (j < s.size() && s[j] != ' ') ++j;
      }
      CaseValue v;
      if (!parse_value(std::string(s.substr(eq + 1, j - eq - 1)), &v)) return false;
      out->emplace_back(name, v);
      i = j;
    }
  }

  bool parse_diagnostic(const std::string& value, ExpectedDiagnostic* d) {
    std::istringstream in(value);
    std::string loc;
    in >> loc;
    size_t colon = loc.rfind(':');
    std::string num = colon == std::string::npos ? loc : loc.substr(colon + 1);
    if (colon != std::string::npos) d->file = loc.substr(0, colon);
    if (num.empty() || !std::all_of(num.begin(), num.end(), ::isdigit))
      return fail("bad location " + loc);
    d->line = static_cast<uint32_t>(std::stoul(num));
    std::string rest;
    std::getline(in, rest);
    size_t b = rest.find_first_not_of(' ');
    rest = b == std::string::npos ? "" : rest.substr(b);
    // An optional first word lists the accepted codes: E101|E510.
    size_t sp = rest.find(' ');
    std::string first = rest.substr(0, sp);
    if (first.size() >= 4 && (first[0] == 'E' || first[0] == 'W') && std::isdigit(first[1])) {
      std::stringstream codes(first);
      std::string c;
      while (std::getline(codes, c, '|')) d->codes.push_back(c);
      rest = sp == std::string::npos ? "" : rest.substr(sp + 1);
    }
    d->text = rest;
    return true;
  }
};

std::string qualify(std::string name) {
  return name.find(':') == std::string::npos ? "default:" + name : name;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split_words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Removes the common indentation and trailing blank lines of a block.
std::string dedent(std::vector<std::string> lines) {
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  size_t cut = std::string::npos;
  for (auto& l : lines) {
    if (trim(l).empty()) continue;
    cut = std::min(cut, l.find_first_not_of(" \t"));
  }
  if (cut == std::string::npos) cut = 0;
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    if (lines[i].size() > cut) out += lines[i].substr(cut);
  }
  return out;
}

bool apply(Parser& p, Case& c, const std::string& key, const std::string& arg,
           const std::string& value, const std::string& block) {
  if (key == "rules") {
    c.sources.emplace_back(arg.empty() ? "default" : arg, value.empty() ? block : value);
  } else if (key == "file") {
    c.files.emplace_back(arg, block);
  } else if (key == "data") {
    return p.parse_data(value + " " + block, &c.data);
  } else if (key == "data.hex") {
    return p.parse_hex(value + " " + block, &c.data);
  } else if (key == "data.text") {
    c.data += value.empty() ? block : value;
  } else if (key == "data.file") {
    c.data_file = (std::filesystem::path(c.file).parent_path() / value).string();
  } else if (key == "externals") {
    return p.parse_assignments(value, &c.externals);
  } else if (key == "scan-externals") {
    return p.parse_assignments(value, &c.scan_externals);
  } else if (key == "module-data") {
    size_t sp = value.find(' ');
    std::string bytes;
    if (sp == std::string::npos) return p.fail("module-data: MODULE DATA");
    if (!p.parse_data(value.substr(sp + 1) + " " + block, &bytes)) return false;
    c.module_data.emplace_back(value.substr(0, sp), std::move(bytes));
  } else if (key == "options") {
    for (auto& w : split_words(value)) {
      size_t eq = w.find('=');
      std::string k = w.substr(0, eq);
      uint32_t n = eq == std::string::npos ? 0 : std::stoul(w.substr(eq + 1));
      if (k == "fast")
        c.fast = true;
      else if (k == "timeout")
        c.timeout_seconds = n;
      else if (k == "max-strings-per-rule")
        c.max_strings_per_rule = n;
      else
        return p.fail("unknown option " + k);
    }
  } else if (key == "expect") {
    c.has_expect = true;
    if (value == "nothing") return true;
    std::stringstream in(value);
    std::string item;
    while (std::getline(in, item, ',')) {
      item = trim(item);
      if (item.rfind("not ", 0) == 0)
        c.expect_no.push_back(qualify(trim(item.substr(4))));
      else if (!item.empty())
        c.expect_yes.push_back(qualify(item));
    }
  } else if (key == "matches") {
    auto w = split_words(value);
    if (w.size() < 2) return p.fail("matches: RULE $id OFFSET:LENGTH...");
    ExpectedMatches m{qualify(w[0]), w[1], {}};
    for (size_t i = 2; i < w.size(); ++i) {
      size_t colon = w[i].find(':');
      if (colon == std::string::npos) return p.fail("bad match " + w[i]);
      m.matches.emplace_back(std::stoull(w[i].substr(0, colon), nullptr, 0),
                             std::stoull(w[i].substr(colon + 1), nullptr, 0));
    }
    std::sort(m.matches.begin(), m.matches.end());
    c.matches.push_back(std::move(m));
  } else if (key == "tags") {
    auto w = split_words(value);
    if (w.empty()) return p.fail("tags: RULE tag...");
    c.tags.emplace_back(qualify(w[0]), std::vector<std::string>(w.begin() + 1, w.end()));
  } else if (key == "meta") {
    size_t sp = value.find(' ');
    std::vector<std::pair<std::string, CaseValue>> metas;
    if (sp != std::string::npos && !p.parse_assignments(value.substr(sp + 1), &metas)) return false;
    c.metas.emplace_back(qualify(value.substr(0, sp)), std::move(metas));
  } else if (key == "error" || key == "warning") {
    ExpectedDiagnostic d;
    if (!p.parse_diagnostic(value, &d)) return false;
    (key == "error" ? c.errors : c.warnings).push_back(std::move(d));
  } else if (key == "scan-error") {
    c.scan_error = value;
  } else if (key == "scan-warning") {
    c.scan_warnings.push_back(value);
  } else if (key == "yara42") {
    c.yara42 = value;
  } else {
    return p.fail("unknown key " + key);
  }
  return true;
}

}  // namespace

std::string Case::where() const {
  std::string f = std::filesystem::path(file).filename().string();
  return "cases/" + f + ":" + std::to_string(line) + ": " + title;
}

std::vector<Case> parse_case_file(const std::string& path) {
  std::vector<Case> cases;
  std::ifstream in(path, std::ios::binary);
  std::string stem = std::filesystem::path(path).stem().string();
  auto broken = [&](const std::string& message) {
    Case c;
    c.file = path;
    c.title = "malformed case file";
    c.name = stem + "_format";
    c.parse_error = message;
    return std::vector<Case>{c};
  };
  if (!in) return broken("cannot open " + path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);

  Parser p;
  Case* c = nullptr;
  for (size_t i = 0; i < lines.size();) {
    const std::string& line = lines[i];
    p.where = stem + ".txt:" + std::to_string(i + 1);
    ++i;
    if (line.rfind("===", 0) == 0) {
      cases.emplace_back();
      c = &cases.back();
      c->file = path;
      c->line = static_cast<uint32_t>(i);
      c->title = trim(line.substr(3));
      char num[16];
      std::snprintf(num, sizeof num, "%03zu", cases.size());
      c->name = stem + "_" + num;
      continue;
    }
    if (trim(line).empty() || line[0] == '#') continue;
    if (std::isspace(static_cast<unsigned char>(line[0])))
      return broken(p.where + ": indented line outside a block");
    if (!c) return broken(p.where + ": text before the first case");
    size_t colon = line.find(':');
    if (colon == std::string::npos) return broken(p.where + ": expected 'key: value'");
    std::string head = line.substr(0, colon);
    std::string value = trim(line.substr(colon + 1));
    size_t sp = head.find(' ');
    std::string key = head.substr(0, sp);
    std::string arg = sp == std::string::npos ? "" : trim(head.substr(sp + 1));
    std::vector<std::string> block;
    while (i < lines.size() &&
           (trim(lines[i]).empty() || std::isspace(static_cast<unsigned char>(lines[i][0])))) {
      block.push_back(lines[i]);
      ++i;
    }
    if (!apply(p, *c, key, arg, value, dedent(block))) return broken(p.error);
  }
  for (auto& k : cases) {
    if (k.sources.empty()) return broken(k.where() + ": case without rules");
    if (!k.has_expect && k.errors.empty() && k.scan_error.empty())
      return broken(k.where() + ": case without expect/error/scan-error");
  }
  return cases;
}

std::vector<Case> load_cases(const std::string& dir) {
  std::vector<std::string> paths;
  std::error_code ec;
  for (auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".txt") paths.push_back(e.path().string());
  std::sort(paths.begin(), paths.end());
  std::vector<Case> all;
  if (ec || paths.empty()) {
    Case c;
    c.file = dir;
    c.title = "no case files";
    c.name = "no_cases";
    c.parse_error = "no *.txt case files in " + dir;
    all.push_back(c);
    return all;
  }
  for (auto& p : paths) {
    auto cs = parse_case_file(p);
    all.insert(all.end(), cs.begin(), cs.end());
  }
  return all;
}

}  // namespace vigie::conformance
