// Tree generation and snapshots; see treegen.h.
#include "treegen.h"

#include <dirent.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <vector>

#include "watch/doc_forge.h"

namespace vigie::watch::testing {
namespace {

std::string Sha256(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "unreadable";
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) EVP_DigestUpdate(ctx, buf, size_t(n));
  close(fd);
  unsigned char md[32];
  unsigned len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    char b[3];
    snprintf(b, sizeof b, "%02x", md[i]);
    hex += b;
  }
  return hex;
}

}  // namespace

size_t GenerateTree(const std::string& root, size_t files, uint64_t seed) {
  static const char* const kDepts[] = {"finance",   "medical-records", "hr",        "it",
                                       "direction", "pharmacy",        "radiology", "admissions"};
  static const char* const kYears[] = {"2023", "2024", "2025", "2026"};
  static const char* const kProjects[] = {"reports", "contracts", "scans", "exports", "archive"};
  // Extension mix (out of 100).
  static const std::pair<const char*, int> kMix[] = {
      {"docx", 18}, {"xlsx", 12}, {"pdf", 18}, {"jpg", 10}, {"png", 6}, {"db", 5},
      {"doc", 4},   {"xls", 3},   {"txt", 9},  {"csv", 7},  {"md", 4},  {"log", 4}};
  uint64_t s = seed * 6364136223846793005ull + 1442695040888963407ull;
  auto next = [&]() {
    s ^= s >> 33;
    s *= 0xff51afd7ed558ccdull;
    s ^= s >> 33;
    return s;
  };
  size_t written = 0;
  for (size_t i = 0; i < files; ++i) {
    std::string dir = root + "/" + kDepts[next() % 8] + "/" + kYears[next() % 4];
    if (next() % 3) dir += std::string("/") + kProjects[next() % 5];
    std::filesystem::create_directories(dir);
    int pick = int(next() % 100);
    const char* ext = "txt";
    for (const auto& [e, w] : kMix) {
      if (pick < w) {
        ext = e;
        break;
      }
      pick -= w;
    }
    std::string path = dir + "/doc-" + std::to_string(i) + "." + ext;
    if (WriteFile(path, ForgeByExtension(ext, seed * 1000003 + i))) written++;
  }
  return written;
}

std::map<std::string, std::string> Snapshot(const std::string& root) {
  std::map<std::string, std::string> out;
  std::vector<std::string> stack{root};
  while (!stack.empty()) {
    std::string d = stack.back();
    stack.pop_back();
    DIR* dir = opendir(d.c_str());
    if (!dir) continue;
    while (dirent* e = readdir(dir)) {
      std::string n = e->d_name;
      if (n == "." || n == ".." || n == ".ransim-target" || n.rfind(".vigie-decoy-", 0) == 0)
        continue;
      std::string p = d + "/" + n;
      struct stat st;
      if (lstat(p.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode))
        stack.push_back(p);
      else if (S_ISREG(st.st_mode))
        out[p.substr(root.size() + 1)] = Sha256(p);
    }
    closedir(dir);
  }
  return out;
}

Loss Compare(const std::map<std::string, std::string>& before,
             const std::map<std::string, std::string>& after) {
  Loss l;
  for (const auto& [p, h] : before) {
    auto it = after.find(p);
    if (it == after.end() || it->second != h) {
      if (l.lost++ == 0) l.first = p;
      l.paths.push_back(p);
    }
  }
  for (const auto& [p, h] : after)
    if (!before.count(p)) l.extra++;
  return l;
}

}  // namespace vigie::watch::testing
