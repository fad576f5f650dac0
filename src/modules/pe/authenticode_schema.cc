// The schema of pe.signatures (Authenticode), as YARA 4.5 documents it.
#include "modules/pe/pe_module.h"

namespace vigie::mod::pe_module {
namespace {

void certificate_fields(SchemaBuilder& c) {
  c.string("thumbprint");
  c.string("issuer");
  c.string("subject");
  c.integer("version");
  c.string("algorithm");
  c.string("algorithm_oid");
  c.string("serial");
  c.integer("not_before");
  c.integer("not_after");
}

Value valid_on(CallContext& ctx, std::span<const Value> args) {
  if (!ctx.parent || !args[0].defined()) return Value::undefined();
  const Node* before = ctx.parent->find_field("not_before");
  const Node* after = ctx.parent->find_field("not_after");
  if (!before || !after || !before->defined || !after->defined) return Value::undefined();
  return Value::integer(args[0].i >= before->i && args[0].i <= after->i);
}

}  // namespace

void declare_signatures(SchemaBuilder& root) {
  root.integer("number_of_signatures");
  root.integer("is_signed");
  SchemaBuilder sig = root.struct_array("signatures");
  certificate_fields(sig);
  sig.integer("verified");
  sig.string("digest_alg");
  sig.string("digest");
  sig.string("file_digest");
  sig.integer("number_of_certificates");
  SchemaBuilder certs = sig.struct_array("certificates");
  certificate_fields(certs);
  SchemaBuilder signer = sig.structure("signer_info");
  signer.string("program_name");
  signer.string("digest");
  signer.string("digest_alg");
  signer.integer("length_of_chain");
  SchemaBuilder chain = signer.struct_array("chain");
  certificate_fields(chain);
  sig.integer("number_of_countersignatures");
  SchemaBuilder cs = sig.struct_array("countersignatures");
  cs.integer("verified");
  cs.integer("sign_time");
  cs.string("digest");
  cs.string("digest_alg");
  cs.integer("length_of_chain");
  SchemaBuilder cchain = cs.struct_array("chain");
  certificate_fields(cchain);
  sig.function("valid_on", "i", 'i', valid_on);
}

}  // namespace vigie::mod::pe_module
