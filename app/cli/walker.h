// The directory walk of vigie-yara: which files of a directory are scanned, under which names.
//
// Like yara, a file's name is the directory argument, a '/', and the entry's name (so `dir/`
// gives `dir//file`); only regular files are scanned (through a symlink unless -N), other
// entries (devices, fifos, sockets, dangling links) are skipped silently; -r descends into
// subdirectories, following symlinks to directories unless -N. Unlike yara, a directory that
// is already being walked higher up the same path (a symlink loop) is not entered again, and
// entries are visited in name order so that a one-thread scan prints in a stable order.
//
// The walk uses an explicit stack, not recursion: the depth of a tree is not ours to bound.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace vigie::cli {

struct WalkOptions {
  bool recursive = false;
  bool follow_symlinks = true;
};

// Calls `fn(path, size)` for every regular file, in walk order; `fn` returns false to stop the
// walk. Directories that cannot be opened are skipped (yara says nothing about them either).
void walk_directory(const std::string& root, const WalkOptions& options,
                    const std::function<bool(const std::string& path, uint64_t size)>& fn);

}  // namespace vigie::cli
