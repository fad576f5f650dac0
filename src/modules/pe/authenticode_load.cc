// Loading Authenticode signatures into pe.signatures.
#include "modules/pe/pe_module.h"

namespace vigie::mod::pe_module {

void load_signatures(const vigie::pe::PeFile& pe, Node& root) {
  root.set_integer("number_of_signatures", 0);
  root.set_integer("is_signed", 0);
}

}  // namespace vigie::mod::pe_module
