// Internals of the pe module shared by its files: the per-scan state and the three parts of
// the module (schema, loading into Nodes, functions).
#pragma once

#include <optional>

#include "modules/module.h"
#include "modules/pe/pe_file.h"

namespace vigie::mod::pe_module {

struct PeState : ModuleState {
  vigie::pe::PeFile pe;
  bool is_process = false;
};

// The state when the scanned data is a PE, else nullptr.
inline const PeState* pe_state(const CallContext& ctx) {
  return static_cast<const PeState*>(ctx.state);
}

void declare(SchemaBuilder& root);
void declare_functions(SchemaBuilder& root);
void declare_signatures(SchemaBuilder& root);
void load(LoadContext& ctx, Node& root);
// rich_signature.toolid() and rich_signature.version().
Value rich_toolid(CallContext& ctx, std::span<const Value> args);
Value rich_version(CallContext& ctx, std::span<const Value> args);
// Fills pe.signatures, pe.number_of_signatures and pe.is_signed.
void load_signatures(const vigie::pe::PeFile& pe, Node& root);

}  // namespace vigie::mod::pe_module
