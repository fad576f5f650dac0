// The text vigie-yara prints for a matching rule, byte for byte what `yara` prints.
//
// One line per rule:   [namespace:]identifier [ [tag,...]] [ [meta=value,...]] target
// then, with -s, one line per match of each non-private string of the rule, in declaration
// order and then offset order:
//   0xOFFSET[:LENGTH]:$id[:xor(0xKEY,plaintext)]: data
// Match data of hex strings is printed as upper-case hex byte pairs, at most 64 of them followed
// by " ..." when there are more; other strings as text with bytes outside 0x20-0x7e written as
// \xHH (upper case), and backslashes and quotes left as they are. Metadata strings are quoted
// and escaped the way C escapes them (\" \\ \n \t \r \a \b \f \v, other bytes in octal \ooo)
// and end at the first NUL byte, as in YARA, which keeps them as C strings. Integer metadata
// print as `name =value`: that space is in yara's output and scripts that parse it expect it.
#pragma once

#include <string>
#include <string_view>

#include "vigie/scanner.h"

namespace vigie::cli {

struct OutputOptions {
  bool print_tags = false;           // -g
  bool print_meta = false;           // -m
  bool print_namespace = false;      // -e
  bool print_strings = false;        // -s
  bool print_string_length = false;  // -L
  bool print_xor_key = false;        // -X
};

void append_rule_line(std::string& out, const MatchedRule& rule, std::string_view target,
                      const OutputOptions& options);
// The -s / -L / -X lines; nothing unless one of them is set.
void append_string_lines(std::string& out, const MatchedRule& rule, const OutputOptions& options);

void append_meta_string(std::string& out, std::string_view value);
void append_text_data(std::string& out, std::span<const uint8_t> data, uint8_t xor_key = 0);
void append_hex_data(std::string& out, std::span<const uint8_t> data);

inline constexpr size_t kMaxHexBytesPrinted = 64;

}  // namespace vigie::cli
