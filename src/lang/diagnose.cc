// Diagnostics located in a parsed program: the span gives file, line and column; the source
// line is cut out of the file text kept in Program::files, so diagnostics outlive the parse.
#include "lang/diagnose.h"

#include <algorithm>

namespace vigie::lang {
namespace {

constexpr size_t kMaxSourceLine = 1024;

}  // namespace

Diagnostic diagnostic_at(const Program& program, const Span& span, Severity severity,
                         std::string code, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.code = std::move(code);
  d.message = std::move(message);
  if (span.file >= program.files.size()) return d;
  const SourceFile& f = program.files[span.file];
  d.location.file = f.path;
  d.location.line = span.line;
  d.location.column = span.column;
  if (span.line == 0) return d;
  size_t off = std::min<size_t>(span.offset, f.text.size());
  size_t begin = off == 0 ? std::string::npos : f.text.rfind('\n', off - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  size_t end = f.text.find('\n', off);
  if (end == std::string::npos) end = f.text.size();
  if (end > begin && f.text[end - 1] == '\r') --end;
  // A minified or hostile source may have one huge line; every diagnostic keeps a copy, so only
  // its start is kept, and none of it when the place is beyond that start.
  bool cut = end - begin > kMaxSourceLine;
  if (cut) end = begin + kMaxSourceLine;
  if (off > end) return d;
  d.source_line = f.text.substr(begin, end - begin);
  if (cut) d.source_line += " ...";
  size_t room = end > off ? end - off : 1;
  d.span_length = static_cast<uint32_t>(std::clamp<size_t>(span.length, 1, room));
  return d;
}

}  // namespace vigie::lang
