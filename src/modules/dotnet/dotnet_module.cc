// The dotnet module: schema and loading of the CLI metadata (cli_metadata.h) into Nodes.
//
// Undefined cases follow YARA: is_dotnet is undefined for data that is not a PE and 0 for a PE
// without readable CLI metadata, and then nothing else is set; a list whose table or heap is absent
// leaves its count undefined, a present but empty one gives 0. Classes and methods are in
// dotnet_classes.cc.
#include "modules/dotnet/dotnet_module.h"

namespace vigie::mod {
namespace dotnet_module {
namespace {

using vigie::dotnet::Metadata;
namespace dn = vigie::dotnet;

constexpr uint8_t kElementTypeString = 0x0e;

void version_struct(SchemaBuilder& parent) {
  SchemaBuilder v = parent.structure("version");
  v.integer("major");
  v.integer("minor");
  v.integer("build_number");
  v.integer("revision_number");
}

void declare(SchemaBuilder& root) {
  root.integer("is_dotnet");
  root.string("version");
  root.string("module_name");
  root.integer("number_of_streams");
  SchemaBuilder streams = root.struct_array("streams");
  streams.string("name");
  streams.integer("offset");
  streams.integer("size");
  root.integer("number_of_guids");
  root.string_array("guids");
  root.integer("number_of_resources");
  SchemaBuilder res = root.struct_array("resources");
  res.integer("offset");
  res.integer("length");
  res.string("name");
  SchemaBuilder assembly = root.structure("assembly");
  version_struct(assembly);
  assembly.string("name");
  assembly.string("culture");
  root.integer("number_of_modulerefs");
  root.string_array("modulerefs");
  root.string("typelib");
  root.integer("number_of_constants");
  root.string_array("constants");
  root.integer("number_of_assembly_refs");
  SchemaBuilder refs = root.struct_array("assembly_refs");
  version_struct(refs);
  refs.string("name");
  refs.string("public_key_or_token");
  root.integer("number_of_user_strings");
  root.string_array("user_strings");
  root.integer("number_of_field_offsets");
  root.integer_array("field_offsets");
  declare_classes(root);
}

void set_version(Node& v, const Metadata& md, dn::TableId t, uint32_t row, int first_col) {
  v.set_integer("major", md.get(t, row, first_col));
  v.set_integer("minor", md.get(t, row, first_col + 1));
  v.set_integer("build_number", md.get(t, row, first_col + 2));
  v.set_integer("revision_number", md.get(t, row, first_col + 3));
}

// A blob's bytes without its last one. YARA 4.2 sets public keys, tokens and constants this
// way (for strings the last byte is a flag), and rules are written against its values.
std::string blob_without_last(const Metadata& md, uint32_t index) {
  auto b = md.blob(index);
  if (!b || b->empty()) return {};
  return std::string(reinterpret_cast<const char*>(b->data()), b->size() - 1);
}

void load_assembly(const Metadata& md, Node& root) {
  if (md.table(dn::kAssembly).present()) {
    Node& a = root.field("assembly");
    set_version(a.field("version"), md, dn::kAssembly, 0, 1);
    std::string name = md.string(md.get(dn::kAssembly, 0, 7));
    std::string culture = md.string(md.get(dn::kAssembly, 0, 8));
    if (!name.empty()) a.set_string("name", name);
    if (!culture.empty()) a.set_string("culture", culture);
  }
  const dn::Table& refs = md.table(dn::kAssemblyRef);
  if (refs.present()) {
    uint32_t n = std::min<uint32_t>(refs.rows, dn::kMaxListed);
    root.set_integer("number_of_assembly_refs", n);
    Node& arr = root.field("assembly_refs");
    for (uint32_t i = 0; i < n; ++i) {
      Node& r = arr.at(i);
      set_version(r.field("version"), md, dn::kAssemblyRef, i, 0);
      std::string token = blob_without_last(md, md.get(dn::kAssemblyRef, i, 5));
      if (!token.empty()) r.set_string("public_key_or_token", token);
      std::string name = md.string(md.get(dn::kAssemblyRef, i, 6));
      if (!name.empty()) r.set_string("name", name);
    }
  }
}

void load_resources(const Metadata& md, Node& root) {
  const dn::Table& t = md.table(dn::kManifestResource);
  if (!t.present()) return;
  vigie::pe::Reader r(md.pe().data);
  Node& arr = root.field("resources");
  int64_t count = 0;
  for (uint32_t i = 0; i < t.rows && count < static_cast<int64_t>(dn::kMaxListed); ++i) {
    // Only resources embedded in this file (Implementation null) have data here.
    if (md.decode(dn::kImplementation, md.get(dn::kManifestResource, i, 3)).second != 0) continue;
    if (!md.resources_offset()) continue;
    uint64_t at = *md.resources_offset() + md.get(dn::kManifestResource, i, 0);
    uint32_t length = 0;
    if (!r.u32(at, &length) || !r.fits(at + 4, length)) continue;
    Node& n = arr.at(static_cast<size_t>(count++));
    n.set_integer("offset", static_cast<int64_t>(at + 4));
    n.set_integer("length", length);
    std::string name = md.string(md.get(dn::kManifestResource, i, 2));
    if (!name.empty()) n.set_string("name", name);
  }
  root.set_integer("number_of_resources", count);
}

void load_tables(const Metadata& md, Node& root) {
  if (md.table(dn::kModule).present()) {
    root.set_string("module_name", md.string(md.get(dn::kModule, 0, 1)));
  }
  load_assembly(md, root);
  load_resources(md, root);

  const dn::Table& mrefs = md.table(dn::kModuleRef);
  if (mrefs.present()) {
    uint32_t n = std::min<uint32_t>(mrefs.rows, dn::kMaxListed);
    root.set_integer("number_of_modulerefs", n);
    for (uint32_t i = 0; i < n; ++i) {
      root.field("modulerefs").at(i).set_string(md.string(md.get(dn::kModuleRef, i, 0)));
    }
  }

  const dn::Table& consts = md.table(dn::kConstant);
  if (consts.present()) {
    int64_t count = 0;
    for (uint32_t i = 0; i < consts.rows && count < static_cast<int64_t>(dn::kMaxListed); ++i) {
      if ((md.get(dn::kConstant, i, 0) & 0xff) != kElementTypeString) continue;
      auto b = md.blob(md.get(dn::kConstant, i, 2));
      if (!b) continue;
      root.field("constants")
          .at(static_cast<size_t>(count++))
          .set_string(blob_without_last(md, md.get(dn::kConstant, i, 2)));
    }
    root.set_integer("number_of_constants", count);
  }

  const dn::Table& frva = md.table(dn::kFieldRva);
  if (frva.present()) {
    int64_t count = 0;
    for (uint32_t i = 0; i < frva.rows && count < static_cast<int64_t>(dn::kMaxListed); ++i) {
      auto off = md.pe().rva_to_offset(md.get(dn::kFieldRva, i, 0));
      if (!off) continue;
      root.field("field_offsets")
          .at(static_cast<size_t>(count++))
          .set_integer(static_cast<int64_t>(*off));
    }
    root.set_integer("number_of_field_offsets", count);
  }

  // typelib: the GuidAttribute on the assembly. Its value blob is a prolog (01 00) followed by
  // a length-prefixed UTF-8 string.
  const dn::Table& cas = md.table(dn::kCustomAttribute);
  for (uint32_t i = 0; i < cas.rows; ++i) {
    auto parent = md.decode(dn::kHasCustomAttribute, md.get(dn::kCustomAttribute, i, 0));
    if (parent.first != dn::kAssembly || parent.second == 0) continue;
    auto type = md.decode(dn::kCustomAttributeType, md.get(dn::kCustomAttribute, i, 1));
    if (type.first != dn::kMemberRef || type.second == 0) continue;
    auto cls = md.decode(dn::kMemberRefParent, md.get(dn::kMemberRef, type.second - 1, 0));
    if (cls.first != dn::kTypeRef || cls.second == 0) continue;
    if (md.string(md.get(dn::kTypeRef, cls.second - 1, 1)) != "GuidAttribute") continue;
    auto b = md.blob(md.get(dn::kCustomAttribute, i, 2));
    if (!b || b->size() < 3 || (*b)[0] != 1 || (*b)[1] != 0) continue;
    uint32_t len = 0;
    size_t hdr = dn::compressed_uint(b->data() + 2, b->size() - 2, &len);
    if (hdr == 0 || len > b->size() - 2 - hdr) continue;
    root.set_string("typelib",
                    std::string(reinterpret_cast<const char*>(b->data() + 2 + hdr), len));
    break;
  }

  load_classes(md, root);
}

void load_heaps(const Metadata& md, Node& root) {
  const auto& streams = md.streams();
  root.set_integer("number_of_streams", static_cast<int64_t>(streams.size()));
  for (size_t i = 0; i < streams.size(); ++i) {
    Node& s = root.field("streams").at(i);
    s.set_string("name", streams[i].name);
    s.set_integer("offset", static_cast<int64_t>(streams[i].offset));
    s.set_integer("size", streams[i].size);
  }
  if (const dn::Stream* g = md.guid_heap()) {
    uint32_t n = std::min<uint32_t>(g->size / 16, dn::kMaxListed);
    root.set_integer("number_of_guids", n);
    for (uint32_t i = 0; i < n; ++i) {
      if (auto s = md.guid(i + 1)) root.field("guids").at(i).set_string(*s);
    }
  }
  if (const dn::Stream* us = md.us_heap()) {
    // Entries are length-prefixed UTF-16 strings with a final flag byte, from offset 1.
    const uint8_t* p = md.pe().data.data() + us->offset;
    uint64_t at = 1;
    int64_t count = 0;
    while (at < us->size && count < static_cast<int64_t>(dn::kMaxListed)) {
      uint32_t len = 0;
      size_t hdr = dn::compressed_uint(p + at, us->size - at, &len);
      if (hdr == 0 || len > us->size - at - hdr) break;
      if (len > 1) {
        root.field("user_strings")
            .at(static_cast<size_t>(count++))
            .set_string(std::string(reinterpret_cast<const char*>(p + at + hdr), len - 1));
      }
      at += hdr + len;
    }
    root.set_integer("number_of_user_strings", count);
  }
}

void load(LoadContext& ctx, Node& root) {
  // The metadata needs only the headers (sections and data directories), not the rest of the
  // PE parse.
  std::optional<vigie::pe::PeFile> pe;
  if (vigie::pe::PeFile headers; vigie::pe::parse_headers(ctx.data, &headers))
    pe = std::move(headers);
  // Not a PE: nothing is set, is_dotnet included. A PE without CLI metadata: is_dotnet is 0.
  if (!pe) return;
  std::optional<Metadata> md = Metadata::parse(*pe);
  if (!md) {
    root.set_integer("is_dotnet", 0);
    return;
  }
  root.set_integer("is_dotnet", 1);
  root.set_string("version", md->version());
  load_heaps(*md, root);
  if (md->has_tables()) load_tables(*md, root);
}

}  // namespace
}  // namespace dotnet_module

extern const Module kDotnetModule{"dotnet", dotnet_module::declare, dotnet_module::load};

}  // namespace vigie::mod
