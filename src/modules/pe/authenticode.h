// Authenticode: the signatures in a PE's certificate table, parsed and checked with OpenSSL.
//
// The security data directory gives the file offset and size of a list of WIN_CERTIFICATE
// records (8-byte aligned); each of type PKCS_SIGNED_DATA holds a PKCS#7 SignedData whose
// content is an SpcIndirectDataContent carrying the digest of the file. A signer may carry
// further signatures (nested, in an unauthenticated attribute) and countersignatures (PKCS#9
// or RFC 3161 timestamps). Each signature, nested ones included, becomes a Signature.
//
// "verified" means what YARA means: the digest in the signature equals the Authenticode digest
// of the file, the signer's message digest covers the signed content, and the signer's
// certificate's public key verifies the signature. Trust in the certificates is not checked.
//
// The file digest skips the checksum field, the security directory entry and the certificate
// table, which is what a signer cannot include in what it signs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "modules/pe/pe_file.h"

namespace vigie::pe {

struct Certificate {
  std::string thumbprint;       // SHA-1 of the DER encoding, lowercase hex
  std::string issuer, subject;  // "/C=US/O=..." form
  int64_t version = 0;
  std::string algorithm, algorithm_oid;
  std::string serial;  // "01:ab:..."
  int64_t not_before = 0, not_after = 0;
};

struct Countersignature {
  bool verified = false;
  std::optional<int64_t> sign_time;
  std::string digest, digest_alg;
  std::vector<Certificate> chain;
};

struct Signature {
  std::optional<Certificate> signer;  // the signing certificate, when present
  bool verified = false;
  std::string digest, digest_alg, file_digest;
  std::vector<Certificate> certificates;
  std::string program_name;
  bool has_program_name = false;
  std::string signer_digest, signer_digest_alg;
  std::vector<Certificate> chain;
  std::vector<Countersignature> countersignatures;
};

inline constexpr size_t kMaxSignatures = 16;
inline constexpr size_t kMaxCertificates = 64;
inline constexpr size_t kMaxChain = 16;

std::vector<Signature> parse_signatures(const PeFile& pe);

}  // namespace vigie::pe
