// A realistic document tree for the vigie watch tests and benchmark: departments, years and
// projects, holding office files, PDFs, images, databases and text in the proportions of a
// small organisation's file share. Every file is a structurally valid document (doc_forge).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace vigie::watch::testing {

// Writes `files` documents under `root` (created if needed). Returns the number written.
size_t GenerateTree(const std::string& root, size_t files, uint64_t seed);

// Content digest (SHA-256, hex) of every regular file under `root`, by path relative to it.
// Names starting with ".vigie-decoy-" and ".ransim-target" are left out.
std::map<std::string, std::string> Snapshot(const std::string& root);

struct Loss {
  size_t lost = 0;    // files of `before` missing or different
  size_t extra = 0;   // files not in `before` (ransom notes, encrypted copies left behind)
  std::string first;  // one lost path, for messages
  std::vector<std::string> paths;  // all of them
};
Loss Compare(const std::map<std::string, std::string>& before,
             const std::map<std::string, std::string>& after);

}  // namespace vigie::watch::testing
