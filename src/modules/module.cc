// Schemas and runtime nodes of the module interface (see module.h).
//
// A Schema owns its Types and StructTypes in deques, so the pointers handed out stay valid while
// the schema grows during declaration and forever after. SchemaBuilder appends fields in
// declaration order; that order is also the order of a Struct node's children, so a field index
// resolved at compile time (StructType::index_of) addresses the child directly at scan time.
//
// Nodes are made from the schema: a Struct node makes one child per field (constants get their
// value at once, so the tree is self-describing), arrays and dictionaries start empty and grow
// when a module writes into them. Growth is capped (kMaxArrayLength, kMaxDictionaryEntries): a
// write beyond the cap lands in a per-thread scratch node and is lost, which is how hostile counts
// turn into missing values instead of unbounded memory.
//
// Array elements made only as filler for a higher index stay `defined == false`; an element a
// module asked for with at() is marked defined, which is how `yara -D` tells present elements
// from holes.
#include "modules/module.h"

#include <algorithm>
#include <cassert>

namespace vigie::mod {

int StructType::index_of(std::string_view name) const {
  for (size_t k = 0; k < fields.size(); ++k) {
    if (fields[k].name == name) return static_cast<int>(k);
  }
  return -1;
}

Schema::Schema() {
  root_ = new_type(Kind::kStruct);
  root_->structure = new_struct();
}

Type* Schema::new_type(Kind kind) {
  Type& t = types_.emplace_back();
  t.kind = kind;
  return &t;
}

StructType* Schema::new_struct() { return &structs_.emplace_back(); }

Field& SchemaBuilder::add(std::string name, const Type* type) {
  assert(st_->index_of(name) < 0 && "field declared twice");
  Field& f = st_->fields.emplace_back();
  f.name = std::move(name);
  f.type = type;
  return f;
}

void SchemaBuilder::integer(std::string name) {
  add(std::move(name), schema_->new_type(Kind::kInteger));
}

void SchemaBuilder::floating(std::string name) {
  add(std::move(name), schema_->new_type(Kind::kFloat));
}

void SchemaBuilder::string(std::string name) {
  add(std::move(name), schema_->new_type(Kind::kString));
}

void SchemaBuilder::constant(std::string name, int64_t value) {
  Field& f = add(std::move(name), schema_->new_type(Kind::kInteger));
  f.is_constant = true;
  f.int_value = value;
}

void SchemaBuilder::constant(std::string name, std::string value) {
  Field& f = add(std::move(name), schema_->new_type(Kind::kString));
  f.is_constant = true;
  f.string_value = std::move(value);
}

void SchemaBuilder::constant_float(std::string name, double value) {
  Field& f = add(std::move(name), schema_->new_type(Kind::kFloat));
  f.is_constant = true;
  f.float_value = value;
}

SchemaBuilder SchemaBuilder::structure(std::string name) {
  Type* t = schema_->new_type(Kind::kStruct);
  StructType* st = schema_->new_struct();
  t->structure = st;
  add(std::move(name), t);
  return SchemaBuilder(*schema_, *st);
}

namespace {

Type* container(Schema& schema, Kind kind, Kind element) {
  Type* t = schema.new_type(kind);
  t->element = schema.new_type(element);
  return t;
}

}  // namespace

void SchemaBuilder::integer_array(std::string name) {
  add(std::move(name), container(*schema_, Kind::kArray, Kind::kInteger));
}

void SchemaBuilder::float_array(std::string name) {
  add(std::move(name), container(*schema_, Kind::kArray, Kind::kFloat));
}

void SchemaBuilder::string_array(std::string name) {
  add(std::move(name), container(*schema_, Kind::kArray, Kind::kString));
}

SchemaBuilder SchemaBuilder::struct_array(std::string name) {
  Type* t = container(*schema_, Kind::kArray, Kind::kStruct);
  StructType* st = schema_->new_struct();
  const_cast<Type*>(t->element)->structure = st;
  add(std::move(name), t);
  return SchemaBuilder(*schema_, *st);
}

void SchemaBuilder::integer_dictionary(std::string name) {
  add(std::move(name), container(*schema_, Kind::kDictionary, Kind::kInteger));
}

void SchemaBuilder::float_dictionary(std::string name) {
  add(std::move(name), container(*schema_, Kind::kDictionary, Kind::kFloat));
}

void SchemaBuilder::string_dictionary(std::string name) {
  add(std::move(name), container(*schema_, Kind::kDictionary, Kind::kString));
}

SchemaBuilder SchemaBuilder::struct_dictionary(std::string name) {
  Type* t = container(*schema_, Kind::kDictionary, Kind::kStruct);
  StructType* st = schema_->new_struct();
  const_cast<Type*>(t->element)->structure = st;
  add(std::move(name), t);
  return SchemaBuilder(*schema_, *st);
}

void SchemaBuilder::function(std::string name, std::string params, char result, Function fn) {
  int k = st_->index_of(name);
  if (k >= 0) {
    Field& f = st_->fields[k];
    assert(f.type->kind == Kind::kFunction && "function name already used by a field");
    if (f.type->kind != Kind::kFunction) return;
    const_cast<Type*>(f.type)->overloads.push_back({std::move(params), result, fn});
    return;
  }
  Type* t = schema_->new_type(Kind::kFunction);
  t->overloads.push_back({std::move(params), result, fn});
  add(std::move(name), t);
}

Node::Node(const Type* t) : type(t) {
  if (t == nullptr || t->kind != Kind::kStruct || t->structure == nullptr) return;
  const auto& fields = t->structure->fields;
  children.reserve(fields.size());
  for (const Field& f : fields) {
    Node& c = children.emplace_back(f.type);
    if (!f.is_constant) continue;
    c.defined = true;
    c.i = f.int_value;
    c.f = f.float_value;
    c.s = f.string_value;
  }
}

namespace {

// Where writes the tree cannot hold go: unknown field names, indexes past the cap. Reset on every
// use so that nothing written there is ever read back as data.
Node& scratch_node(const Type* type) {
  thread_local Node scratch;
  scratch = Node(type);
  return scratch;
}

}  // namespace

Node& Node::field(std::string_view name) {
  int k = (type != nullptr && type->structure != nullptr) ? type->structure->index_of(name) : -1;
  assert(k >= 0 && "field not in the schema");
  if (k < 0) return scratch_node(nullptr);
  return children[k];
}

const Node* Node::find_field(std::string_view name) const {
  if (type == nullptr || type->structure == nullptr) return nullptr;
  int k = type->structure->index_of(name);
  return k < 0 ? nullptr : &children[k];
}

Node& Node::at(size_t index) {
  const Type* element = type != nullptr ? type->element : nullptr;
  if (type == nullptr || type->kind != Kind::kArray || index >= kMaxArrayLength) {
    return scratch_node(element);
  }
  if (index >= children.size()) {
    // Geometric growth: modules fill arrays one index at a time.
    if (index >= children.capacity())
      children.reserve(std::max(index + 1, 2 * children.capacity()));
    while (children.size() <= index) children.emplace_back(element);
  }
  Node& n = children[index];
  if (element != nullptr && element->kind == Kind::kStruct) n.defined = true;
  return n;
}

Node& Node::entry(std::string_view key) {
  const Type* element = type != nullptr ? type->element : nullptr;
  if (type == nullptr || type->kind != Kind::kDictionary) return scratch_node(element);
  for (auto& [k, v] : entries) {
    if (k == key) return v;
  }
  if (entries.size() >= kMaxDictionaryEntries) return scratch_node(element);
  auto& e = entries.emplace_back(std::string(key), Node(element));
  if (element != nullptr && element->kind == Kind::kStruct) e.second.defined = true;
  return e.second;
}

const Node* Node::find_entry(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k == key) return &v;
  }
  return nullptr;
}

}  // namespace vigie::mod
