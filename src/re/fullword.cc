// fullword, as YARA applies it (checked against yara -s):
//   ascii: the byte before and the byte after the match must not be ASCII alphanumeric ('_' is
//          not a word character here, unlike in \b);
//   wide:  the match is rejected when preceded by an alphanumeric byte followed by a zero
//          (a wide letter), or followed by an alphanumeric byte and a zero. A lone alphanumeric
//          byte next to a wide match does not count.
#include <cctype>

#include "re/pattern_set_impl.h"

namespace vigie::re {
namespace {
bool alnum(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
}  // namespace

bool fullword_ok(const uint8_t* data, size_t size, size_t start, size_t end, bool wide) {
  if (!wide) {
    if (start > 0 && alnum(data[start - 1])) return false;
    if (end < size && alnum(data[end])) return false;
    return true;
  }
  if (start >= 2 && data[start - 1] == 0 && alnum(data[start - 2])) return false;
  if (end + 1 < size && alnum(data[end]) && data[end + 1] == 0) return false;
  return true;
}

}  // namespace vigie::re
