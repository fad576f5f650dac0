// The module interface: how pe, elf, math, hash, ... plug into the compiler and the scanner.
//
// A module has a *schema*, declared once (field names and types, constants, functions), which
// the compiler uses to resolve and type-check `pe.sections[0].name`; and a *load* function,
// called at most once per scan and only when a rule still undecided needs the module, which
// fills a tree of Nodes shaped by that schema from the scanned bytes.
//
//   schema (Type, StructType: immutable, shared)      runtime (Node: one tree per scan)
//   pe            : Struct                              root Node
//   pe.sections   : Array of Struct  ------------->     children[i] = Node of the array
//   pe.sections[] : Struct {name: String, ...}          children[k] = Node per element
//
// Constants (pe.MACHINE_I386) are part of the schema and fold at compile time. Functions are
// fields of kind Function with one or more overloads; a call receives the Node of the structure
// it belongs to (so pe.signatures[0].valid_on(t) sees its signature) and the scan's bytes.
//
// Thread safety: schemas are built once and never change. Nodes belong to one Scanner.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigie::re {
class Regex;  // a compiled regular expression, defined in src/re
// True when `re` matches somewhere in `text` (YARA's `matches` semantics).
bool regex_search(const Regex& re, std::string_view text);
}  // namespace vigie::re

namespace vigie::mod {

enum class Kind : uint8_t { kInteger, kFloat, kString, kStruct, kArray, kDictionary, kFunction };

struct StructType;
struct Node;
struct CallContext;

// A runtime value: function arguments and results. Strings are owned so functions can build them.
struct Value {
  enum class Tag : uint8_t { kUndefined, kInteger, kFloat, kString, kRegex } tag = Tag::kUndefined;
  int64_t i = 0;
  double f = 0;
  std::string s;
  const re::Regex* regex = nullptr;

  static Value undefined() { return {}; }
  static Value integer(int64_t v) {
    Value x;
    x.tag = Tag::kInteger;
    x.i = v;
    return x;
  }
  static Value real(double v) {
    Value x;
    x.tag = Tag::kFloat;
    x.f = v;
    return x;
  }
  static Value string(std::string v) {
    Value x;
    x.tag = Tag::kString;
    x.s = std::move(v);
    return x;
  }
  bool defined() const { return tag != Tag::kUndefined; }
};

// Parameters: a string of 'i' (integer), 'f' (float), 's' (string), 'r' (regex), e.g. "si",
// and 'b' (a boolean, passed as an integer 0 or 1: math.to_number takes one, as in YARA).
// Result: one of 'i', 'f', 's'.
using Function = Value (*)(CallContext& ctx, std::span<const Value> args);
struct Overload {
  std::string params;
  char result = 'i';
  Function fn = nullptr;
};

struct Type {
  Kind kind = Kind::kInteger;
  const Type* element = nullptr;          // kArray, kDictionary: type of the elements
  const StructType* structure = nullptr;  // kStruct: its fields
  std::vector<Overload> overloads;        // kFunction
};

struct Field {
  std::string name;
  const Type* type = nullptr;
  bool is_constant = false;  // value known at compile time
  int64_t int_value = 0;     // for integer constants
  double float_value = 0;    // for float constants
  std::string string_value;  // for string constants
};

struct StructType {
  std::vector<Field> fields;
  // Index of the field named `name`, or -1.
  int index_of(std::string_view name) const;
};

// Owns every Type and StructType of one module's schema; the root is a Struct.
class Schema {
 public:
  Schema();
  const Type& root() const { return *root_; }
  Type* new_type(Kind kind);
  StructType* new_struct();

 private:
  std::deque<Type> types_;
  std::deque<StructType> structs_;
  Type* root_;
};

// Declares the fields of one structure. Returned builders declare nested structures.
class SchemaBuilder {
 public:
  SchemaBuilder(Schema& schema, StructType& st) : schema_(&schema), st_(&st) {}
  void integer(std::string name);
  void floating(std::string name);
  void string(std::string name);
  void constant(std::string name, int64_t value);
  void constant(std::string name, std::string value);
  void constant_float(std::string name, double value);
  SchemaBuilder structure(std::string name);
  void integer_array(std::string name);
  void float_array(std::string name);
  void string_array(std::string name);
  SchemaBuilder struct_array(std::string name);
  void integer_dictionary(std::string name);
  void float_dictionary(std::string name);
  void string_dictionary(std::string name);
  SchemaBuilder struct_dictionary(std::string name);
  // Adds an overload; several calls with one name build an overloaded function.
  void function(std::string name, std::string params, char result, Function fn);

 private:
  Field& add(std::string name, const Type* type);
  Schema* schema_;
  StructType* st_;
};

// One node of the runtime tree. A Struct node has one child per field of its StructType (made
// when the node is made); an Array node has its elements as children; a Dictionary node has
// entries. Scalars are undefined until set.
struct Node {
  const Type* type = nullptr;
  bool defined = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  std::vector<Node> children;
  std::vector<std::pair<std::string, Node>> entries;

  explicit Node(const Type* t = nullptr);

  // Struct access by field name. A name the schema lacks is a programming error: it aborts in
  // debug builds and returns a detached dummy node in release builds.
  Node& field(std::string_view name);
  const Node* find_field(std::string_view name) const;
  // Array element i, created (undefined) as needed. Arrays grow only to kMaxArrayLength.
  Node& at(size_t index);
  // Dictionary entry, created as needed.
  Node& entry(std::string_view key);
  const Node* find_entry(std::string_view key) const;

  void set_integer(int64_t v) {
    i = v;
    defined = true;
  }
  void set_float(double v) {
    f = v;
    defined = true;
  }
  void set_string(std::string v) {
    s = std::move(v);
    defined = true;
  }
  // Shorthands for the common case of a scalar field of a struct.
  void set_integer(std::string_view name, int64_t v) { field(name).set_integer(v); }
  void set_float(std::string_view name, double v) { field(name).set_float(v); }
  void set_string(std::string_view name, std::string v) { field(name).set_string(std::move(v)); }

  static constexpr size_t kMaxArrayLength = 1u << 20;
  // Dictionaries look keys up linearly; no module needs more entries than this.
  static constexpr size_t kMaxDictionaryEntries = 1u << 12;
};

// Per-scan state a module keeps between load() and its function calls (a parsed header, a
// cache of computed hashes). Deleted at the end of the scan.
struct ModuleState {
  virtual ~ModuleState() = default;
};

// What load() sees.
struct LoadContext {
  std::span<const uint8_t> data;         // the scanned bytes (for a process: its first region)
  std::span<const uint8_t> module_data;  // bytes given with `-x module=file`, may be empty
  bool is_process = false;
  std::unique_ptr<ModuleState>* state = nullptr;  // the module may create its state here
  void (*log)(void* log_ctx, std::string_view message) = nullptr;
  void* log_ctx = nullptr;
  uint64_t base_address = 0;  // address of data[0]: the region's base for a process, else 0
};

// What a function call sees.
struct CallContext {
  std::span<const uint8_t> data;  // the scanned bytes
  const Node* parent = nullptr;   // the structure the function is a field of
  const Node* root = nullptr;     // the module's root node
  ModuleState* state = nullptr;   // what load() created, may be null
  void (*log)(void* log_ctx, std::string_view message) = nullptr;  // console.log output
  void* log_ctx = nullptr;
  uint64_t base_address = 0;  // address of data[0], as in LoadContext
};

struct Module {
  std::string_view name;
  void (*declare)(SchemaBuilder& root) = nullptr;
  void (*load)(LoadContext& ctx, Node& root) = nullptr;
};

// The registry shared by compiler and scanner.
const Module* find_module(std::string_view name);
std::span<const Module* const> all_modules();
// The schema of a module, built on first use (thread-safe) and kept for the process lifetime.
const Schema& schema_of(const Module& module);

// Offset of the entry point in a PE or ELF file, for the deprecated `entrypoint` keyword.
// Returns false when the data is neither (the keyword is then undefined).
bool entry_point_offset(std::span<const uint8_t> data, uint64_t* offset);

// Prints a module's tree as `yara -D` does.
std::string dump_yara_format(std::string_view module_name, const Node& root);

}  // namespace vigie::mod
