// PatternSet serialization.
//
// Layout (little endian): "VGPS", u32 format version, u32 pattern count, each PatternSpec (kind,
// value, regex flags, modifiers), u32 atom count, u32 xor atom count, u64 digest of all atoms,
// then two databases (the atoms', the xor groups'), each as u64 size and the bytes of
// hs_serialize_database (size 0 when there is none). Loading rebuilds the variants, programs and
// atoms from the specs (cheap and deterministic) and takes the Vectorscan database from the bytes
// (the costly part), after checking that the rebuilt atoms are the ones the database was compiled
// from. Every length is checked against the remaining bytes before use; any inconsistency is an
// error.
#include <cstring>

#include "re/pattern_set_impl.h"

namespace vigie::re {
namespace {

constexpr uint32_t kVersion = 2;

struct Writer {
  std::string& out;
  void u8(uint8_t v) { out.push_back(static_cast<char>(v)); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void u64(uint64_t v) {
    for (int i = 0; i < 8; ++i) u8(static_cast<uint8_t>(v >> (8 * i)));
  }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    out.append(s);
  }
};

struct Reader {
  std::span<const uint8_t> in;
  size_t pos = 0;
  bool ok = true;
  bool need(size_t n) {
    if (!ok || in.size() - pos < n) ok = false;
    return ok;
  }
  uint8_t u8() { return need(1) ? in[pos++] : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= uint32_t{u8()} << (8 * i);
    return v;
  }
  uint64_t u64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t{u8()} << (8 * i);
    return v;
  }
  std::string str() {
    uint32_t n = u32();
    if (!need(n)) return {};
    std::string s(reinterpret_cast<const char*>(in.data() + pos), n);
    pos += n;
    return s;
  }
};

uint64_t atom_digest(const PatternSet::Impl& impl) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](uint8_t b) { h = (h ^ b) * 1099511628211ull; };
  for (const auto* list : {&impl.atoms, &impl.xor_atoms}) {
    for (const Atom& a : *list) {
      mix(a.caseless);
      for (char c : a.bytes) mix(static_cast<uint8_t>(c));
      mix(0xA5);
    }
    mix(0x5A);
  }
  return h;
}

void write_database(Writer& w, const hs_database_t* db) {
  char* bytes = nullptr;
  size_t len = 0;
  if (db && hs_serialize_database(db, &bytes, &len) == HS_SUCCESS) {
    w.u64(len);
    w.out.append(bytes, len);
    free(bytes);
  } else {
    w.u64(0);
  }
}

// Reads one database written by write_database; `expected` says whether there must be one.
bool read_database(Reader& r, bool expected,
                   std::unique_ptr<hs_database_t, HsDatabaseDeleter>& out) {
  uint64_t len = r.u64();
  if (!r.ok || len > r.in.size() - r.pos) return false;
  if (!expected) return len == 0;
  hs_database_t* db = nullptr;
  if (len == 0 || hs_deserialize_database(reinterpret_cast<const char*>(r.in.data() + r.pos), len,
                                          &db) != HS_SUCCESS)
    return false;
  out.reset(db);
  r.pos += len;
  // Vectorscan checks its own header and checksum; a scratch allocation proves it usable.
  hs_scratch_t* probe = nullptr;
  if (hs_alloc_scratch(db, &probe) != HS_SUCCESS) return false;
  hs_free_scratch(probe);
  return true;
}

}  // namespace

void PatternSet::serialize(std::string& out) const {
  const Impl& impl = *impl_;
  Writer w{out};
  out.append("VGPS");
  w.u32(kVersion);
  w.u32(static_cast<uint32_t>(impl.specs.size()));
  for (const PatternSpec& s : impl.specs) {
    const auto& m = s.modifiers;
    w.u8(static_cast<uint8_t>(s.kind));
    w.str(s.value);
    w.u8(s.regex_flags);
    w.u8(static_cast<uint8_t>(m.nocase | m.ascii << 1 | m.wide << 2 | m.fullword << 3 |
                              m.is_private << 4 | m.xor_ << 5 | m.base64 << 6 | m.base64wide << 7));
    w.u8(m.xor_min);
    w.u8(m.xor_max);
    w.str(m.base64_alphabet);
    w.str(m.base64wide_alphabet);
  }
  w.u32(static_cast<uint32_t>(impl.atoms.size()));
  w.u32(static_cast<uint32_t>(impl.xor_atoms.size()));
  w.u64(atom_digest(impl));
  write_database(w, impl.db.get());
  write_database(w, impl.xor_db.get());
}

std::unique_ptr<PatternSet> PatternSet::deserialize(std::span<const uint8_t> bytes,
                                                    std::string* error) {
  auto fail = [&](const char* msg) -> std::unique_ptr<PatternSet> {
    if (error) *error = msg;
    return nullptr;
  };
  Reader r{bytes};
  if (!r.need(4) || std::memcmp(bytes.data(), "VGPS", 4) != 0)
    return fail("not a serialized pattern set");
  r.pos = 4;
  if (r.u32() != kVersion) return fail("unsupported pattern set version");
  uint32_t n = r.u32();
  // Each spec takes at least 16 bytes, which bounds the count by the input size.
  if (!r.ok || n > bytes.size() / 16) return fail("corrupt pattern set");
  std::unique_ptr<PatternSet> set(new PatternSet());
  set->impl_ = std::make_unique<Impl>();
  Impl& impl = *set->impl_;
  impl.specs.resize(n);
  for (auto& s : impl.specs) {
    uint8_t kind = r.u8();
    if (kind > static_cast<uint8_t>(lang::StringKind::kRegex)) return fail("corrupt pattern set");
    s.kind = static_cast<lang::StringKind>(kind);
    s.value = r.str();
    s.regex_flags = r.u8();
    uint8_t f = r.u8();
    auto& m = s.modifiers;
    m.nocase = f & 1, m.ascii = f >> 1 & 1, m.wide = f >> 2 & 1, m.fullword = f >> 3 & 1;
    m.is_private = f >> 4 & 1, m.xor_ = f >> 5 & 1, m.base64 = f >> 6 & 1;
    m.base64wide = f >> 7 & 1;
    m.xor_min = r.u8();
    m.xor_max = r.u8();
    m.base64_alphabet = r.str();
    m.base64wide_alphabet = r.str();
    if (!r.ok) return fail("corrupt pattern set");
  }
  uint32_t atom_count = r.u32();
  uint32_t xor_atom_count = r.u32();
  uint64_t digest = r.u64();
  if (!r.ok) return fail("corrupt pattern set");
  std::string err;
  if (!build_structures(impl, nullptr, &err)) return fail("corrupt pattern set");
  if (impl.atoms.size() != atom_count || impl.xor_atoms.size() != xor_atom_count ||
      atom_digest(impl) != digest)
    return fail("pattern set does not match its prefilter database");
  if (!read_database(r, atom_count != 0, impl.db) ||
      !read_database(r, xor_atom_count != 0, impl.xor_db))
    return fail("corrupt prefilter database");
  return set;
}

}  // namespace vigie::re
