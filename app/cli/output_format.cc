#include "cli/output_format.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace vigie::cli {
namespace {

const char kHexDigits[] = "0123456789ABCDEF";

void append_byte_escape(std::string& out, uint8_t c) {
  out += "\\x";
  out += kHexDigits[c >> 4];
  out += kHexDigits[c & 15];
}

void append_tags(std::string& out, const MatchedRule& rule) {
  out += " [";
  for (size_t i = 0; i < rule.tags.size(); ++i) {
    if (i) out += ',';
    out += rule.tags[i];
  }
  out += ']';
}

void append_metas(std::string& out, const MatchedRule& rule) {
  out += " [";
  for (size_t i = 0; i < rule.metas.size(); ++i) {
    const Meta& m = rule.metas[i];
    if (i) out += ',';
    out += m.identifier;
    switch (m.type) {
      case Meta::Type::kInteger:
        out += " =";
        out += std::to_string(m.integer);
        break;
      case Meta::Type::kBoolean:
        out += m.boolean ? "=true" : "=false";
        break;
      case Meta::Type::kString:
        out += "=\"";
        append_meta_string(out, m.string);
        out += '"';
        break;
    }
  }
  out += ']';
}

}  // namespace

void append_meta_string(std::string& out, std::string_view value) {
  for (unsigned char c : value) {
    switch (c) {
      case 0:
        return;  // YARA keeps metadata as C strings: the text ends here
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else {
          out += '\\';
          out += static_cast<char>('0' + (c >> 6));
          out += static_cast<char>('0' + ((c >> 3) & 7));
          out += static_cast<char>('0' + (c & 7));
        }
    }
  }
}

void append_text_data(std::string& out, std::span<const uint8_t> data, uint8_t xor_key) {
  for (uint8_t b : data) {
    uint8_t c = b ^ xor_key;
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      append_byte_escape(out, c);
    }
  }
}

void append_hex_data(std::string& out, std::span<const uint8_t> data) {
  size_t n = std::min(data.size(), kMaxHexBytesPrinted);
  for (size_t i = 0; i < n; ++i) {
    if (i) out += ' ';
    out += kHexDigits[data[i] >> 4];
    out += kHexDigits[data[i] & 15];
  }
  if (data.size() > n) out += " ...";
}

void append_rule_line(std::string& out, const MatchedRule& rule, std::string_view target,
                      const OutputOptions& options) {
  if (options.print_namespace) {
    out += rule.ns;
    out += ':';
  }
  out += rule.identifier;
  if (options.print_tags) append_tags(out, rule);
  if (options.print_meta) append_metas(out, rule);
  out += ' ';
  out += target;
  out += '\n';
}

void append_string_lines(std::string& out, const MatchedRule& rule, const OutputOptions& options) {
  if (!options.print_strings && !options.print_string_length && !options.print_xor_key) return;
  char buf[64];
  for (const StringResult& s : rule.strings) {
    if (s.is_private) continue;
    for (const StringMatch& m : s.matches) {
      int n = std::snprintf(buf, sizeof buf, "0x%" PRIx64 ":", m.offset);
      out.append(buf, static_cast<size_t>(n));
      if (options.print_string_length) {
        // yara prints the length of the match data it keeps, at most 512 bytes (as -s shows
        // them), not the length of the match.
        n = std::snprintf(buf, sizeof buf, "%" PRIu32 ":", std::min<uint32_t>(m.length, 512));
        out.append(buf, static_cast<size_t>(n));
      }
      out += s.identifier;
      if (options.print_xor_key && s.is_xor) {
        n = std::snprintf(buf, sizeof buf, ":xor(0x%02x,", m.xor_key);
        out.append(buf, static_cast<size_t>(n));
        append_text_data(out, m.data, m.xor_key);
        out += ')';
      }
      if (options.print_strings) {
        out += ": ";
        if (s.is_hex) {
          append_hex_data(out, m.data);
        } else {
          append_text_data(out, m.data);
        }
      }
      out += '\n';
    }
  }
}

}  // namespace vigie::cli
