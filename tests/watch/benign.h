// Honest workloads that look, to a naive detector, like ransomware: compressing logs and
// deleting the originals, backups into archives, one encrypted backup file, database writes,
// compiling, installing packages over existing files, git, image conversion.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace vigie::watch::testing {

struct Benign {
  std::string name;
  std::vector<std::string> tools;  // programs that must be installed
  // Prepares `dir` (inside the watched tree) before the watch starts.
  std::function<void(const std::string& dir)> setup;
  std::string script;  // run by /bin/sh in `dir`
};

std::vector<Benign> BenignWorkloads();
// Prepares `dir` (created if needed) for workload `b`.
void SetUpBenign(const Benign& b, const std::string& dir);
inline void PrintTo(const Benign& b, std::ostream* os) { *os << b.name; }
bool HaveTool(const std::string& name);

}  // namespace vigie::watch::testing
