// Saving and loading compiled rules.
//
// Layout: a 64-byte header, then the payload.
//   magic "VIGIERUL" | u32 format version | u8 pointer size | u8 byte order (1 = little) |
//   u16 sizeof(ir::Insn) | u64 payload size | 8 bytes zero | 32-byte SHA-256 of the payload
// The payload holds the tables of Rules::Impl in a fixed order and the pattern engine's own
// serialized database. Loading checks the header and the digest before parsing anything, then
// checks every index in the IR against the tables it points into, and that children come before
// their parents (so evaluation terminates) within a bounded depth. A file that passes is as safe
// to scan with as freshly compiled rules.
#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>

#include "compiler/compiled_rules.h"
#include "util/bytes.h"
#include "vigie/rules.h"

namespace vigie {
namespace {

constexpr char kMagic[8] = {'V', 'I', 'G', 'I', 'E', 'R', 'U', 'L'};
constexpr uint32_t kFormatVersion = 1;
constexpr size_t kHeaderSize = 64;
constexpr size_t kDigestOffset = 32;  // after the fields and 8 bytes of zeros
constexpr uint32_t kMaxDepth = 100000;

void put_external(util::ByteWriter& w, const ExternalValue& v) {
  w.put<uint8_t>(static_cast<uint8_t>(v.index()));
  if (auto* i = std::get_if<int64_t>(&v)) w.put(*i);
  if (auto* f = std::get_if<double>(&v)) w.put(*f);
  if (auto* b = std::get_if<bool>(&v)) w.put<uint8_t>(*b);
  if (auto* s = std::get_if<std::string>(&v)) w.put_string(*s);
}

bool get_external(util::ByteReader& r, ExternalValue* v) {
  uint8_t tag;
  if (!r.get(&tag)) return false;
  switch (tag) {
    case 0: {
      int64_t i;
      if (!r.get(&i)) return false;
      *v = i;
      return true;
    }
    case 1: {
      double f;
      if (!r.get(&f)) return false;
      *v = f;
      return true;
    }
    case 2: {
      uint8_t b;
      if (!r.get(&b)) return false;
      *v = b != 0;
      return true;
    }
    case 3: {
      std::string s;
      if (!r.get_string(&s)) return false;
      *v = std::move(s);
      return true;
    }
  }
  return false;
}

void write_payload(const Rules::Impl& m, std::string& out) {
  util::ByteWriter w(out);
  w.put<uint64_t>(m.namespaces.size());
  for (const auto& n : m.namespaces) w.put_string(n);
  w.put<uint64_t>(m.rules.size());
  for (const CompiledRule& r : m.rules) {
    w.put_string(r.identifier);
    w.put(r.ns);
    w.put<uint64_t>(r.tags.size());
    for (const auto& t : r.tags) w.put_string(t);
    w.put<uint64_t>(r.metas.size());
    for (const Meta& meta : r.metas) {
      w.put_string(meta.identifier);
      w.put<uint8_t>(static_cast<uint8_t>(meta.type));
      w.put(meta.integer);
      w.put_string(meta.string);
      w.put<uint8_t>(meta.boolean);
    }
    w.put<uint8_t>(r.is_private);
    w.put<uint8_t>(r.is_global);
    w.put(r.condition);
    w.put(r.first_pattern);
    w.put(r.pattern_count);
    w.put<uint8_t>(r.needs_match);
  }
  w.put<uint64_t>(m.patterns.size());
  for (const CompiledPattern& p : m.patterns) {
    w.put_string(p.identifier);
    w.put(p.rule);
    w.put<uint8_t>(p.is_private | (p.is_hex << 1) | (p.is_xor << 2) | (p.first_match_only << 3));
    w.put(p.fixed_offset);
  }
  w.put_vector(m.code);
  w.put_vector(m.lists);
  w.put<uint64_t>(m.strings.size());
  for (const auto& s : m.strings) w.put_string(s);
  w.put<uint64_t>(m.externals.size());
  for (const CompiledExternal& e : m.externals) {
    w.put_string(e.name);
    put_external(w, e.value);
  }
  w.put<uint64_t>(m.modules.size());
  for (const auto& s : m.modules) w.put_string(s);
  w.put<uint64_t>(m.regex_sources.size());
  for (const CompiledRegex& r : m.regex_sources) {
    w.put_string(r.source);
    w.put(r.flags);
  }
  w.put(m.loop_slots);
  std::string db;
  if (m.pattern_set) m.pattern_set->serialize(db);
  w.put_string(db);
}

bool read_strings(util::ByteReader& r, std::vector<std::string>* v) {
  uint64_t n;
  if (!r.get_count(&n, 8)) return false;
  v->resize(n);
  for (auto& s : *v)
    if (!r.get_string(&s)) return false;
  return true;
}

bool read_payload(util::ByteReader& r, Rules::Impl& m, std::string* db) {
  if (!read_strings(r, &m.namespaces)) return false;
  uint64_t n;
  if (!r.get_count(&n, 40)) return false;
  m.rules.resize(n);
  for (CompiledRule& cr : m.rules) {
    uint8_t priv, glob, needs;
    if (!r.get_string(&cr.identifier) || !r.get(&cr.ns) || !read_strings(r, &cr.tags)) return false;
    uint64_t metas;
    if (!r.get_count(&metas, 26)) return false;
    cr.metas.resize(metas);
    for (Meta& meta : cr.metas) {
      uint8_t type, b;
      if (!r.get_string(&meta.identifier) || !r.get(&type) || !r.get(&meta.integer) ||
          !r.get_string(&meta.string) || !r.get(&b) || type > 2)
        return false;
      meta.type = static_cast<Meta::Type>(type);
      meta.boolean = b != 0;
    }
    if (!r.get(&priv) || !r.get(&glob) || !r.get(&cr.condition) || !r.get(&cr.first_pattern) ||
        !r.get(&cr.pattern_count) || !r.get(&needs))
      return false;
    cr.is_private = priv;
    cr.is_global = glob;
    cr.needs_match = needs;
  }
  if (!r.get_count(&n, 21)) return false;
  m.patterns.resize(n);
  for (CompiledPattern& p : m.patterns) {
    uint8_t priv;
    if (!r.get_string(&p.identifier) || !r.get(&p.rule) || !r.get(&priv) || !r.get(&p.fixed_offset))
      return false;
    p.is_private = priv & 1;
    p.is_hex = (priv >> 1) & 1;
    p.is_xor = (priv >> 2) & 1;
    p.first_match_only = (priv >> 3) & 1;
  }
  if (!r.get_vector(&m.code) || !r.get_vector(&m.lists) || !read_strings(r, &m.strings))
    return false;
  if (!r.get_count(&n, 9)) return false;
  m.externals.resize(n);
  for (CompiledExternal& e : m.externals)
    if (!r.get_string(&e.name) || !get_external(r, &e.value)) return false;
  if (!read_strings(r, &m.modules)) return false;
  if (!r.get_count(&n, 9)) return false;
  m.regex_sources.resize(n);
  for (CompiledRegex& x : m.regex_sources)
    if (!r.get_string(&x.source) || !r.get(&x.flags)) return false;
  return r.get(&m.loop_slots) && r.get_string(db) && r.at_end();
}

// Every index in the tables points inside them; children precede parents; depth is bounded.
bool validate(const Rules::Impl& m, std::string* why) {
  const uint32_t code_size = static_cast<uint32_t>(m.code.size());
  std::vector<uint32_t> depth(code_size, 0);
  auto child = [&](uint32_t self, uint32_t c) {
    if (c == ir::kNone) return true;
    if (c >= self) return false;
    depth[self] = std::max(depth[self], depth[c] + 1);
    return depth[self] <= kMaxDepth;
  };
  if (m.loop_slots > 1u << 16) return *why = "too many loop slots", false;
  for (uint32_t k = 0; k < code_size; ++k) {
    const ir::Insn& i = m.code[k];
    if (static_cast<uint8_t>(i.op) > static_cast<uint8_t>(ir::Op::kCall) ||
        static_cast<uint8_t>(i.type) > static_cast<uint8_t>(ir::Type::kObject) ||
        static_cast<uint8_t>(i.quant) > static_cast<uint8_t>(ir::Quantifier::kPercent))
      return *why = "unknown instruction", false;
    if (!child(k, i.a) || !child(k, i.b) || !child(k, i.c) || !child(k, i.d))
      return *why = "instruction operands out of order", false;
    if (i.count && (i.list > m.lists.size() || i.count > m.lists.size() - i.list))
      return *why = "instruction list out of range", false;
    bool list_of_insns =
        i.op == ir::Op::kOfExprs || i.op == ir::Op::kForInList || i.op == ir::Op::kCall;
    for (uint32_t x = 0; x < i.count; ++x) {
      uint32_t item = m.lists[i.list + x];
      if (list_of_insns && !child(k, item)) return *why = "instruction list out of order", false;
      if (i.op == ir::Op::kOfRules && item >= m.rules.size())
        return *why = "rule index out of range", false;
      if ((i.op == ir::Op::kOfStrings || i.op == ir::Op::kForOf) && item >= m.patterns.size())
        return *why = "pattern index out of range", false;
    }
    switch (i.op) {
      case ir::Op::kConstString:
        if (i.str >= m.strings.size()) return *why = "string index out of range", false;
        break;
      case ir::Op::kRegex:
        if (i.str >= m.regex_sources.size()) return *why = "regex index out of range", false;
        break;
      case ir::Op::kExternal:
        if (i.str >= m.externals.size()) return *why = "external index out of range", false;
        break;
      case ir::Op::kRuleRef:
        if (i.i < 0 || static_cast<uint64_t>(i.i) >= m.rules.size())
          return *why = "rule index out of range", false;
        break;
      case ir::Op::kModule:
        if (i.i < 0 || static_cast<uint64_t>(i.i) >= m.modules.size())
          return *why = "module index out of range", false;
        break;
      case ir::Op::kStringFound:
      case ir::Op::kStringAt:
      case ir::Op::kStringIn:
      case ir::Op::kStringCount:
      case ir::Op::kStringCountIn:
      case ir::Op::kStringOffset:
      case ir::Op::kStringLength:
        if (i.flags & ir::kAnonymous ? i.pat >= m.loop_slots : i.pat >= m.patterns.size())
          return *why = "pattern index out of range", false;
        break;
      case ir::Op::kLoopVar:
      case ir::Op::kForOf:
      case ir::Op::kForInRange:
      case ir::Op::kForInList:
      case ir::Op::kForInArray:
        if (i.slot >= m.loop_slots) return *why = "loop slot out of range", false;
        break;
      case ir::Op::kForInDict:
        if (i.slot + 1 >= m.loop_slots || i.slot == ir::kNone)
          return *why = "loop slot out of range", false;
        break;
      default:
        break;
    }
  }
  for (const CompiledRule& r : m.rules) {
    if (r.ns >= m.namespaces.size() || r.condition >= code_size ||
        r.first_pattern > m.patterns.size() ||
        r.pattern_count > m.patterns.size() - r.first_pattern)
      return *why = "rule tables out of range", false;
  }
  for (const CompiledPattern& p : m.patterns)
    if (p.rule >= m.rules.size()) return *why = "pattern tables out of range", false;
  return true;
}

}  // namespace

Error Rules::save(std::string& out) const {
  std::string payload;
  write_payload(*impl_, payload);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), digest);
  out.clear();
  util::ByteWriter w(out);
  out.append(kMagic, sizeof(kMagic));
  w.put(kFormatVersion);
  w.put<uint8_t>(sizeof(void*));
  w.put<uint8_t>(1);
  w.put<uint16_t>(sizeof(ir::Insn));
  w.put<uint64_t>(payload.size());
  out.append(kDigestOffset - out.size(), '\0');
  out.append(reinterpret_cast<const char*>(digest), sizeof(digest));
  out += payload;
  return {};
}

Error Rules::save(const std::filesystem::path& path) const {
  std::string bytes;
  save(bytes);
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  if (!f) return {ErrorCode::kCouldNotOpen, "could not open " + path.string() + " for writing"};
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) return {ErrorCode::kCouldNotRead, "could not write " + path.string()};
  return {};
}

std::shared_ptr<const Rules> Rules::load(std::span<const uint8_t> bytes, Error* error) {
  auto fail = [&](ErrorCode code, std::string msg) -> std::shared_ptr<const Rules> {
    if (error) *error = {code, std::move(msg)};
    return nullptr;
  };
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "YARA", 4) == 0)
    return fail(
        ErrorCode::kForeignRules,
        "rules compiled by YARA's yarac cannot be loaded: compile the sources with vigie-yarac");
  if (bytes.size() < kHeaderSize || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return fail(ErrorCode::kForeignRules, "not a file of rules compiled by vigie-yarac");
  util::ByteReader h(bytes.subspan(sizeof(kMagic), kHeaderSize - sizeof(kMagic)));
  uint32_t version = 0;
  uint8_t ptr = 0, order = 0;
  uint16_t insn_size = 0;
  uint64_t size = 0;
  h.get(&version);
  h.get(&ptr);
  h.get(&order);
  h.get(&insn_size);
  h.get(&size);
  bool padding_zero = std::all_of(bytes.begin() + 24, bytes.begin() + kDigestOffset,
                                  [](uint8_t b) { return b == 0; });
  if (!padding_zero)
    return fail(ErrorCode::kCorruptRules, "compiled rules file has a damaged header");
  if (version != kFormatVersion || ptr != sizeof(void*) || order != 1 ||
      insn_size != sizeof(ir::Insn))
    return fail(ErrorCode::kForeignRules,
                "compiled rules of another vigie version or platform: compile the sources again "
                "with vigie-yarac");
  if (size != bytes.size() - kHeaderSize)
    return fail(ErrorCode::kCorruptRules, "compiled rules file is truncated or has trailing data");
  std::span<const uint8_t> payload = bytes.subspan(kHeaderSize);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(payload.data(), payload.size(), digest);
  if (std::memcmp(digest, bytes.data() + kDigestOffset, sizeof(digest)) != 0)
    return fail(ErrorCode::kCorruptRules, "compiled rules file is corrupt (checksum mismatch)");
  auto impl = std::make_unique<Impl>();
  util::ByteReader r(payload);
  std::string db, why;
  if (!read_payload(r, *impl, &db))
    return fail(ErrorCode::kCorruptRules, "compiled rules file is malformed");
  if (!validate(*impl, &why))
    return fail(ErrorCode::kCorruptRules, "compiled rules file is malformed: " + why);
  std::string err;
  impl->pattern_set = re::PatternSet::deserialize(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(db.data()), db.size()), &err);
  if (!impl->pattern_set)
    return fail(ErrorCode::kCorruptRules, "compiled rules file: pattern database: " + err);
  if (impl->pattern_set->size() != impl->patterns.size())
    return fail(ErrorCode::kCorruptRules,
                "compiled rules file: pattern database does not fit the rules");
  if (!impl->finish(&err)) return fail(ErrorCode::kCorruptRules, err);
  return std::make_shared<const Rules>(std::move(impl));
}

std::shared_ptr<const Rules> Rules::load(const std::filesystem::path& path, Error* error) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    if (error) *error = {ErrorCode::kCouldNotOpen, "could not open " + path.string()};
    return nullptr;
  }
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return load(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()),
      error);
}

}  // namespace vigie
