// Authenticode parsing and verification (see authenticode.h for what is checked and why).
//
// OpenSSL decodes the PKCS#7 and X.509 structures; the Authenticode-specific parts (the
// SpcIndirectDataContent digest, SpcSpOpusInfo program name, RFC 3161 TSTInfo) are read with a
// small DER walker below, every length checked against its enclosing value. Nested signatures
// are followed one level deep, as signing tools produce them; every list has a cap.
#include "modules/pe/authenticode.h"

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <algorithm>
#include <ctime>
#include <map>
#include <memory>

namespace vigie::pe {
namespace {

constexpr uint32_t kDirSecurity = 4;
constexpr uint16_t kCertTypePkcsSignedData = 2;
constexpr const char* kOidSpcIndirectData = "1.3.6.1.4.1.311.2.1.4";
constexpr const char* kOidSpcSpOpusInfo = "1.3.6.1.4.1.311.2.1.12";
constexpr const char* kOidNestedSignature = "1.3.6.1.4.1.311.2.4.1";
constexpr const char* kOidMsCountersignature = "1.3.6.1.4.1.311.3.3.1";
constexpr const char* kOidCountersignature = "1.2.840.113549.1.9.6";
constexpr const char* kOidSigningTime = "1.2.840.113549.1.9.5";
constexpr const char* kOidMessageDigest = "1.2.840.113549.1.9.4";

// ---- A minimal DER reader over bytes OpenSSL handed us.
struct Der {
  const uint8_t* p = nullptr;
  size_t n = 0;
};

// Reads one TLV from the front of `in`. `content` gets the value; `in` advances past it.
bool der_next(Der& in, uint8_t* tag, Der* content) {
  if (in.n < 2) return false;
  uint8_t t = in.p[0];
  size_t len = in.p[1];
  size_t hdr = 2;
  if (len & 0x80) {
    size_t k = len & 0x7f;
    if (k == 0 || k > 4 || in.n < 2 + k) return false;
    len = 0;
    for (size_t i = 0; i < k; ++i) len = (len << 8) | in.p[2 + i];
    hdr += k;
  }
  if (len > in.n - hdr) return false;
  *tag = t;
  content->p = in.p + hdr;
  content->n = len;
  in.p += hdr + len;
  in.n -= hdr + len;
  return true;
}

bool der_expect(Der& in, uint8_t want, Der* content) {
  uint8_t tag = 0;
  return der_next(in, &tag, content) && tag == want;
}

std::string oid_text(const ASN1_OBJECT* obj) {
  char buf[128];
  int n = OBJ_obj2txt(buf, sizeof buf, obj, 1);
  return n > 0 && n < static_cast<int>(sizeof buf) ? std::string(buf, n) : std::string();
}

std::string oid_from_der(Der content) {
  const unsigned char* p = content.p;
  // Rebuild a full TLV for d2i.
  std::string der;
  der += '\x06';
  if (content.n >= 128) return {};
  der += static_cast<char>(content.n);
  der.append(reinterpret_cast<const char*>(p), content.n);
  const unsigned char* q = reinterpret_cast<const unsigned char*>(der.data());
  ASN1_OBJECT* obj = d2i_ASN1_OBJECT(nullptr, &q, static_cast<long>(der.size()));
  if (!obj) return {};
  std::string s = oid_text(obj);
  ASN1_OBJECT_free(obj);
  return s;
}

std::string hex(const uint8_t* p, size_t n, const char* sep = "") {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i && *sep) out += sep;
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// OpenSSL's long name of a NID ("sha256", "sha256WithRSAEncryption"), or "" when it has none.
std::string long_name(int nid) {
  const char* ln = nid != NID_undef ? OBJ_nid2ln(nid) : nullptr;
  return ln ? ln : "";
}

std::string digest_name(const EVP_MD* md) { return md ? long_name(EVP_MD_get_type(md)) : ""; }

int64_t asn1_time(const ASN1_TIME* t) {
  struct tm tm {};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

Certificate describe(X509* x) {
  Certificate c;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(x, EVP_sha1(), md, &len)) c.thumbprint = hex(md, len);
  char* s = X509_NAME_oneline(X509_get_issuer_name(x), nullptr, 0);
  if (s) c.issuer = s;
  OPENSSL_free(s);
  s = X509_NAME_oneline(X509_get_subject_name(x), nullptr, 0);
  if (s) c.subject = s;
  OPENSSL_free(s);
  c.version = X509_get_version(x) + 1;
  int nid = X509_get_signature_nid(x);
  c.algorithm = long_name(nid);
  const X509_ALGOR* alg = nullptr;
  X509_get0_signature(nullptr, &alg, x);
  if (alg) {
    const ASN1_OBJECT* obj = nullptr;
    X509_ALGOR_get0(&obj, nullptr, nullptr, alg);
    if (obj) c.algorithm_oid = oid_text(obj);
  }
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), nullptr)) {
    std::vector<uint8_t> bytes(BN_num_bytes(bn));
    BN_bn2bin(bn, bytes.data());
    c.serial = hex(bytes.data(), bytes.size(), ":");
    BN_free(bn);
  }
  c.not_before = asn1_time(X509_get0_notBefore(x));
  c.not_after = asn1_time(X509_get0_notAfter(x));
  return c;
}

// The certificate of `certs` named by issuer and serial.
X509* find_cert(STACK_OF(X509) * certs, const X509_NAME* issuer, const ASN1_INTEGER* serial) {
  for (int i = 0; certs && i < sk_X509_num(certs); ++i) {
    X509* x = sk_X509_value(certs, i);
    if (X509_NAME_cmp(X509_get_issuer_name(x), issuer) == 0 &&
        ASN1_INTEGER_cmp(X509_get0_serialNumber(x), serial) == 0) {
      return x;
    }
  }
  return nullptr;
}

// From `leaf` up through issuers found in `certs`, stopping at a self-signed certificate.
std::vector<Certificate> chain_of(X509* leaf, STACK_OF(X509) * certs) {
  std::vector<Certificate> out;
  X509* cur = leaf;
  while (cur && out.size() < kMaxChain) {
    out.push_back(describe(cur));
    if (X509_NAME_cmp(X509_get_issuer_name(cur), X509_get_subject_name(cur)) == 0) break;
    X509* next = nullptr;
    for (int i = 0; certs && i < sk_X509_num(certs); ++i) {
      X509* x = sk_X509_value(certs, i);
      if (x != cur && X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(cur)) == 0) {
        next = x;
        break;
      }
    }
    cur = next;
  }
  return out;
}

const ASN1_TYPE* attribute(STACK_OF(X509_ATTRIBUTE) * attrs, const char* oid) {
  for (int i = 0; attrs && i < sk_X509_ATTRIBUTE_num(attrs); ++i) {
    X509_ATTRIBUTE* a = sk_X509_ATTRIBUTE_value(attrs, i);
    if (oid_text(X509_ATTRIBUTE_get0_object(a)) == oid && X509_ATTRIBUTE_count(a) > 0) {
      return X509_ATTRIBUTE_get0_type(a, 0);
    }
  }
  return nullptr;
}

bool md_of(const uint8_t* p, size_t n, const EVP_MD* md, std::string* out) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!md || !EVP_Digest(p, n, buf, &len, md, nullptr)) return false;
  out->assign(reinterpret_cast<const char*>(buf), len);
  return true;
}

// Checks `si`'s signature over its authenticated attributes with `signer`'s public key.
bool signature_verifies(PKCS7_SIGNER_INFO* si, X509* signer) {
  if (!si || !signer || !si->auth_attr) return false;
  const EVP_MD* md = EVP_get_digestbyobj(si->digest_alg->algorithm);
  EVP_PKEY* key = X509_get0_pubkey(signer);
  if (!md || !key) return false;
  unsigned char* attrs = nullptr;
  int alen = ASN1_item_i2d(reinterpret_cast<ASN1_VALUE*>(si->auth_attr), &attrs,
                           ASN1_ITEM_rptr(PKCS7_ATTR_VERIFY));
  if (alen <= 0) return false;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestVerifyInit(ctx, nullptr, md, nullptr, key) == 1 &&
            EVP_DigestVerify(ctx, si->enc_digest->data, si->enc_digest->length, attrs, alen) == 1;
  EVP_MD_CTX_free(ctx);
  OPENSSL_free(attrs);
  return ok;
}

// The messageDigest attribute of `si` equals the digest of `content`.
bool message_digest_matches(PKCS7_SIGNER_INFO* si, const uint8_t* content, size_t n,
                            std::string* digest) {
  const ASN1_TYPE* t = attribute(si->auth_attr, kOidMessageDigest);
  if (!t || t->type != V_ASN1_OCTET_STRING) return false;
  std::string expected(reinterpret_cast<const char*>(t->value.octet_string->data),
                       t->value.octet_string->length);
  if (digest) *digest = expected;
  std::string got;
  return md_of(content, n, EVP_get_digestbyobj(si->digest_alg->algorithm), &got) && got == expected;
}

// Authenticode digest of the file with `md`.
std::string file_digest(const PeFile& pe, const EVP_MD* md) {
  const DataDirectory* sec = pe.directory(kDirSecurity);
  uint64_t dir_entry = 0;
  // Offset of the security directory entry: after the optional header's fixed part.
  dir_entry = pe.nt_offset + 4 + 20 + (pe.is_64 ? 112 : 96) + 8 * kDirSecurity;
  uint64_t size = pe.data.size();
  uint64_t table = sec ? std::min<uint64_t>(sec->virtual_address, size) : size;
  uint64_t table_end = sec ? std::min<uint64_t>(table + sec->size, size) : size;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string out;
  if (!ctx || !EVP_DigestInit_ex(ctx, md, nullptr)) {
    EVP_MD_CTX_free(ctx);
    return out;
  }
  auto part = [&](uint64_t begin, uint64_t end) {
    if (begin < end && end <= size) EVP_DigestUpdate(ctx, pe.data.data() + begin, end - begin);
  };
  uint64_t ck = pe.checksum_offset;
  part(0, ck);
  part(ck + 4, dir_entry);
  part(dir_entry + 8, table);
  part(table_end, size);
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, buf, &len)) out = hex(buf, len);
  EVP_MD_CTX_free(ctx);
  return out;
}

struct P7Free {
  void operator()(PKCS7* p) const { PKCS7_free(p); }
};
using P7 = std::unique_ptr<PKCS7, P7Free>;

P7 decode_pkcs7(const uint8_t* p, size_t n) {
  const unsigned char* q = p;
  return P7(d2i_PKCS7(nullptr, &q, static_cast<long>(n)));
}

void add_certificates(STACK_OF(X509) * certs, std::vector<Certificate>* out) {
  for (int i = 0; certs && i < sk_X509_num(certs) && out->size() < kMaxCertificates; ++i) {
    out->push_back(describe(sk_X509_value(certs, i)));
  }
}

// PKCS#9 countersignature: a SignerInfo over the parent's encrypted digest.
Countersignature pkcs9_countersignature(const ASN1_TYPE* value, PKCS7_SIGNER_INFO* parent,
                                        STACK_OF(X509) * certs) {
  Countersignature cs;
  if (value->type != V_ASN1_SEQUENCE) return cs;
  const unsigned char* q = value->value.sequence->data;
  PKCS7_SIGNER_INFO* si = d2i_PKCS7_SIGNER_INFO(nullptr, &q, value->value.sequence->length);
  if (!si) return cs;
  const EVP_MD* md = EVP_get_digestbyobj(si->digest_alg->algorithm);
  cs.digest_alg = digest_name(md);
  if (const ASN1_TYPE* t = attribute(si->auth_attr, kOidSigningTime)) {
    if (t->type == V_ASN1_UTCTIME || t->type == V_ASN1_GENERALIZEDTIME) {
      cs.sign_time = asn1_time(reinterpret_cast<const ASN1_TIME*>(t->value.asn1_string));
    }
  }
  std::string digest;
  bool digest_ok = message_digest_matches(si, parent->enc_digest->data,
                                          static_cast<size_t>(parent->enc_digest->length), &digest);
  cs.digest = hex(reinterpret_cast<const uint8_t*>(digest.data()), digest.size());
  X509* signer = find_cert(certs, si->issuer_and_serial->issuer, si->issuer_and_serial->serial);
  cs.chain = chain_of(signer, certs);
  cs.verified = digest_ok && signature_verifies(si, signer);
  PKCS7_SIGNER_INFO_free(si);
  return cs;
}

// RFC 3161 timestamp (Microsoft's attribute): a CMS SignedData (version 3, which the PKCS#7
// decoder refuses) over a TSTInfo whose message imprint is the digest of the parent's encrypted
// digest.
Countersignature rfc3161_countersignature(const ASN1_TYPE* value, PKCS7_SIGNER_INFO* parent,
                                          std::vector<Certificate>* all_certs) {
  Countersignature cs;
  if (value->type != V_ASN1_SEQUENCE) return cs;
  const unsigned char* q = value->value.sequence->data;
  std::unique_ptr<CMS_ContentInfo, decltype(&CMS_ContentInfo_free)> cms(
      d2i_CMS_ContentInfo(nullptr, &q, value->value.sequence->length), CMS_ContentInfo_free);
  if (!cms) return cs;
  std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> certs(
      CMS_get1_certs(cms.get()), [](STACK_OF(X509) * s) { sk_X509_pop_free(s, X509_free); });
  add_certificates(certs.get(), all_certs);
  ASN1_OCTET_STRING** content = CMS_get0_content(cms.get());
  if (!content || !*content) return cs;
  Der tst{(*content)->data, static_cast<size_t>((*content)->length)};
  // TSTInfo ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime, ... }
  Der info, field, imprint, alg, alg_oid, hashed;
  uint8_t tag = 0;
  if (!der_expect(tst, 0x30, &info) || !der_next(info, &tag, &field) ||
      !der_next(info, &tag, &field) || !der_expect(info, 0x30, &imprint) ||
      !der_expect(imprint, 0x30, &alg) || !der_expect(alg, 0x06, &alg_oid) ||
      !der_expect(imprint, 0x04, &hashed) || !der_next(info, &tag, &field) ||
      !der_expect(info, 0x18, &field)) {
    return cs;
  }
  std::string gen(reinterpret_cast<const char*>(field.p), field.n);
  ASN1_GENERALIZEDTIME* gt = ASN1_GENERALIZEDTIME_new();
  if (gt && ASN1_GENERALIZEDTIME_set_string(gt, gen.c_str())) cs.sign_time = asn1_time(gt);
  ASN1_GENERALIZEDTIME_free(gt);
  int nid = OBJ_txt2nid(oid_from_der(alg_oid).c_str());
  const EVP_MD* md = nid != NID_undef ? EVP_get_digestbynid(nid) : nullptr;
  cs.digest_alg = digest_name(md);
  cs.digest = hex(hashed.p, hashed.n);
  std::string expected;
  bool imprint_ok = md_of(parent->enc_digest->data, parent->enc_digest->length, md, &expected) &&
                    expected == std::string(reinterpret_cast<const char*>(hashed.p), hashed.n);
  // Checks the content digest and the signature; the certificates are not checked for trust.
  bool signed_ok = CMS_verify(cms.get(), nullptr, nullptr, nullptr, nullptr,
                              CMS_NO_SIGNER_CERT_VERIFY | CMS_BINARY) == 1;
  ERR_clear_error();
  STACK_OF(CMS_SignerInfo)* infos = CMS_get0_SignerInfos(cms.get());
  if (infos && sk_CMS_SignerInfo_num(infos) > 0) {
    CMS_SignerInfo* si = sk_CMS_SignerInfo_value(infos, 0);
    for (int i = 0; i < sk_X509_num(certs.get()); ++i) {
      X509* x = sk_X509_value(certs.get(), i);
      if (CMS_SignerInfo_cert_cmp(si, x) == 0) {
        cs.chain = chain_of(x, certs.get());
        break;
      }
    }
  }
  cs.verified = imprint_ok && signed_ok;
  return cs;
}

void parse_pkcs7(const PeFile& pe, const uint8_t* p, size_t n, int depth,
                 std::map<int, std::string>* digests, std::vector<Signature>* out) {
  if (out->size() >= kMaxSignatures) return;
  P7 p7 = decode_pkcs7(p, n);
  if (!p7 || !PKCS7_type_is_signed(p7.get()) || !p7->d.sign->contents) return;
  PKCS7* content = p7->d.sign->contents;
  if (oid_text(content->type) != kOidSpcIndirectData || !content->d.other ||
      content->d.other->type != V_ASN1_SEQUENCE) {
    return;
  }
  Signature sig;
  STACK_OF(X509)* certs = p7->d.sign->cert;
  add_certificates(certs, &sig.certificates);

  // SpcIndirectDataContent ::= SEQUENCE { data, messageDigest DigestInfo }; the signer's
  // message digest covers the value of that SEQUENCE, without its tag and length.
  const ASN1_STRING* seq = content->d.other->value.sequence;
  Der whole{seq->data, static_cast<size_t>(seq->length)};
  Der body, data, digest_info, alg, alg_oid, digest;
  const EVP_MD* file_md = nullptr;
  if (der_expect(whole, 0x30, &body)) {
    Der rest = body;
    if (der_expect(rest, 0x30, &data) && der_expect(rest, 0x30, &digest_info) &&
        der_expect(digest_info, 0x30, &alg) && der_expect(alg, 0x06, &alg_oid) &&
        der_expect(digest_info, 0x04, &digest)) {
      int nid = OBJ_txt2nid(oid_from_der(alg_oid).c_str());
      file_md = nid != NID_undef ? EVP_get_digestbynid(nid) : nullptr;
      sig.digest_alg = digest_name(file_md);
      sig.digest = hex(digest.p, digest.n);
      if (file_md) {
        // Every signature of a file usually uses the same algorithm: hash the file once.
        auto& cached = (*digests)[EVP_MD_get_type(file_md)];
        if (cached.empty()) cached = file_digest(pe, file_md);
        sig.file_digest = cached;
      }
    }
  }

  STACK_OF(PKCS7_SIGNER_INFO)* infos = PKCS7_get_signer_info(p7.get());
  PKCS7_SIGNER_INFO* si =
      infos && sk_PKCS7_SIGNER_INFO_num(infos) > 0 ? sk_PKCS7_SIGNER_INFO_value(infos, 0) : nullptr;
  std::vector<std::pair<const uint8_t*, size_t>> nested;
  if (si) {
    X509* signer = find_cert(certs, si->issuer_and_serial->issuer, si->issuer_and_serial->serial);
    if (signer) sig.signer = describe(signer);
    sig.chain = chain_of(signer, certs);
    sig.signer_digest_alg = digest_name(EVP_get_digestbyobj(si->digest_alg->algorithm));
    std::string md;
    bool content_ok = message_digest_matches(si, body.p, body.n, &md);
    sig.signer_digest = hex(reinterpret_cast<const uint8_t*>(md.data()), md.size());
    if (const ASN1_TYPE* t = attribute(si->auth_attr, kOidSpcSpOpusInfo)) {
      if (t->type == V_ASN1_SEQUENCE) {
        Der opus{t->value.sequence->data, static_cast<size_t>(t->value.sequence->length)};
        Der fields, name, str;
        uint8_t tag = 0;
        if (der_expect(opus, 0x30, &fields) && der_next(fields, &tag, &name) && tag == 0xa0 &&
            der_next(name, &tag, &str)) {
          sig.has_program_name = true;
          if (tag == 0x80) {  // BMPString, big-endian UTF-16: keep ASCII, '?' otherwise
            for (size_t i = 0; i + 1 < str.n; i += 2) {
              uint16_t u = static_cast<uint16_t>(str.p[i] << 8 | str.p[i + 1]);
              sig.program_name += u < 0x80 ? static_cast<char>(u) : '?';
            }
          } else {
            sig.program_name.assign(reinterpret_cast<const char*>(str.p), str.n);
          }
        }
      }
    }
    sig.verified = !sig.digest.empty() && sig.digest == sig.file_digest && content_ok &&
                   signature_verifies(si, signer);
    for (int i = 0; si->unauth_attr && i < sk_X509_ATTRIBUTE_num(si->unauth_attr); ++i) {
      X509_ATTRIBUTE* a = sk_X509_ATTRIBUTE_value(si->unauth_attr, i);
      std::string oid = oid_text(X509_ATTRIBUTE_get0_object(a));
      for (int k = 0; k < X509_ATTRIBUTE_count(a) && k < static_cast<int>(kMaxSignatures); ++k) {
        const ASN1_TYPE* v = X509_ATTRIBUTE_get0_type(a, k);
        if (!v) continue;
        if (oid == kOidCountersignature) {
          sig.countersignatures.push_back(pkcs9_countersignature(v, si, certs));
        } else if (oid == kOidMsCountersignature) {
          sig.countersignatures.push_back(rfc3161_countersignature(v, si, &sig.certificates));
        } else if (oid == kOidNestedSignature && depth == 0 && v->type == V_ASN1_SEQUENCE) {
          nested.emplace_back(v->value.sequence->data, v->value.sequence->length);
        }
      }
    }
  }
  out->push_back(std::move(sig));
  for (const auto& [np, nn] : nested) parse_pkcs7(pe, np, nn, depth + 1, digests, out);
}

}  // namespace

std::vector<Signature> parse_signatures(const PeFile& pe) {
  std::vector<Signature> out;
  std::map<int, std::string> digests;  // file digest by algorithm
  const DataDirectory* dir = pe.directory(kDirSecurity);
  if (!dir || dir->virtual_address == 0 || dir->size == 0) return out;
  Reader r(pe.data);
  uint64_t off = dir->virtual_address;
  uint64_t end = std::min<uint64_t>(off + dir->size, r.size());
  for (size_t i = 0; i < kMaxSignatures && off + 8 <= end; ++i) {
    uint32_t length = 0;
    uint16_t type = 0;
    r.u32(off, &length);
    r.u16(off + 6, &type);
    if (length < 8 || length > end - off) break;
    if (type == kCertTypePkcsSignedData)
      parse_pkcs7(pe, r.at(off + 8, length - 8), length - 8, 0, &digests, &out);
    off += (uint64_t{length} + 7) & ~uint64_t{7};
  }
  return out;
}

}  // namespace vigie::pe
