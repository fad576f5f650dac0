// Formatting of diagnostics.
//
// The caret line must sit under the offending text however the terminal draws the source line:
// tabs are copied (so they expand the same way above and below), and UTF-8 continuation bytes
// take no column, so a multi-byte character before or inside the span counts once. Columns in
// Diagnostic stay byte-based, as everywhere in the project.
#include "vigie/diagnostics.h"

#include <string>

namespace vigie {
namespace {

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

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
  size_t col = location.column ? location.column - 1 : 0;  // 0-based byte index
  for (size_t i = 0; i < col && i < source_line.size(); ++i) {
    if (source_line[i] == '\t')
      out += '\t';
    else if (!is_continuation(source_line[i]))
      out += ' ';
  }
  out += '^';
  // Underline the rest of the span, one mark per character, never past the end of the line.
  size_t len = span_length ? span_length : 1;
  size_t end = col + len < source_line.size() ? col + len : source_line.size();
  bool first = true;
  for (size_t i = col; i < end; ++i) {
    if (is_continuation(source_line[i])) continue;
    if (first) {
      first = false;
      continue;  // the caret marks the first character
    }
    out += source_line[i] == '\t' ? '\t' : '~';
  }
  out += "\n";
  return out;
}

}  // namespace vigie
