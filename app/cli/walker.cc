#include "cli/walker.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace vigie::cli {
namespace {

struct DirId {
  dev_t dev;
  ino_t ino;
  bool operator==(const DirId&) const = default;
};

// The entries of one directory in name order, or false when it cannot be read.
bool list_directory(const std::string& path, std::vector<std::string>* names) {
  DIR* d = ::opendir(path.c_str());
  if (d == nullptr) return false;
  while (dirent* e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    names->emplace_back(n);
  }
  ::closedir(d);
  std::sort(names->begin(), names->end());
  return true;
}

// One directory being walked: its entries and how far we are.
struct Frame {
  std::string path;
  DirId id;
  std::vector<std::string> names;
  size_t next = 0;
};

}  // namespace

void walk_directory(const std::string& root, const WalkOptions& options,
                    const std::function<bool(const std::string& path, uint64_t size)>& fn) {
  struct stat st;
  if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  std::vector<Frame> stack;
  stack.push_back({root, {st.st_dev, st.st_ino}, {}, 0});
  if (!list_directory(root, &stack.back().names)) return;

  while (!stack.empty()) {
    Frame& f = stack.back();
    if (f.next == f.names.size()) {
      stack.pop_back();
      continue;
    }
    std::string path = f.path + "/" + f.names[f.next++];
    int r = options.follow_symlinks ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st);
    if (r != 0) continue;
    if (S_ISREG(st.st_mode)) {
      if (!fn(path, static_cast<uint64_t>(st.st_size))) return;
    } else if (S_ISDIR(st.st_mode) && options.recursive) {
      DirId id{st.st_dev, st.st_ino};
      bool loop =
          std::any_of(stack.begin(), stack.end(), [&](const Frame& a) { return a.id == id; });
      if (loop) continue;
      Frame child{std::move(path), id, {}, 0};
      if (!list_directory(child.path, &child.names)) continue;
      stack.push_back(std::move(child));  // invalidates `f`, which is not used again
    }
  }
}

}  // namespace vigie::cli
