#include "vigie/diagnostics.h"

#include <string>

namespace vigie {

std::string Diagnostic::format_short() const {
  std::string out = location.file.empty() ? std::string("<input>") : location.file;
  if (location.line) {
    out += ":" + std::to_string(location.line);
    if (location.column) out += ":" + std::to_string(location.column);
  }
  out += severity == Severity::kError ? ": error" : ": warning";
  if (!code.empty()) out += "[" + code + "]";
  out += ": " + message;
  return out;
}

std::string Diagnostic::format() const {
  std::string out = format_short() + "\n";
  if (location.line == 0 || source_line.empty()) return out;
  std::string num = std::to_string(location.line);
  std::string pad(num.size(), ' ');
  out += " " + num + " | " + source_line + "\n";
  out += " " + pad + " | ";
  // Keep tabs so the caret lines up under the offending text.
  for (uint32_t i = 1; i < location.column && i - 1 < source_line.size(); ++i)
    out += source_line[i - 1] == '\t' ? '\t' : ' ';
  out += '^';
  uint32_t len = span_length ? span_length : 1;
  size_t room = source_line.size() >= location.column ? source_line.size() - location.column + 1 : 1;
  for (uint32_t i = 1; i < len && i < room; ++i) out += '~';
  out += "\n";
  return out;
}

}  // namespace vigie
