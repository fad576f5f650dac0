// The module tree printed as `yara -D` prints it.
//
// YARA keeps the members of a structure in a list it prepends to, so it prints fields in the
// reverse of their declaration order. Array elements and dictionary values are copies of a
// prototype, and copying walks that list and prepends again, which restores declaration order
// inside an element, and reverses again inside an element of an array nested in an element. So
// the order flips at every array/dictionary level: `reversed` tracks that parity.
// Lines are indented with one tab per level. Array elements and dictionary entries are printed
// only when present (never-written array slots are holes), scalars print `YR_UNDEFINED` when
// unset, except floats, which YARA stores as NaN when unset and so prints as `nan`. Functions are
// not printed. Strings are quoted, with non-printable bytes as \xNN.
//
// The recursion follows the schema, whose depth is fixed by the module's declaration, not by the
// scanned data.
#include <cinttypes>
#include <cstdio>

#include "modules/module.h"

namespace vigie::mod {
namespace {

void indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth), '\t'); }

void append_string(std::string& out, std::string_view s) {
  out += '"';
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += '"';
}

void append_scalar(std::string& out, Kind kind, const Node& n) {
  switch (kind) {
    case Kind::kInteger:
      if (n.defined) {
        out += std::to_string(n.i);
      } else {
        out += "YR_UNDEFINED";
      }
      break;
    case Kind::kFloat: {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%f", n.defined ? n.f : __builtin_nan(""));
      out += buf;
      break;
    }
    case Kind::kString:
      if (n.defined) {
        append_string(out, n.s);
      } else {
        out += "YR_UNDEFINED";
      }
      break;
    default:
      break;
  }
}

bool is_scalar(Kind k) { return k == Kind::kInteger || k == Kind::kFloat || k == Kind::kString; }

void dump_struct(std::string& out, const StructType& st, const Node& node, int depth,
                 bool reversed);

// One named value: `name = value`, or `name` followed by its contents one level deeper.
void dump_value(std::string& out, std::string_view label, const Type& type, const Node& node,
                int depth, bool reversed) {
  indent(out, depth);
  out += label;
  if (is_scalar(type.kind)) {
    out += " = ";
    append_scalar(out, type.kind, node);
    out += '\n';
    return;
  }
  out += '\n';
  if (type.kind == Kind::kStruct) {
    if (type.structure != nullptr) dump_struct(out, *type.structure, node, depth + 1, reversed);
    return;
  }
  if (type.element == nullptr) return;
  if (type.kind == Kind::kArray) {
    for (size_t k = 0; k < node.children.size(); ++k) {
      const Node& e = node.children[k];
      if (!e.defined) continue;
      dump_value(out, "[" + std::to_string(k) + "]", *type.element, e, depth + 1, !reversed);
    }
  } else if (type.kind == Kind::kDictionary) {
    for (const auto& [key, e] : node.entries) {
      dump_value(out, key, *type.element, e, depth + 1, !reversed);
    }
  }
}

void dump_struct(std::string& out, const StructType& st, const Node& node, int depth,
                 bool reversed) {
  const size_t n = st.fields.size();
  for (size_t j = 0; j < n; ++j) {
    const size_t k = reversed ? n - 1 - j : j;
    const Field& f = st.fields[k];
    if (f.type == nullptr || f.type->kind == Kind::kFunction) continue;
    if (f.is_constant) {
      Node c(f.type);
      c.defined = true;
      c.i = f.int_value;
      c.f = f.float_value;
      c.s = f.string_value;
      dump_value(out, f.name, *f.type, c, depth, reversed);
      continue;
    }
    if (k >= node.children.size()) continue;
    dump_value(out, f.name, *f.type, node.children[k], depth, reversed);
  }
}

}  // namespace

std::string dump_yara_format(std::string_view module_name, const Node& root) {
  std::string out(module_name);
  out += '\n';
  if (root.type != nullptr && root.type->structure != nullptr) {
    dump_struct(out, *root.type->structure, root, 1, true);
  }
  return out;
}

}  // namespace vigie::mod
