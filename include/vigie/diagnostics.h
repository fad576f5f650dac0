// Diagnostics: what the compiler says about rule source text.
//
// Every error and warning carries a stable code (E001, W001, ...), the file, line and column of
// the offending text, the length of the span to underline, and the source line itself, so that
// format() can print the line with a caret under the cause:
//
//   rules.yar:12:9: error[E012]: undefined string identifier "$b"
//      12 |     $a and $b
//         |            ^~
#pragma once

#include <cstdint>
#include <string>

namespace vigie {

enum class Severity : uint8_t { kError, kWarning };

struct SourceLocation {
  std::string file;     // path as given by the user, or "<string>" for in-memory sources
  uint32_t line = 0;    // 1-based; 0 when the diagnostic is not tied to a line
  uint32_t column = 0;  // 1-based, in bytes
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string code;     // stable identifier, e.g. "E012"
  std::string message;  // names the cause, e.g. "undefined string identifier \"$b\""
  SourceLocation location;
  std::string source_line;   // the text of the line at location.line, without newline
  uint32_t span_length = 1;  // bytes to underline from location.column
  std::string rule;          // the rule concerned, when there is one (warnings name it)

  // Multi-line human format: "file:line:col: error[E012]: message" + source line + caret.
  std::string format() const;
  // One line: "file:line:col: error[E012]: message".
  std::string format_short() const;
};

}  // namespace vigie
