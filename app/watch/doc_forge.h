// Small but structurally valid documents: the decoys vigie places, and the realistic document
// trees its tests and benchmark run on. Each maker writes a file with the real magic number,
// container structure and trailer of its format (ZIP-based office files with deflated XML,
// PDF with a compressed content stream and xref table, PNG with zlib-compressed rows and CRCs,
// baseline JPEG markers, SQLite with a schema page and table pages, OLE compound files, text),
// so format-aware checks see what they would see on a file server. Content derives from a seed.
#pragma once

#include <cstdint>
#include <string>

namespace vigie::watch {

std::string ForgeDocx(uint64_t seed);
std::string ForgeXlsx(uint64_t seed);
std::string ForgePdf(uint64_t seed);
std::string ForgePng(uint64_t seed);
std::string ForgeJpeg(uint64_t seed);
std::string ForgeSqlite(uint64_t seed);
std::string ForgeOle(uint64_t seed);  // .doc / .xls
std::string ForgeText(uint64_t seed, size_t approx_size);
std::string ForgeCsv(uint64_t seed);

// A document chosen by extension (docx, xlsx, pdf, png, jpg, db, doc, xls, txt, csv, md, log).
std::string ForgeByExtension(const std::string& ext, uint64_t seed);

// Writes `content` to `path` (mode 0644). False on error.
bool WriteFile(const std::string& path, const std::string& content);

}  // namespace vigie::watch
