// Document makers; see doc_forge.h. Formats follow their public specifications: PKWARE
// APPNOTE (ZIP), ISO 32000 (PDF), the PNG specification, ITU T.81 (JPEG), the SQLite file format
// page, and the Microsoft compound file binary format.
#include "watch/doc_forge.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstring>
#include <vector>

namespace vigie::watch {
namespace {

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull) {}
  uint64_t Next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  size_t Below(size_t n) { return n ? size_t(Next() % n) : 0; }
};

const char* const kWords[] = {
    "patient",  "invoice", "report",  "budget",  "meeting", "service",  "hospital", "contract",
    "analysis", "quarter", "result",  "project", "network", "schedule", "the",      "and",
    "of",       "for",     "with",    "data",    "annual",  "review",   "staff",    "order",
    "payment",  "record",  "summary", "total",   "account", "customer", "update",   "plan"};

std::string Words(Rng& r, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += (r.Below(12) == 0) ? ".\n" : " ";
    out += kWords[r.Below(sizeof kWords / sizeof *kWords)];
  }
  return out;
}

void Put16(std::string& s, uint32_t v) {
  s += char(v & 0xff);
  s += char((v >> 8) & 0xff);
}
void Put32(std::string& s, uint32_t v) {
  Put16(s, v & 0xffff);
  Put16(s, v >> 16);
}
void Put32BE(std::string& s, uint32_t v) {
  s += char(v >> 24);
  s += char((v >> 16) & 0xff);
  s += char((v >> 8) & 0xff);
  s += char(v & 0xff);
}

std::string Deflate(const std::string& in, bool raw) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, raw ? -15 : 15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

uint32_t Crc(const std::string& s) {
  return uint32_t(crc32(0, reinterpret_cast<const Bytef*>(s.data()), uInt(s.size())));
}

std::string Zip(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out, central;
  for (const auto& file : files) {
    // Plain references, not a structured binding: lambdas may not capture those before C++20's
    // clang support, and the fuzz preset builds with clang.
    const std::string& name = file.first;
    const std::string& data = file.second;
    std::string packed = Deflate(data, true);
    uint32_t offset = uint32_t(out.size()), crc = Crc(data);
    auto header = [&](std::string& s, bool central_entry) {
      Put32(s, central_entry ? 0x02014b50 : 0x04034b50);
      if (central_entry) Put16(s, 20);
      Put16(s, 20);  // version needed
      Put16(s, 0);   // flags
      Put16(s, 8);   // deflate
      Put16(s, 0);   // time
      Put16(s, 0x5a21);
      Put32(s, crc);
      Put32(s, uint32_t(packed.size()));
      Put32(s, uint32_t(data.size()));
      Put16(s, uint16_t(name.size()));
      Put16(s, 0);
      if (central_entry) {
        Put16(s, 0);
        Put16(s, 0);
        Put16(s, 0);
        Put32(s, 0);
        Put32(s, offset);
      }
      s += name;
    };
    header(out, false);
    out += packed;
    header(central, true);
  }
  uint32_t cd_offset = uint32_t(out.size());
  out += central;
  Put32(out, 0x06054b50);
  Put16(out, 0);
  Put16(out, 0);
  Put16(out, uint16_t(files.size()));
  Put16(out, uint16_t(files.size()));
  Put32(out, uint32_t(central.size()));
  Put32(out, cd_offset);
  Put16(out, 0);
  return out;
}

void PngChunk(std::string& out, const char* type, const std::string& data) {
  Put32BE(out, uint32_t(data.size()));
  std::string td = std::string(type, 4) + data;
  out += td;
  Put32BE(out, Crc(td));
}

}  // namespace

std::string ForgeDocx(uint64_t seed) {
  Rng r(seed);
  std::string body;
  size_t paras = 5 + r.Below(60);
  for (size_t i = 0; i < paras; ++i)
    body += "<w:p><w:r><w:t>" + Words(r, 20 + r.Below(80)) + "</w:t></w:r></w:p>";
  return Zip({{"[Content_Types].xml",
               "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/"
               "2006/content-types\"><Override PartName=\"/word/document.xml\" "
               "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml."
               "document.main+xml\"/></Types>"},
              {"_rels/.rels", "<?xml version=\"1.0\"?><Relationships/>"},
              {"word/document.xml",
               "<?xml version=\"1.0\"?><w:document><w:body>" + body + "</w:body></w:document>"}});
}

std::string ForgeXlsx(uint64_t seed) {
  Rng r(seed);
  std::string rows;
  size_t n = 10 + r.Below(300);
  for (size_t i = 1; i <= n; ++i)
    rows += "<row r=\"" + std::to_string(i) + "\"><c r=\"A" + std::to_string(i) + "\"><v>" +
            std::to_string(r.Below(100000)) + "</v></c><c r=\"B" + std::to_string(i) +
            "\" t=\"inlineStr\"><is><t>" + Words(r, 3) + "</t></is></c></row>";
  return Zip({{"[Content_Types].xml", "<?xml version=\"1.0\"?><Types/>"},
              {"xl/workbook.xml",
               "<?xml version=\"1.0\"?><workbook><sheets><sheet name=\"S1\" "
               "sheetId=\"1\"/></sheets></workbook>"},
              {"xl/worksheets/sheet1.xml", "<?xml version=\"1.0\"?><worksheet><sheetData>" + rows +
                                               "</sheetData></worksheet>"}});
}

std::string ForgePdf(uint64_t seed) {
  Rng r(seed);
  std::string text;
  size_t lines = 20 + r.Below(200);
  for (size_t i = 0; i < lines; ++i)
    text += "BT /F1 11 Tf 50 " + std::to_string(800 - (i % 60) * 12) + " Td (" + Words(r, 10) +
            ") Tj ET\n";
  std::string stream = Deflate(text, false);
  std::vector<std::string> objs = {
      "<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << "
      "/Font << /F1 5 0 R >> >> >>",
      "<< /Length " + std::to_string(stream.size()) + " /Filter /FlateDecode >>\nstream\n" +
          stream + "\nendstream",
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string out = "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objs.size(); ++i) {
    offsets.push_back(out.size());
    out += std::to_string(i + 1) + " 0 obj\n" + objs[i] + "\nendobj\n";
  }
  size_t xref = out.size();
  out += "xref\n0 " + std::to_string(objs.size() + 1) + "\n0000000000 65535 f \n";
  for (size_t off : offsets) {
    char buf[32];
    snprintf(buf, sizeof buf, "%010zu 00000 n \n", off);
    out += buf;
  }
  out += "trailer\n<< /Size " + std::to_string(objs.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return out;
}

std::string ForgePng(uint64_t seed) {
  Rng r(seed);
  uint32_t w = 32 + uint32_t(r.Below(200)), h = 32 + uint32_t(r.Below(200));
  std::string ihdr;
  Put32BE(ihdr, w);
  Put32BE(ihdr, h);
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB
  std::string raw;
  uint8_t base = uint8_t(r.Next());
  for (uint32_t y = 0; y < h; ++y) {
    raw += '\0';
    for (uint32_t x = 0; x < w; ++x) {
      raw += char(base + x / 4);
      raw += char(base + y / 4);
      raw += char((x * y) / 64 + (r.Below(8)));
    }
  }
  std::string out = "\x89PNG\r\n\x1a\n";
  PngChunk(out, "IHDR", ihdr);
  PngChunk(out, "IDAT", Deflate(raw, false));
  PngChunk(out, "IEND", "");
  return out;
}

std::string ForgeJpeg(uint64_t seed) {
  Rng r(seed);
  std::string out = "\xff\xd8";
  auto segment = [&](uint8_t marker, const std::string& body) {
    out += '\xff';
    out += char(marker);
    out += char(((body.size() + 2) >> 8) & 0xff);
    out += char((body.size() + 2) & 0xff);
    out += body;
  };
  segment(0xe0, std::string("JFIF\0\x01\x01\x00\x00\x01\x00\x01\x00\x00", 14));
  std::string dqt(1, '\0');
  for (int i = 0; i < 64; ++i) dqt += char(2 + i / 4);
  segment(0xdb, dqt);
  uint16_t w = uint16_t(64 + r.Below(1024)), h = uint16_t(64 + r.Below(768));
  std::string sof = {8, char(h >> 8), char(h & 0xff), char(w >> 8), char(w & 0xff), 1, 1, 0x11, 0};
  segment(0xc0, sof);
  std::string dht = {0x00};
  for (int i = 0; i < 16; ++i) dht += char(i == 1 ? 12 : 0);
  for (int i = 0; i < 12; ++i) dht += char(i);
  segment(0xc4, dht);
  segment(0xda, std::string("\x01\x01\x00\x00\x3f\x00", 6));
  // Entropy-coded data: compressed-looking bytes with 0xff stuffed, as an encoder writes them.
  size_t n = 4096 + r.Below(200000);
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = uint8_t(r.Next() >> 24);
    out += char(b);
    if (b == 0xff) out += '\0';
  }
  out += "\xff\xd9";
  return out;
}

std::string ForgeSqlite(uint64_t seed) {
  Rng r(seed);
  const uint32_t page = 4096;
  size_t data_pages = 1 + r.Below(12);
  std::string db(page * (1 + data_pages), '\0');
  // File header (100 bytes).
  memcpy(db.data(), "SQLite format 3\0", 16);
  db[16] = 0x10;  // page size 4096, big-endian
  db[17] = 0x00;
  db[18] = db[19] = 1;
  db[21] = 64;
  db[22] = 32;
  db[23] = 32;
  auto be32 = [&](size_t at, uint32_t v) {
    db[at] = char(v >> 24);
    db[at + 1] = char(v >> 16);
    db[at + 2] = char(v >> 8);
    db[at + 3] = char(v);
  };
  be32(24, 1);
  be32(28, uint32_t(1 + data_pages));
  be32(40, 1);
  be32(44, 4);
  be32(56, 1);  // UTF-8
  be32(92, 1);
  be32(96, 3040000);
  // Page 1: schema table leaf, one row "table t" with root page 2 (rows on a single leaf; the
  // other pages are leaves too, listed as free pages would be in a real file's history).
  std::string sql = "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, note TEXT)";
  std::string rec;
  // Record header: size, types: text(5) "table", text(1) "t", text(1) "t", int8 root, text sql.
  auto text_type = [](size_t n) { return uint8_t(13 + 2 * n); };
  std::string hdr = {char(6), char(text_type(5)), char(text_type(1)), char(text_type(1)), 1};
  size_t st = 13 + 2 * sql.size();
  hdr += char(0x80 | (st >> 7));
  hdr += char(st & 0x7f);
  hdr[0] = char(hdr.size());
  rec = hdr + "table" + "t" + "t" + char(2) + sql;
  std::string cell;
  cell += char(rec.size() >> 7 ? 0x80 | (rec.size() >> 7) : rec.size());
  if (rec.size() >> 7) cell += char(rec.size() & 0x7f);
  cell += char(1);  // rowid
  cell += rec;
  size_t cell_at = page - cell.size();
  memcpy(db.data() + cell_at, cell.data(), cell.size());
  db[100] = 0x0d;
  db[103] = 0;
  db[104] = 1;  // one cell
  db[105] = char(cell_at >> 8);
  db[106] = char(cell_at & 0xff);
  db[108] = char(cell_at >> 8);
  db[109] = char(cell_at & 0xff);
  // Data pages: table leaves with text rows.
  uint32_t rowid = 1;
  for (size_t p = 1; p <= data_pages; ++p) {
    size_t base = p * page, content = page;
    std::vector<uint16_t> ptrs;
    for (;;) {
      std::string name = Words(r, 2), note = Words(r, 6 + r.Below(10));
      if (name.size() > 50 || note.size() > 50) {
        name.resize(std::min<size_t>(name.size(), 50));
        note.resize(std::min<size_t>(note.size(), 50));
      }
      std::string h2 = {4, 0, char(13 + 2 * name.size()), char(13 + 2 * note.size())};
      std::string rec2 = h2 + name + note;
      std::string c = {char(rec2.size()), char(rowid & 0x7f)};
      c += rec2;
      size_t header_end = 8 + 2 * (ptrs.size() + 1);
      if (content < c.size() + header_end + 1 || rowid >= 127) break;
      content -= c.size();
      memcpy(db.data() + base + content, c.data(), c.size());
      ptrs.push_back(uint16_t(content));
      rowid++;
    }
    if (rowid >= 127) rowid = 1;
    db[base] = 0x0d;
    db[base + 3] = char(ptrs.size() >> 8);
    db[base + 4] = char(ptrs.size() & 0xff);
    db[base + 5] = char(content >> 8);
    db[base + 6] = char(content & 0xff);
    for (size_t i = 0; i < ptrs.size(); ++i) {
      db[base + 8 + 2 * i] = char(ptrs[i] >> 8);
      db[base + 9 + 2 * i] = char(ptrs[i] & 0xff);
    }
  }
  return db;
}

std::string ForgeOle(uint64_t seed) {
  Rng r(seed);
  const size_t sector = 512;
  size_t data_sectors = 8 + r.Below(64);
  std::string f(sector * (2 + data_sectors), '\0');
  memcpy(f.data(), "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
  auto le16 = [&](size_t at, uint16_t v) {
    f[at] = char(v & 0xff);
    f[at + 1] = char(v >> 8);
  };
  auto le32 = [&](size_t at, uint32_t v) {
    le16(at, uint16_t(v & 0xffff));
    le16(at + 2, uint16_t(v >> 16));
  };
  le16(0x18, 0x3e);  // minor version
  le16(0x1a, 3);     // major version 3
  le16(0x1c, 0xfffe);
  le16(0x1e, 9);  // sector shift
  le16(0x20, 6);
  le32(0x2c, 1);  // FAT sectors
  le32(0x30, 1);  // first directory sector
  le32(0x38, 4096);
  le32(0x3c, 0xfffffffe);
  le32(0x44, 0xfffffffe);
  le32(0x4c, 0);  // DIFAT[0] = sector 0 is the FAT
  for (size_t i = 1; i < 109; ++i) le32(0x4c + 4 * i, 0xffffffff);
  // Sector 0 (offset 512): FAT; sector 1: directory; then the document stream.
  size_t fat = sector;
  le32(fat, 0xfffffffd);
  le32(fat + 4, 0xfffffffe);
  for (size_t i = 0; i < data_sectors; ++i)
    le32(fat + 4 * (2 + i), i + 1 == data_sectors ? 0xfffffffe : uint32_t(3 + i));
  for (size_t i = 2 + data_sectors; i < 128; ++i) le32(fat + 4 * i, 0xffffffff);
  size_t dir = 2 * sector;
  const char16_t root[] = u"Root Entry";
  for (size_t i = 0; root[i]; ++i) le16(dir + 2 * i, root[i]);
  le16(dir + 0x40, 22);
  f[dir + 0x42] = 5;
  le32(dir + 0x4c, 1);
  le32(dir + 0x74, 0xfffffffe);
  const char16_t word[] = u"WordDocument";
  size_t e = dir + 128;
  for (size_t i = 0; word[i]; ++i) le16(e + 2 * i, word[i]);
  le16(e + 0x40, 26);
  f[e + 0x42] = 2;
  le32(e + 0x44, 0xffffffff);
  le32(e + 0x48, 0xffffffff);
  le32(e + 0x4c, 0xffffffff);
  le32(e + 0x74, 2);
  le32(e + 0x78, uint32_t(data_sectors * sector));
  // Fill the directory sector's unused entries and the stream with text.
  std::string text = Words(r, data_sectors * 90);
  size_t start = 3 * sector;
  memcpy(f.data() + start, text.data(), std::min(text.size(), f.size() - start));
  return f;
}

std::string ForgeText(uint64_t seed, size_t approx_size) {
  Rng r(seed);
  std::string out;
  while (out.size() < approx_size) out += Words(r, 50) + "\n";
  return out;
}

std::string ForgeCsv(uint64_t seed) {
  Rng r(seed);
  std::string out = "id,date,account,amount,label\n";
  size_t n = 20 + r.Below(2000);
  for (size_t i = 0; i < n; ++i)
    out += std::to_string(i) + ",2026-" + std::to_string(1 + r.Below(12)) + "-" +
           std::to_string(1 + r.Below(28)) + "," + std::to_string(r.Below(99999)) + "," +
           std::to_string(r.Below(100000)) + "." + std::to_string(r.Below(100)) + "," +
           Words(r, 2) + "\n";
  return out;
}

std::string ForgeByExtension(const std::string& ext, uint64_t seed) {
  if (ext == "docx") return ForgeDocx(seed);
  if (ext == "xlsx") return ForgeXlsx(seed);
  if (ext == "pdf") return ForgePdf(seed);
  if (ext == "png") return ForgePng(seed);
  if (ext == "jpg") return ForgeJpeg(seed);
  if (ext == "db") return ForgeSqlite(seed);
  if (ext == "doc" || ext == "xls") return ForgeOle(seed);
  if (ext == "csv") return ForgeCsv(seed);
  return ForgeText(seed, 512 + size_t(seed % 20000));
}

bool WriteFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += size_t(n);
  }
  return close(fd) == 0 && done == content.size();
}

}  // namespace vigie::watch
