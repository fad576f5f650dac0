// Content assessment: see content.h for the reasoning. Thresholds are documented in
// docs/watch.md; they are chosen so that AES output (entropy about 7.95 bits per byte on a 4 KiB
// block, 7.99 on 256 KiB) is far above text and office data (below 6.5) and so that formats
// which are compressed by design are recognised by magic rather than by entropy.
#include "watch/content.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstring>

namespace vigie::watch {
namespace {

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

uint8_t At(std::string_view s, size_t i) { return i < s.size() ? uint8_t(s[i]) : 0; }

// Entropy above which a buffer of `n` bytes is called random. Short buffers cannot reach 8
// bits per byte even when random, so the bar is lowered for them and absent below 512 bytes.
double HighBar(size_t n) {
  if (n >= 1024) return 7.2;
  if (n >= 512) return 6.9;
  return 99;
}

bool LooksText(std::string_view head) {
  std::string_view s = head.substr(0, std::min<size_t>(head.size(), 8192));
  if (s.empty()) return false;
  size_t good = 0;
  for (unsigned char c : s) {
    if (c == 0) return false;
    if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\r' || c == '\t' || c >= 0x80) good++;
  }
  return good * 100 >= s.size() * 97 && Entropy(s) < 6.5;
}

bool GpgPacket(std::string_view h) {
  // OpenPGP packet header followed by a plausible version byte (RFC 4880 / RFC 9580).
  uint8_t b0 = At(h, 0);
  size_t ver_at;
  switch (b0) {
    case 0x84:  // old format, tag 1, one-byte length
    case 0x8c:  // old format, tag 3, one-byte length
    case 0xc1:  // new format, tag 1
    case 0xc3:  // new format, tag 3
      ver_at = 2;
      break;
    case 0x85:  // old format, tag 1, two-byte length
    case 0x8d:  // old format, tag 3, two-byte length
      ver_at = 3;
      break;
    default:
      return false;
  }
  uint8_t v = At(h, ver_at);
  return h.size() > ver_at && v >= 3 && v <= 6;
}

}  // namespace

size_t PreadAll(int fd, char* buf, size_t len, off_t off, bool* error) {
  size_t got = 0;
  while (got < len) {
    ssize_t r = pread(fd, buf + got, len - got, off + off_t(got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && error) *error = true;
    if (r <= 0) break;
    got += size_t(r);
  }
  return got;
}

bool WriteAll(int fd, const char* buf, size_t len) {
  for (size_t put = 0; put < len;) {
    ssize_t w = write(fd, buf + put, len - put);
    if (w < 0 && errno == EINTR) continue;
    if (w == 0) errno = ENOSPC;
    if (w <= 0) return false;
    put += size_t(w);
  }
  return true;
}

bool ReadSample(int fd, Sample* out, uint64_t head_cap, int64_t size) {
  off_t end = size >= 0 ? off_t(size) : lseek(fd, 0, SEEK_END);
  if (end < 0) return false;
  out->size = uint64_t(end);
  uint64_t head_len = std::min<uint64_t>(out->size, std::min(head_cap, kHeadBytes));
  out->head.resize(head_len);
  out->head.resize(PreadAll(fd, out->head.data(), head_len, 0));
  out->tail.clear();
  if (out->size > kHeadBytes && head_cap >= kHeadBytes) {
    uint64_t tail_len = std::min<uint64_t>(out->size - kHeadBytes, kTailBytes);
    out->tail.resize(tail_len);
    out->tail.resize(PreadAll(fd, out->tail.data(), tail_len, off_t(out->size - tail_len)));
  }
  return true;
}

Sample SampleOfBytes(std::string_view bytes) {
  Sample s;
  SampleOfBytes(bytes, &s);
  return s;
}

void SampleOfBytes(std::string_view bytes, Sample* out) {
  out->size = bytes.size();
  out->head.assign(bytes.substr(0, kHeadBytes));
  out->tail.clear();
  if (bytes.size() > kHeadBytes)
    out->tail.assign(
        bytes.substr(bytes.size() - std::min(bytes.size() - kHeadBytes, size_t(kTailBytes))));
}

double Entropy(std::string_view bytes) {
  size_t n = bytes.size();
  if (n == 0) return 0;
  // Four histograms, so that runs of one byte value do not wait on one counter.
  std::array<std::array<uint32_t, 256>, 4> count{};
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    count[0][p[i]]++;
    count[1][p[i + 1]]++;
    count[2][p[i + 2]]++;
    count[3][p[i + 3]]++;
  }
  for (; i < n; ++i) count[0][p[i]]++;
  // H = log2(n) - (1/n) * sum(c * log2(c)); c * log2(c) from a table for counts up to a block.
  static const std::array<double, kBlock + 1> kCLogC = [] {
    std::array<double, kBlock + 1> t{};
    for (size_t c = 1; c <= kBlock; ++c) t[c] = double(c) * std::log2(double(c));
    return t;
  }();
  double sum = 0;
  for (size_t b = 0; b < 256; ++b) {
    uint32_t c = count[0][b] + count[1][b] + count[2][b] + count[3][b];
    if (c == 0) continue;
    sum += c <= kBlock ? kCLogC[c] : double(c) * std::log2(double(c));
  }
  double h = std::log2(double(n)) - sum / double(n);
  return h < 0 ? 0 : h;
}

bool IsOutputKind(Kind k) {
  return k == Kind::kGzip || k == Kind::kBzip2 || k == Kind::kXz || k == Kind::kZstd ||
         k == Kind::k7z || k == Kind::kZlib || k == Kind::kGitPack || k == Kind::kOpensslEnc ||
         k == Kind::kGpg || k == Kind::kEmpty || k == Kind::kElf;
}

Kind KindOf(std::string_view h) {
  if (h.empty()) return Kind::kEmpty;
  if (StartsWith(h, "%PDF-")) return Kind::kPdf;
  if (StartsWith(h, "PK\x03\x04") || StartsWith(h, "PK\x05\x06")) return Kind::kZip;
  if (StartsWith(h, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")) return Kind::kOle;
  if (StartsWith(h, "\x89PNG\r\n\x1a\n")) return Kind::kPng;
  if (StartsWith(h, "\xff\xd8\xff")) return Kind::kJpeg;
  if (StartsWith(h, "GIF87a") || StartsWith(h, "GIF89a")) return Kind::kGif;
  if (StartsWith(h, "BM") && h.size() >= 14 && At(h, 6) == 0 && At(h, 7) == 0 && At(h, 8) == 0 &&
      At(h, 9) == 0)
    return Kind::kBmp;
  if (StartsWith(h, std::string_view("II*\0", 4)) || StartsWith(h, std::string_view("MM\0*", 4)))
    return Kind::kTiff;
  if (StartsWith(h, "RIFF") && h.size() >= 12 && h.substr(8, 4) == "WEBP") return Kind::kWebp;
  if (StartsWith(h, std::string_view("SQLite format 3\0", 16))) return Kind::kSqlite;
  if (StartsWith(h,
                 "\x7f"
                 "ELF"))
    return Kind::kElf;
  if (h.size() >= 262 && h.substr(257, 5) == "ustar") return Kind::kTar;
  if (StartsWith(h, "\x1f\x8b")) return Kind::kGzip;
  if (StartsWith(h, "BZh") && At(h, 3) >= '1' && At(h, 3) <= '9') return Kind::kBzip2;
  if (StartsWith(h, std::string_view("\xfd"
                                     "7zXZ\0",
                                     6)))
    return Kind::kXz;
  if (StartsWith(h, "\x28\xb5\x2f\xfd")) return Kind::kZstd;
  if (StartsWith(h, "7z\xbc\xaf\x27\x1c")) return Kind::k7z;
  if (StartsWith(h, "PACK")) return Kind::kGitPack;
  if (StartsWith(h, "Salted__")) return Kind::kOpensslEnc;
  if (StartsWith(h, "!<arch>\n")) return Kind::kArFile;
  if (h.size() >= 2 && At(h, 0) == 0x78 && (At(h, 0) * 256 + At(h, 1)) % 31 == 0 &&
      (At(h, 1) == 0x01 || At(h, 1) == 0x5e || At(h, 1) == 0x9c || At(h, 1) == 0xda))
    return Kind::kZlib;
  if (GpgPacket(h)) return Kind::kGpg;
  if (LooksText(h)) return Kind::kText;
  return Kind::kUnknown;
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kUnknown:
      return "unknown";
    case Kind::kEmpty:
      return "empty";
    case Kind::kText:
      return "text";
    case Kind::kPdf:
      return "pdf";
    case Kind::kZip:
      return "zip";
    case Kind::kOle:
      return "ole";
    case Kind::kPng:
      return "png";
    case Kind::kJpeg:
      return "jpeg";
    case Kind::kGif:
      return "gif";
    case Kind::kBmp:
      return "bmp";
    case Kind::kTiff:
      return "tiff";
    case Kind::kWebp:
      return "webp";
    case Kind::kSqlite:
      return "sqlite";
    case Kind::kElf:
      return "elf";
    case Kind::kTar:
      return "tar";
    case Kind::kGzip:
      return "gzip";
    case Kind::kBzip2:
      return "bzip2";
    case Kind::kXz:
      return "xz";
    case Kind::kZstd:
      return "zstd";
    case Kind::k7z:
      return "7z";
    case Kind::kZlib:
      return "zlib";
    case Kind::kGitPack:
      return "git-pack";
    case Kind::kOpensslEnc:
      return "openssl-enc";
    case Kind::kGpg:
      return "openpgp";
    case Kind::kArFile:
      return "ar";
  }
  return "?";
}

bool IsCompressedKind(Kind k) {
  switch (k) {
    case Kind::kZip:
    case Kind::kPng:
    case Kind::kJpeg:
    case Kind::kGif:
    case Kind::kWebp:
    case Kind::kGzip:
    case Kind::kBzip2:
    case Kind::kXz:
    case Kind::kZstd:
    case Kind::k7z:
    case Kind::kZlib:
    case Kind::kGitPack:
    case Kind::kOpensslEnc:
    case Kind::kGpg:
    case Kind::kPdf:
    case Kind::kArFile:
      return true;
    default:
      return false;
  }
}

Kind KindForName(std::string_view name) {
  size_t slash = name.rfind('/');
  if (slash != std::string_view::npos) name = name.substr(slash + 1);
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return Kind::kUnknown;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) c = char(std::tolower(uint8_t(c)));
  struct E {
    const char* ext;
    Kind kind;
  };
  static constexpr E kTable[] = {
      {"pdf", Kind::kPdf},   {"docx", Kind::kZip},      {"xlsx", Kind::kZip},
      {"pptx", Kind::kZip},  {"odt", Kind::kZip},       {"ods", Kind::kZip},
      {"zip", Kind::kZip},   {"doc", Kind::kOle},       {"xls", Kind::kOle},
      {"ppt", Kind::kOle},   {"png", Kind::kPng},       {"jpg", Kind::kJpeg},
      {"jpeg", Kind::kJpeg}, {"gif", Kind::kGif},       {"bmp", Kind::kBmp},
      {"tif", Kind::kTiff},  {"tiff", Kind::kTiff},     {"webp", Kind::kWebp},
      {"db", Kind::kSqlite}, {"sqlite", Kind::kSqlite}, {"txt", Kind::kText},
      {"csv", Kind::kText},  {"md", Kind::kText},       {"log", Kind::kText},
      {"html", Kind::kText}, {"xml", Kind::kText},      {"json", Kind::kText},
      {"gz", Kind::kGzip},   {"tar", Kind::kTar},
  };
  for (const E& e : kTable)
    if (ext == e.ext) return e.kind;
  return Kind::kUnknown;
}

bool TrailerIntact(Kind k, const Sample& s) {
  // The end of the file: the tail when the file is large, else the end of the head.
  std::string_view end = s.tail.empty() ? std::string_view(s.head) : std::string_view(s.tail);
  auto last = [&](size_t n) { return end.substr(end.size() > n ? end.size() - n : 0); };
  switch (k) {
    case Kind::kPdf:
      return last(1024).find("%%EOF") != std::string_view::npos;
    case Kind::kZip:
      return last(65536 + 22).find("PK\x05\x06") != std::string_view::npos;
    case Kind::kPng:
      return last(64).find("IEND") != std::string_view::npos;
    case Kind::kJpeg:
      return last(64).find("\xff\xd9") != std::string_view::npos;
    case Kind::kGif:
      return !end.empty() && last(16).find(';') != std::string_view::npos;
    default:
      return true;
  }
}

Verdict Compare(const Sample& before, const Sample& after) {
  Verdict v;
  if (after.size == 0 || before.size == 0) return v;
  Kind kb = KindOf(before.head), ka = KindOf(after.head);
  // The entropy of each head is counted at most once, and only when a rule needs it.
  double ea_head = -1, eb_head = -1;
  auto after_entropy = [&] { return ea_head >= 0 ? ea_head : (ea_head = Entropy(after.head)); };
  auto before_entropy = [&] { return eb_head >= 0 ? eb_head : (eb_head = Entropy(before.head)); };
  if (ka == Kind::kUnknown && after_entropy() >= HighBar(after.head.size())) {
    if (kb != Kind::kUnknown) {
      v.destroyed = true;
      v.why = "format magic lost, content random";
      return v;
    }
    if (before_entropy() < 6.0) {
      v.destroyed = true;
      v.why = "entropy jump to random";
      return v;
    }
  }
  if (ka == kb && kb != Kind::kUnknown && TrailerIntact(kb, before) && !TrailerIntact(ka, after)) {
    // Header kept, end of the format gone: rewritten by something that does not know it.
    std::string_view body =
        std::string_view(after.head).substr(std::min<size_t>(after.head.size(), 512));
    if (Entropy(body) >= HighBar(body.size()) || !after.tail.empty()) {
      v.destroyed = true;
      v.why = "header kept, format trailer lost";
      return v;
    }
  }
  // Block by block: intermittent and header-preserving encryption change some blocks only,
  // each from structured to random.
  size_t changed = 0, hot = 0;
  auto blocks = [&](std::string_view b, std::string_view a, bool from_end) {
    size_t n = std::min(a.size(), b.size()) / kBlock;
    for (size_t i = 0; i < n; ++i) {
      size_t ob = from_end ? b.size() - (i + 1) * kBlock : i * kBlock;
      size_t oa = from_end ? a.size() - (i + 1) * kBlock : i * kBlock;
      std::string_view xb = b.substr(ob, kBlock), xa = a.substr(oa, kBlock);
      if (xb == xa) continue;
      changed++;
      // Random, or partly random (a block straddling an encrypted stripe). A block of 4 KiB
      // holds at most 8 bits per byte, so one that was at 7 or more cannot qualify: its new
      // entropy is not counted (compressed formats rewritten are all such blocks).
      double eb_block = Entropy(xb);
      if (eb_block >= 7.0) continue;
      double ea = Entropy(xa);
      if (ea >= 7.5 || (ea >= 6.0 && ea - eb_block >= 1.5)) hot++;
    }
  };
  // A different, compressed format replacing the content is a conversion, not encryption.
  if (ka != kb && ka != Kind::kUnknown) return v;
  // The changed span (first to last differing byte): catches a file cut short in the middle
  // of its encryption, and small files without a whole block to compare.
  {
    std::string_view a = after.head, b = before.head;
    size_t n = std::min(a.size(), b.size()), first = 0, last = n;
    while (first < n && a[first] == b[first]) ++first;
    while (last > first && a[last - 1] == b[last - 1]) --last;
    if (last - first >= 512) {
      std::string_view sa = a.substr(first, last - first), sb = b.substr(first, last - first);
      // A span that covers a head whole reuses its entropy. The side more likely to fail is
      // counted first: the old one when its format is compressed (seldom below 6 bits per
      // byte), the new one otherwise (an honest edit of text stays text).
      auto random_now = [&] {
        return (sa.size() == a.size() ? after_entropy() : Entropy(sa)) >= HighBar(sa.size());
      };
      auto structured_before = [&] {
        return (sb.size() == b.size() ? before_entropy() : Entropy(sb)) < 6.0;
      };
      if (IsCompressedKind(kb) ? structured_before() && random_now()
                               : random_now() && structured_before()) {
        v.destroyed = true;
        v.why = "span rewritten with random data";
        return v;
      }
    }
  }
  blocks(before.head, after.head, false);
  if (!before.tail.empty() && !after.tail.empty() && before.size == after.size)
    blocks(before.tail, after.tail, true);
  if (hot >= 1 && hot * 4 >= changed * 3) {
    v.destroyed = true;
    v.why = ka == kb && kb != Kind::kUnknown ? "header kept, blocks encrypted"
                                             : "blocks rewritten with random data";
    return v;
  }
  return v;
}

Verdict AssessNew(std::string_view name, const Sample& after) {
  Verdict v;
  Kind ka = KindOf(after.head);
  bool high = Entropy(after.head) >= HighBar(after.head.size());
  if (ka == Kind::kUnknown && high) {
    v.destroyed = true;
    v.why = "random content, no known format";
    return v;
  }
  Kind promised = KindForName(name);
  if (promised != Kind::kUnknown && promised != ka && high && ka != Kind::kEmpty &&
      !IsCompressedKind(ka)) {
    v.destroyed = true;
    v.why = "name promises a format its random content lacks";
  }
  return v;
}

}  // namespace vigie::watch
