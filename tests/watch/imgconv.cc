// vigie-imgconv: an image conversion workload for the vigie watch benign tests. For each PNG
// given (8-bit RGB, as the tree generator writes them), it writes a BMP beside it and
// rewrites the PNG in place with the strongest compression, as an optimiser would.
#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

namespace {

uint32_t Be32(const std::string& s, size_t at) {
  return uint32_t(uint8_t(s[at])) << 24 | uint32_t(uint8_t(s[at + 1])) << 16 |
         uint32_t(uint8_t(s[at + 2])) << 8 | uint32_t(uint8_t(s[at + 3]));
}

void PutBe32(std::string& s, uint32_t v) {
  for (int i = 3; i >= 0; --i) s += char((v >> (8 * i)) & 0xff);
}
void PutLe(std::string& s, uint32_t v, int n) {
  for (int i = 0; i < n; ++i) s += char((v >> (8 * i)) & 0xff);
}

bool Convert(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string png = ss.str();
  if (png.size() < 33 || png.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return false;
  uint32_t w = Be32(png, 16), h = Be32(png, 20);
  if (w == 0 || h == 0 || w > 10000 || h > 10000 || png[24] != 8 || png[25] != 2) return false;
  std::string idat;
  for (size_t p = 8; p + 12 <= png.size();) {
    uint32_t len = Be32(png, p);
    if (p + 12 + len > png.size()) return false;
    if (png.compare(p + 4, 4, "IDAT") == 0) idat += png.substr(p + 8, len);
    p += 12 + len;
  }
  std::string raw(size_t(h) * (1 + 3 * size_t(w)), '\0');
  uLongf raw_len = raw.size();
  if (uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len,
                 reinterpret_cast<const Bytef*>(idat.data()), idat.size()) != Z_OK)
    return false;
  // BMP, bottom-up rows padded to 4 bytes, BGR.
  size_t row = (3 * size_t(w) + 3) & ~size_t(3);
  std::string bmp = "BM";
  PutLe(bmp, uint32_t(54 + row * h), 4);
  PutLe(bmp, 0, 4);
  PutLe(bmp, 54, 4);
  PutLe(bmp, 40, 4);
  PutLe(bmp, w, 4);
  PutLe(bmp, h, 4);
  PutLe(bmp, 1, 2);
  PutLe(bmp, 24, 2);
  PutLe(bmp, 0, 4);
  PutLe(bmp, uint32_t(row * h), 4);
  PutLe(bmp, 2835, 4);
  PutLe(bmp, 2835, 4);
  PutLe(bmp, 0, 4);
  PutLe(bmp, 0, 4);
  for (uint32_t y = h; y-- > 0;) {
    const char* src = raw.data() + size_t(y) * (1 + 3 * size_t(w)) + 1;
    std::string line;
    for (uint32_t x = 0; x < w; ++x) {
      line += src[3 * x + 2];
      line += src[3 * x + 1];
      line += src[3 * x];
    }
    line.resize(row, '\0');
    bmp += line;
  }
  std::string bmp_path = path.substr(0, path.size() - 4) + ".bmp";
  std::ofstream(bmp_path, std::ios::binary) << bmp;
  // The PNG again, recompressed at level 9, written in place.
  std::string packed(compressBound(raw.size()), '\0');
  uLongf packed_len = packed.size();
  compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len,
            reinterpret_cast<const Bytef*>(raw.data()), raw.size(), 9);
  packed.resize(packed_len);
  std::string out = png.substr(0, 33);  // signature and IHDR chunk
  auto chunk = [&](const char* type, const std::string& data) {
    PutBe32(out, uint32_t(data.size()));
    std::string td = std::string(type, 4) + data;
    out += td;
    PutBe32(out, uint32_t(crc32(0, reinterpret_cast<const Bytef*>(td.data()), td.size())));
  };
  chunk("IDAT", packed);
  chunk("IEND", "");
  std::ofstream(path, std::ios::binary | std::ios::trunc) << out;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  int failed = 0;
  for (int i = 1; i < argc; ++i)
    if (!Convert(argv[i])) {
      fprintf(stderr, "vigie-imgconv: cannot convert %s\n", argv[i]);
      failed++;
    }
  return failed ? 1 : 0;
}
