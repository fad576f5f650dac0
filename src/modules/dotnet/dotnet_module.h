// Internals of the dotnet module shared by its files.
#pragma once

#include "modules/dotnet/cli_metadata.h"
#include "modules/module.h"

namespace vigie::mod::dotnet_module {

void declare_classes(SchemaBuilder& root);
// Fills dotnet.classes and dotnet.number_of_classes from the TypeDef and related tables.
void load_classes(const vigie::dotnet::Metadata& md, Node& root);

}  // namespace vigie::mod::dotnet_module
