// dotnet.classes: types, their methods and parameters.
#include "modules/dotnet/dotnet_module.h"

namespace vigie::mod::dotnet_module {

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

void load_classes(const vigie::dotnet::Metadata& md, Node& root) {}

}  // namespace vigie::mod::dotnet_module
