// Loading Authenticode signatures (authenticode.h) into pe.signatures.
#include "modules/pe/authenticode.h"
#include "modules/pe/pe_module.h"

namespace vigie::mod::pe_module {
namespace {

using vigie::pe::Certificate;

void set_certificate(Node& n, const Certificate& c) {
  n.set_string("thumbprint", c.thumbprint);
  n.set_string("issuer", c.issuer);
  n.set_string("subject", c.subject);
  n.set_integer("version", c.version);
  n.set_string("algorithm", c.algorithm);
  n.set_string("algorithm_oid", c.algorithm_oid);
  n.set_string("serial", c.serial);
  n.set_integer("not_before", c.not_before);
  n.set_integer("not_after", c.not_after);
}

void set_chain(Node& parent, const std::vector<Certificate>& chain) {
  parent.set_integer("length_of_chain", static_cast<int64_t>(chain.size()));
  Node& arr = parent.field("chain");
  for (size_t i = 0; i < chain.size(); ++i) set_certificate(arr.at(i), chain[i]);
}

}  // namespace

void load_signatures(const vigie::pe::PeFile& pe, Node& root) {
  std::vector<vigie::pe::Signature> sigs = vigie::pe::parse_signatures(pe);
  root.set_integer("number_of_signatures", static_cast<int64_t>(sigs.size()));
  bool any_verified = false;
  Node& arr = root.field("signatures");
  for (size_t i = 0; i < sigs.size(); ++i) {
    const auto& s = sigs[i];
    Node& n = arr.at(i);
    if (s.signer) set_certificate(n, *s.signer);
    n.set_integer("verified", s.verified);
    any_verified |= s.verified;
    if (!s.digest_alg.empty()) n.set_string("digest_alg", s.digest_alg);
    if (!s.digest.empty()) n.set_string("digest", s.digest);
    if (!s.file_digest.empty()) n.set_string("file_digest", s.file_digest);
    n.set_integer("number_of_certificates", static_cast<int64_t>(s.certificates.size()));
    Node& certs = n.field("certificates");
    for (size_t k = 0; k < s.certificates.size(); ++k)
      set_certificate(certs.at(k), s.certificates[k]);
    Node& signer = n.field("signer_info");
    if (s.has_program_name) signer.set_string("program_name", s.program_name);
    if (!s.signer_digest.empty()) signer.set_string("digest", s.signer_digest);
    if (!s.signer_digest_alg.empty()) signer.set_string("digest_alg", s.signer_digest_alg);
    set_chain(signer, s.chain);
    n.set_integer("number_of_countersignatures", static_cast<int64_t>(s.countersignatures.size()));
    Node& cs = n.field("countersignatures");
    for (size_t k = 0; k < s.countersignatures.size(); ++k) {
      const auto& c = s.countersignatures[k];
      Node& cn = cs.at(k);
      cn.set_integer("verified", c.verified);
      if (c.sign_time) cn.set_integer("sign_time", *c.sign_time);
      if (!c.digest.empty()) cn.set_string("digest", c.digest);
      if (!c.digest_alg.empty()) cn.set_string("digest_alg", c.digest_alg);
      set_chain(cn, c.chain);
    }
  }
  root.set_integer("is_signed", any_verified);
}

}  // namespace vigie::mod::pe_module
