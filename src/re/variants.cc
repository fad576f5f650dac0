// Modifier expansion. See variants.h.
#include "re/variants.h"

#include <algorithm>

#include "re/atom_quality.h"
#include "re/parse.h"

namespace vigie::re {
namespace {

const char kStdAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

NodeId copy_widened(const Ir& in, NodeId id, Ir& out) {
  const Node& n = in.nodes[id];
  switch (n.kind) {
    case NodeKind::kByte: {
      NodeId b = out.byte_set(n.set);
      return out.concat({b, out.byte(0)});
    }
    case NodeKind::kConcat: {
      std::vector<NodeId> kids;
      for (NodeId k : n.kids) kids.push_back(copy_widened(in, k, out));
      return out.concat(std::move(kids));
    }
    case NodeKind::kAlt:
    case NodeKind::kRepeat: {
      Node c = n;
      c.kids.clear();
      for (NodeId k : n.kids) c.kids.push_back(copy_widened(in, k, out));
      return out.add(std::move(c));
    }
    case NodeKind::kWordBoundary:
      return out.simple(NodeKind::kWideWordBoundary);
    case NodeKind::kNotWordBoundary:
      return out.simple(NodeKind::kWideNotWordBoundary);
    default:
      return out.add(n);
  }
}

}  // namespace

std::string xor_deltas(std::string_view bytes) {
  std::string d;
  for (size_t i = 0; i + 1 < bytes.size(); ++i)
    d.push_back(static_cast<char>(bytes[i] ^ bytes[i + 1]));
  return d;
}

std::string widen(std::string_view bytes) {
  std::string w;
  w.reserve(bytes.size() * 2);
  for (char c : bytes) {
    w.push_back(c);
    w.push_back('\0');
  }
  return w;
}

Ir widen_ir(const Ir& ir) {
  Ir out;
  out.root = copy_widened(ir, ir.root, out);
  return out;
}

std::string base64_encode(std::string_view data, std::string_view alphabet) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : data) {
    acc = (acc << 8) | static_cast<uint8_t>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(alphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(alphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::vector<std::string> base64_variants(std::string_view text, std::string_view alphabet) {
  std::vector<std::string> out;
  for (size_t shift = 0; shift < 3; ++shift) {
    std::string padded(shift, '\0');
    padded.append(text);
    std::string enc = base64_encode(padded, alphabet);
    // Keep the characters whose six bits all come from `text`.
    size_t first = (shift * 8 + 5) / 6;
    size_t end_bits = (shift + text.size()) * 8;
    size_t last = end_bits / 6;  // characters [first, last) are fully determined
    if (last > enc.size()) last = enc.size();
    if (last > first) out.push_back(enc.substr(first, last - first));
  }
  return out;
}

bool as_literal(const Ir& ir, std::string& bytes, bool& caseless) {
  const Node& root = ir.nodes[ir.root];
  std::vector<NodeId> single{ir.root};
  const std::vector<NodeId>& kids = root.kind == NodeKind::kConcat ? root.kids : single;
  bytes.clear();
  bool any_pair = false, exact_letter = false;
  for (NodeId k : kids) {
    const Node& n = ir.nodes[k];
    if (n.kind != NodeKind::kByte) return false;
    int c = n.set.count();
    uint8_t b = n.set.first();
    if (c == 1) {
      if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) exact_letter = true;
      bytes.push_back(static_cast<char>(b));
    } else if (c == 2 && b >= 'A' && b <= 'Z' && n.set.has(static_cast<uint8_t>(b + 32))) {
      any_pair = true;
      bytes.push_back(static_cast<char>(b + 32));
    } else {
      return false;
    }
  }
  if (any_pair && exact_letter) return false;
  caseless = any_pair;
  return !bytes.empty();
}

std::optional<PatternError> check_modifiers(const PatternSpec& spec) {
  const auto& m = spec.modifiers;
  auto bad = [](std::string msg) { return PatternError{std::move(msg), 0}; };
  switch (spec.kind) {
    case lang::StringKind::kHex:
      if (m.nocase || m.ascii || m.wide || m.fullword || m.xor_ || m.base64 || m.base64wide)
        return bad("hex strings accept only the private modifier");
      return std::nullopt;
    case lang::StringKind::kRegex:
      if (m.xor_ || m.base64 || m.base64wide)
        return bad("regular expressions do not accept xor, base64 or base64wide");
      return std::nullopt;
    case lang::StringKind::kText:
      break;
  }
  if (spec.value.empty()) return bad("empty string");
  if (m.xor_ && m.nocase) return bad("invalid modifier combination: xor nocase");
  if ((m.base64 || m.base64wide) && m.nocase)
    return bad("invalid modifier combination: base64 nocase");
  if ((m.base64 || m.base64wide) && m.fullword)
    return bad("invalid modifier combination: base64 fullword");
  if ((m.base64 || m.base64wide) && m.xor_) return bad("invalid modifier combination: base64 xor");
  if (m.xor_ && m.xor_min > m.xor_max) return bad("xor lower bound exceeds upper bound");
  if (!m.base64_alphabet.empty() && m.base64_alphabet.size() != 64)
    return bad("length of base64 alphabet must be 64");
  if (!m.base64wide_alphabet.empty() && m.base64wide_alphabet.size() != 64)
    return bad("length of base64 alphabet must be 64");
  return std::nullopt;
}

std::optional<PatternError> expand(const PatternSpec& spec, std::vector<VariantSource>& out) {
  if (auto e = check_modifiers(spec)) return e;
  const auto& m = spec.modifiers;
  bool ascii = m.ascii || !m.wide;
  if (spec.kind == lang::StringKind::kHex || spec.kind == lang::StringKind::kRegex) {
    Ir ir;
    std::optional<PatternError> e;
    if (spec.kind == lang::StringKind::kHex) {
      e = parse_hex(spec.value, ir);
    } else {
      uint8_t flags = spec.regex_flags | (m.nocase ? lang::kRegexNocase : 0);
      e = parse_regex(spec.value, flags, ir);
    }
    if (e) return e;
    auto push = [&](Ir&& x, bool wide) {
      VariantSource v;
      v.wide = wide;
      v.fullword = m.fullword;
      if (as_literal(x, v.bytes, v.caseless)) {
        v.literal = true;
      } else {
        v.ir = std::move(x);
      }
      out.push_back(std::move(v));
    };
    bool wide = spec.kind == lang::StringKind::kRegex && m.wide;
    if (wide) push(widen_ir(ir), true);
    if (ascii || !wide) push(std::move(ir), false);
    return std::nullopt;
  }
  // Text strings.
  std::vector<std::pair<std::string, bool>> forms;  // bytes, wide
  if (ascii) forms.emplace_back(spec.value, false);
  if (m.wide) forms.emplace_back(widen(spec.value), true);
  if (m.base64 || m.base64wide) {
    for (auto& entry : forms) {
      const std::string& form = entry.first;
      auto add = [&](const std::string& alphabet, bool widen_out) {
        for (auto& enc : base64_variants(form, alphabet.empty() ? kStdAlphabet : alphabet)) {
          VariantSource v;
          v.literal = true;
          v.bytes = widen_out ? widen(enc) : enc;
          out.push_back(std::move(v));
        }
      };
      if (m.base64) add(m.base64_alphabet, false);
      if (m.base64wide) add(m.base64wide_alphabet, true);
    }
    return std::nullopt;
  }
  for (auto& [form, wide] : forms) {
    int lo = m.xor_ ? m.xor_min : 0, hi = m.xor_ ? m.xor_max : 0;
    if (m.xor_ && hi > lo && form.size() >= 3 &&
        atom_quality(xor_deltas(form.substr(0, std::min<size_t>(form.size(), 17))), false) >=
            kAtomGood) {
      VariantSource v;
      v.literal = true;
      v.wide = wide;
      v.fullword = m.fullword;
      v.bytes = form;
      v.xor_group = true;
      v.xor_min = static_cast<uint8_t>(lo);
      v.xor_max = static_cast<uint8_t>(hi);
      out.push_back(std::move(v));
      continue;
    }
    for (int key = lo; key <= hi; ++key) {
      VariantSource v;
      v.literal = true;
      v.wide = wide;
      v.fullword = m.fullword;
      v.xor_key = static_cast<uint8_t>(key);
      v.caseless = m.nocase;
      v.bytes = form;
      for (auto& c : v.bytes) {
        c = static_cast<char>(static_cast<uint8_t>(c) ^ key);
        if (m.nocase && c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      }
      out.push_back(std::move(v));
    }
  }
  return std::nullopt;
}

}  // namespace vigie::re
