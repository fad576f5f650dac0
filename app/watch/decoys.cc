// Decoy placement; see decoys.h. Breadth first from each root, so the shallow directories a
// ransomware walk reaches first get one.
#include "watch/decoys.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <deque>

#include "watch/doc_forge.h"

namespace vigie::watch {

std::set<std::string> PlaceDecoys(const std::vector<std::string>& roots, size_t max) {
  static const char* const kNames[] = {"accounts.xlsx", "contracts.docx", "scan-0001.pdf"};
  std::set<std::string> out;
  std::deque<std::pair<std::string, int>> todo;
  for (const std::string& r : roots) todo.emplace_back(r, 0);
  size_t n = 0;
  while (!todo.empty() && out.size() < max) {
    auto [dir, depth] = todo.front();
    todo.pop_front();
    const char* name = kNames[n % 3];
    std::string path = dir + "/" + kDecoyPrefix + name;
    std::string ext = strrchr(name, '.') + 1;
    if (WriteFile(path, ForgeByExtension(ext, 0xdec0 + n))) out.insert(path);
    n++;
    if (depth >= 1) continue;
    if (DIR* d = opendir(dir.c_str())) {
      while (dirent* e = readdir(d)) {
        if (e->d_name[0] == '.' || e->d_type != DT_DIR) continue;
        todo.emplace_back(dir + "/" + e->d_name, depth + 1);
      }
      closedir(d);
    }
  }
  return out;
}

void RemoveDecoys(const std::set<std::string>& decoys) {
  for (const std::string& p : decoys) unlink(p.c_str());
}

}  // namespace vigie::watch
