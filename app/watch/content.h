// Content assessment for vigie watch: what a file's bytes say about whether a write destroyed it.
//
// Ransomware leaves a recognisable trace in the bytes it writes: content that had structure (a
// known magic number, a format trailer, text with low entropy) becomes uniformly random
// (entropy close to 8 bits per byte), either in full, in some blocks only (intermittent
// encryption), or behind an intact header (header-preserving encryption). Compressors and
// archivers also write high-entropy bytes, but behind the magic number of their format, so a
// high-entropy file is only suspicious when no known format claims it.
//
// A Sample holds the first kHeadBytes and the last kTailBytes of a file (all of it when small).
// Compare() looks at a before/after pair; AssessNew() at a new file alone. Both are pure
// functions over bounded buffers, so they are unit-tested without fanotify.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigie::watch {

inline constexpr uint64_t kHeadBytes = 256 * 1024;
inline constexpr uint64_t kTailBytes = 64 * 1024;
inline constexpr size_t kBlock = 4096;

// Formats recognised by their leading bytes.
enum class Kind {
  kUnknown,
  kEmpty,
  kText,  // no magic, but printable bytes: structure of its own
  kPdf,
  kZip,  // also docx/xlsx/odt/jar
  kOle,  // doc/xls/msi
  kPng,
  kJpeg,
  kGif,
  kBmp,
  kTiff,
  kWebp,
  kSqlite,
  kElf,
  kTar,
  kGzip,
  kBzip2,
  kXz,
  kZstd,
  k7z,
  kZlib,
  kGitPack,
  kOpensslEnc,
  kGpg,
  kArFile,  // .deb, static libraries
};

struct Sample {
  uint64_t size = 0;
  std::string head;  // bytes [0, min(size, kHeadBytes))
  std::string tail;  // the last min(size, kTailBytes) bytes when size > kHeadBytes, else empty
};

// Reads a Sample through `fd` with pread (the file offset is left alone). Returns false on a
// read error; a short file is not an error. With `head_cap` below kHeadBytes, only the first
// `head_cap` bytes are read and no tail: a probe, enough for KindOf. `size`, when the caller
// knows it (fstat), saves looking it up.
bool ReadSample(int fd, Sample* out, uint64_t head_cap = kHeadBytes, int64_t size = -1);
// The Sample of bytes held in memory (what ReadSample reads from a file of that content).
Sample SampleOfBytes(std::string_view bytes);
// The same into `out`, whose buffers are reused (a judge's scratch samples keep their capacity).
void SampleOfBytes(std::string_view bytes, Sample* out);
// Reads up to `len` bytes at `off`, retrying short reads; stops at the end of the file or at an
// error (then `*error`, when given, is set). Returns the bytes read.
size_t PreadAll(int fd, char* buf, size_t len, off_t off, bool* error = nullptr);
// Writes all `len` bytes at the current offset, retrying short writes. False on an error (a
// write of nothing sets errno to ENOSPC).
bool WriteAll(int fd, const char* buf, size_t len);
inline constexpr uint64_t kProbeBytes = 4096;

double Entropy(std::string_view bytes);
Kind KindOf(std::string_view head);
const char* KindName(Kind k);
// Formats whose content is legitimately high-entropy (compressed or encrypted by design).
bool IsCompressedKind(Kind k);
// Kinds a new file is judged by alone, from its first bytes: outputs of compressors, archivers,
// encryption tools and linkers (a format of their own, not a copy of a document), and empty files.
bool IsOutputKind(Kind k);
// Kind that a file name's extension promises (kUnknown when the extension says nothing).
Kind KindForName(std::string_view name);
// False when a format with a mandatory trailer (PDF, ZIP, PNG, JPEG, GIF) lacks it.
bool TrailerIntact(Kind k, const Sample& s);

struct Verdict {
  bool destroyed = false;  // the write looks like encryption of the previous content
  const char* why = "";    // short reason, for the log
};

// An existing file rewritten in place: `before` is the preserved copy, `after` the new content.
Verdict Compare(const Sample& before, const Sample& after);
// A file without a preserved previous state (new file, or its copy is missing): suspicious when
// it is high-entropy and no format claims it, or when its name promises a format its bytes lack.
Verdict AssessNew(std::string_view name, const Sample& after);

}  // namespace vigie::watch
