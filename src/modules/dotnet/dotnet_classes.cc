// dotnet.classes: the types defined by the assembly, with their methods and parameters.
//
// A TypeDef row owns a contiguous run of MethodDef rows (from its MethodList to the next type's),
// and a method a run of Param rows in the same way. Generic parameters, implemented interfaces
// and enclosing types are in tables keyed by owner; each is indexed once, up front, so the
// cost stays linear in the table sizes.
//
// Type names in signatures are decoded from the signature blobs (ECMA-335 II.23.2) into C#-like
// names: primitive types by keyword ("int", "string"), other types by full name, arrays as
// "T[]", generic instances as "Name<A,B>", generic parameters by their declared names. The
// decoder recurses over nested types with a fixed depth limit; enclosing-type chains are
// followed to a fixed depth too, so cycles in hostile tables end.
#include <functional>
#include <map>

#include "modules/dotnet/dotnet_module.h"

namespace vigie::mod::dotnet_module {
namespace {

namespace dn = vigie::dotnet;
using dn::Metadata;

constexpr int kMaxTypeDepth = 16;
// Types decoded for one signature or base type: TypeSpecs may refer to each other, and generic
// instances fan out, so depth alone does not bound the work.
constexpr int kMaxTypeSteps = 4096;
constexpr int kMaxNesting = 16;
constexpr size_t kMaxSignatureParams = 1024;
// Methods and parameters listed over all classes: hostile MethodList/ParamList columns can make
// every type claim every method, so the total is bounded, not only each list.
constexpr int64_t kMaxTotalMembers = 1 << 18;

std::string type_visibility(uint32_t flags) {
  switch (flags & 7) {
    case 1:
    case 2:
      return "public";
    case 3:
      return "private";
    case 4:
      return "protected";
    case 6:
      return "private protected";
    case 7:
      return "protected internal";
    default:
      return "internal";
  }
}

std::string method_visibility(uint32_t flags) {
  switch (flags & 7) {
    case 2:
      return "private protected";
    case 3:
      return "internal";
    case 4:
      return "protected";
    case 5:
      return "protected internal";
    case 6:
      return "public";
    default:
      return "private";
  }
}

class Classes {
 public:
  explicit Classes(const Metadata& md) : md_(md) {
    const uint32_t ntypes = md.table(dn::kTypeDef).rows;
    type_generics_.resize(ntypes);
    interfaces_.resize(ntypes);
    enclosing_.assign(ntypes, 0);
    const uint32_t nmethods = md.table(dn::kMethodDef).rows;
    method_generics_.resize(nmethods);
    for (uint32_t i = 0; i < md.table(dn::kGenericParam).rows; ++i) {
      auto owner = md.decode(dn::kTypeOrMethodDef, md.get(dn::kGenericParam, i, 2));
      uint32_t number = md.get(dn::kGenericParam, i, 0);
      std::string name = md.string(md.get(dn::kGenericParam, i, 3));
      auto& list = owner.first == dn::kTypeDef ? type_generics_ : method_generics_;
      if (owner.second == 0 || owner.second > list.size()) continue;
      auto& params = list[owner.second - 1];
      if (params.size() < kMaxSignatureParams) params.emplace_back(number, std::move(name));
    }
    for (auto* lists : {&type_generics_, &method_generics_}) {
      for (auto& l : *lists) std::stable_sort(l.begin(), l.end());
    }
    for (uint32_t i = 0; i < md.table(dn::kInterfaceImpl).rows; ++i) {
      uint32_t cls = md.get(dn::kInterfaceImpl, i, 0);
      if (cls == 0 || cls > ntypes || interfaces_[cls - 1].size() >= kMaxSignatureParams) continue;
      interfaces_[cls - 1].push_back(md.get(dn::kInterfaceImpl, i, 1));
    }
    for (uint32_t i = 0; i < md.table(dn::kNestedClass).rows; ++i) {
      uint32_t nested = md.get(dn::kNestedClass, i, 0);
      uint32_t outer = md.get(dn::kNestedClass, i, 1);
      if (nested != 0 && nested <= ntypes) enclosing_[nested - 1] = outer;
    }
  }

  // "Namespace.Name", with enclosing types in place of the namespace for nested types.
  std::string typedef_fullname(uint32_t row1) const {
    std::string name, prefix;
    uint32_t cur = row1;
    for (int depth = 0; cur != 0 && cur <= enclosing_.size() && depth < kMaxNesting; ++depth) {
      std::string part = md_.string(md_.get(dn::kTypeDef, cur - 1, 1));
      name = name.empty() ? part : part + "." + name;
      if (enclosing_[cur - 1] == 0) {
        prefix = md_.string(md_.get(dn::kTypeDef, cur - 1, 2));
        break;
      }
      cur = enclosing_[cur - 1];
    }
    return prefix.empty() ? name : prefix + "." + name;
  }

  std::string namespace_of(uint32_t row1) const {
    if (row1 == 0 || row1 > enclosing_.size()) return {};
    if (enclosing_[row1 - 1] != 0) return typedef_fullname(enclosing_[row1 - 1]);
    return md_.string(md_.get(dn::kTypeDef, row1 - 1, 2));
  }

  // Name of a TypeDefOrRef coded index.
  std::string type_name(uint32_t coded, int depth = 0) const {
    auto [table, row] = md_.decode(dn::kTypeDefOrRef, coded);
    if (row == 0) return {};
    if (table == dn::kTypeDef) return typedef_fullname(row);
    if (table == dn::kTypeRef) {
      std::string ns = md_.string(md_.get(dn::kTypeRef, row - 1, 2));
      std::string name = md_.string(md_.get(dn::kTypeRef, row - 1, 1));
      return ns.empty() ? name : ns + "." + name;
    }
    if (table == dn::kTypeSpec && depth < kMaxTypeDepth && ++steps_ <= kMaxTypeSteps) {
      auto blob = md_.blob(md_.get(dn::kTypeSpec, row - 1, 0));
      if (!blob) return {};
      Sig s{blob->data(), blob->size()};
      return decode_type(s, depth + 1, nullptr, nullptr);
    }
    return {};
  }

  struct Sig {
    const uint8_t* p;
    size_t n;
    bool byte(uint8_t* v) {
      if (n == 0) return false;
      *v = *p++;
      --n;
      return true;
    }
    bool uint(uint32_t* v) {
      size_t k = dn::compressed_uint(p, n, v);
      if (k == 0) return false;
      p += k;
      n -= k;
      return true;
    }
  };

  using Generics = std::vector<std::pair<uint32_t, std::string>>;

  static std::string generic_name(const Generics* g, uint32_t index, const char* fallback) {
    if (g) {
      for (const auto& [number, name] : *g) {
        if (number == index) return name;
      }
    }
    return fallback + std::to_string(index);
  }

  // One type from a signature; empty string when the signature is malformed.
  std::string decode_type(Sig& s, int depth, const Generics* class_generics,
                          const Generics* method_generics) const {
    if (depth > kMaxTypeDepth || ++steps_ > kMaxTypeSteps) return {};
    uint8_t t = 0;
    if (!s.byte(&t)) return {};
    switch (t) {
      case 0x01:
        return "void";
      case 0x02:
        return "bool";
      case 0x03:
        return "char";
      case 0x04:
        return "sbyte";
      case 0x05:
        return "byte";
      case 0x06:
        return "short";
      case 0x07:
        return "ushort";
      case 0x08:
        return "int";
      case 0x09:
        return "uint";
      case 0x0a:
        return "long";
      case 0x0b:
        return "ulong";
      case 0x0c:
        return "float";
      case 0x0d:
        return "double";
      case 0x0e:
        return "string";
      case 0x16:
        return "TypedReference";
      case 0x18:
        return "IntPtr";
      case 0x19:
        return "UIntPtr";
      case 0x1c:
        return "object";
      case 0x0f: {  // PTR
        std::string inner = decode_type(s, depth + 1, class_generics, method_generics);
        return inner.empty() ? inner : inner + "*";
      }
      case 0x10: {  // BYREF
        std::string inner = decode_type(s, depth + 1, class_generics, method_generics);
        return inner.empty() ? inner : "ref " + inner;
      }
      case 0x11:    // VALUETYPE
      case 0x12: {  // CLASS
        uint32_t coded = 0;
        return s.uint(&coded) ? type_name(coded, depth + 1) : std::string();
      }
      case 0x13: {  // VAR
        uint32_t i = 0;
        return s.uint(&i) ? generic_name(class_generics, i, "!") : std::string();
      }
      case 0x1e: {  // MVAR
        uint32_t i = 0;
        return s.uint(&i) ? generic_name(method_generics, i, "!!") : std::string();
      }
      case 0x1d: {  // SZARRAY
        std::string inner = decode_type(s, depth + 1, class_generics, method_generics);
        return inner.empty() ? inner : inner + "[]";
      }
      case 0x14: {  // ARRAY: type rank numsizes size* numlobounds lobound*
        std::string inner = decode_type(s, depth + 1, class_generics, method_generics);
        uint32_t rank = 0, count = 0, v = 0;
        if (inner.empty() || !s.uint(&rank) || rank > 64 || !s.uint(&count)) return {};
        for (uint32_t i = 0; i < count; ++i)
          if (!s.uint(&v)) return {};
        if (!s.uint(&count)) return {};
        for (uint32_t i = 0; i < count; ++i)
          if (!s.uint(&v)) return {};
        return inner + "[" + std::string(rank > 0 ? rank - 1 : 0, ',') + "]";
      }
      case 0x15: {  // GENERICINST: (CLASS|VALUETYPE) type count args
        uint8_t kind = 0;
        uint32_t coded = 0, count = 0;
        if (!s.byte(&kind) || !s.uint(&coded) || !s.uint(&count) || count > kMaxSignatureParams) {
          return {};
        }
        std::string out = type_name(coded, depth + 1) + "<";
        for (uint32_t i = 0; i < count; ++i) {
          std::string arg = decode_type(s, depth + 1, class_generics, method_generics);
          if (arg.empty()) return {};
          out += (i ? "," : "") + arg;
        }
        return out + ">";
      }
      case 0x1b: {  // FNPTR: a method signature
        std::string ret;
        std::vector<std::string> params;
        if (!decode_method(s, depth + 1, class_generics, method_generics, &ret, &params)) return {};
        std::string out = "FnPtr<" + ret;
        for (const auto& p : params) out += "," + p;
        return out + ">";
      }
      case 0x1f:    // CMOD_REQD
      case 0x20: {  // CMOD_OPT: a modifier type, then the type it modifies
        uint32_t coded = 0;
        if (!s.uint(&coded)) return {};
        return decode_type(s, depth + 1, class_generics, method_generics);
      }
      case 0x41:  // SENTINEL
      case 0x45:  // PINNED
        return decode_type(s, depth + 1, class_generics, method_generics);
      default:
        return {};
    }
  }

  bool decode_method(Sig& s, int depth, const Generics* cg, const Generics* mg, std::string* ret,
                     std::vector<std::string>* params) const {
    uint8_t conv = 0;
    uint32_t count = 0, generics = 0;
    if (!s.byte(&conv)) return false;
    if ((conv & 0x10) && !s.uint(&generics)) return false;
    if (!s.uint(&count) || count > kMaxSignatureParams) return false;
    *ret = decode_type(s, depth, cg, mg);
    if (ret->empty()) return false;
    for (uint32_t i = 0; i < count; ++i) {
      std::string p = decode_type(s, depth, cg, mg);
      if (p.empty()) return false;
      params->push_back(std::move(p));
    }
    return true;
  }

  void load(Node& root) const {
    const uint32_t ntypes = md_.table(dn::kTypeDef).rows;
    const uint32_t nmethods = md_.table(dn::kMethodDef).rows;
    const uint32_t nparams = md_.table(dn::kParam).rows;
    Node& classes = root.field("classes");
    size_t count = 0;
    for (uint32_t t = 0; t < ntypes && count < dn::kMaxListed; ++t) {
      std::string name = md_.string(md_.get(dn::kTypeDef, t, 1));
      if (name == "<Module>") continue;
      uint32_t flags = md_.get(dn::kTypeDef, t, 0);
      Node& c = classes.at(count++);
      c.set_string("name", name);
      std::string ns = namespace_of(t + 1);
      if (!ns.empty()) c.set_string("namespace", ns);
      c.set_string("fullname", ns.empty() ? name : ns + "." + name);
      c.set_string("visibility", type_visibility(flags));
      c.set_string("type", (flags & 0x20) ? "interface" : "class");
      c.set_integer("abstract", (flags & 0x80) != 0);
      c.set_integer("sealed", (flags & 0x100) != 0);

      const Generics& cg = type_generics_[t];
      set_generics(c, cg);

      std::vector<std::string> bases;
      steps_ = 0;
      if (std::string base = type_name(md_.get(dn::kTypeDef, t, 3)); !base.empty()) {
        bases.push_back(base);
      }
      for (uint32_t coded : interfaces_[t]) {
        steps_ = 0;
        if (std::string iface = type_name(coded); !iface.empty()) bases.push_back(iface);
      }
      c.set_integer("number_of_base_types", static_cast<int64_t>(bases.size()));
      for (size_t i = 0; i < bases.size(); ++i) c.field("base_types").at(i).set_string(bases[i]);

      // Methods: [MethodList, next type's MethodList), 1-based, clipped to the table.
      uint32_t first = md_.get(dn::kTypeDef, t, 5);
      uint32_t last = t + 1 < ntypes ? md_.get(dn::kTypeDef, t + 1, 5) : nmethods + 1;
      last = std::min(last, nmethods + 1);
      int64_t nm = 0;
      Node& methods = c.field("methods");
      for (uint32_t m = first;
           m != 0 && m < last && budget_ > 0 && nm < static_cast<int64_t>(dn::kMaxListed); ++m) {
        --budget_;
        load_method(m - 1, nmethods, nparams, &cg, methods.at(static_cast<size_t>(nm++)));
      }
      c.set_integer("number_of_methods", nm);
    }
    root.set_integer("number_of_classes", static_cast<int64_t>(count));
  }

 private:
  // number_of_generic_parameters and generic_parameters of a class or method.
  static void set_generics(Node& n, const Generics& g) {
    n.set_integer("number_of_generic_parameters", static_cast<int64_t>(g.size()));
    for (size_t i = 0; i < g.size(); ++i)
      n.field("generic_parameters").at(i).set_string(g[i].second);
  }

  void load_method(uint32_t m, uint32_t nmethods, uint32_t nparams, const Generics* cg,
                   Node& n) const {
    uint32_t flags = md_.get(dn::kMethodDef, m, 2);
    n.set_string("name", md_.string(md_.get(dn::kMethodDef, m, 3)));
    n.set_string("visibility", method_visibility(flags));
    n.set_integer("static", (flags & 0x10) != 0);
    n.set_integer("final", (flags & 0x20) != 0);
    n.set_integer("virtual", (flags & 0x40) != 0);
    n.set_integer("abstract", (flags & 0x400) != 0);
    const Generics& mg = method_generics_[m];
    set_generics(n, mg);

    std::string ret;
    std::vector<std::string> types;
    if (auto blob = md_.blob(md_.get(dn::kMethodDef, m, 4))) {
      Sig s{blob->data(), blob->size()};
      steps_ = 0;
      if (!decode_method(s, 0, cg, &mg, &ret, &types)) {
        ret.clear();
        types.clear();
      }
    }
    if (!ret.empty()) n.set_string("return_type", ret);
    // Param rows: [ParamList, next method's ParamList); Sequence 0 describes the return value.
    uint32_t first = md_.get(dn::kMethodDef, m, 5);
    uint32_t last = m + 1 < nmethods ? md_.get(dn::kMethodDef, m + 1, 5) : nparams + 1;
    last = std::min(last, nparams + 1);
    int64_t np = 0;
    Node& params = n.field("parameters");
    for (uint32_t p = first;
         p != 0 && p < last && budget_ > 0 && np < static_cast<int64_t>(kMaxSignatureParams); ++p) {
      uint32_t seq = md_.get(dn::kParam, p - 1, 1);
      if (seq == 0) continue;
      --budget_;
      Node& pn = params.at(static_cast<size_t>(np++));
      pn.set_string("name", md_.string(md_.get(dn::kParam, p - 1, 2)));
      if (seq - 1 < types.size()) pn.set_string("type", types[seq - 1]);
    }
    n.set_integer("number_of_parameters", np);
  }

  const Metadata& md_;
  mutable int64_t budget_ = kMaxTotalMembers;
  mutable int steps_ = 0;
  std::vector<Generics> type_generics_, method_generics_;
  std::vector<std::vector<uint32_t>> interfaces_;
  std::vector<uint32_t> enclosing_;
};

}  // namespace

void declare_classes(SchemaBuilder& root) {
  root.integer("number_of_classes");
  SchemaBuilder cls = root.struct_array("classes");
  cls.string("fullname");
  cls.string("name");
  cls.string("namespace");
  cls.string("visibility");
  cls.string("type");
  cls.integer("abstract");
  cls.integer("sealed");
  cls.integer("number_of_generic_parameters");
  cls.string_array("generic_parameters");
  cls.integer("number_of_base_types");
  cls.string_array("base_types");
  cls.integer("number_of_methods");
  SchemaBuilder m = cls.struct_array("methods");
  m.string("name");
  m.string("visibility");
  m.integer("static");
  m.integer("virtual");
  m.integer("final");
  m.integer("abstract");
  m.string("return_type");
  m.integer("number_of_parameters");
  SchemaBuilder p = m.struct_array("parameters");
  p.string("name");
  p.string("type");
  m.integer("number_of_generic_parameters");
  m.string_array("generic_parameters");
}

void load_classes(const vigie::dotnet::Metadata& md, Node& root) {
  if (!md.table(dn::kTypeDef).present()) return;
  Classes(md).load(root);
}

}  // namespace vigie::mod::dotnet_module
