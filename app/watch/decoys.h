// Decoy files: documents no person or honest program has a reason to modify. vigie places one
// in each watched root and in the directories just below (at most a fixed number), named
// `.vigie-decoy-*` so they are hidden from directory listings and easy to exclude from backups
// (reading a decoy is harmless: backups may copy them; only writing, renaming or deleting one
// counts). They are removed when vigie stops.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace vigie::watch {

inline constexpr const char* kDecoyPrefix = ".vigie-decoy-";

std::set<std::string> PlaceDecoys(const std::vector<std::string>& roots, size_t max);
void RemoveDecoys(const std::set<std::string>& decoys);

}  // namespace vigie::watch
