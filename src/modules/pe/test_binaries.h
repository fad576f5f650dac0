// Test helper: the directory of PE files unpacked by scripts/fetch-test-binaries.sh.
//
// VIGIE_TEST_BINARIES names it when set; otherwise the script fills
// $VIGIE_BINARY_DIR/test-binaries on first use (it caches, and locks against parallel runs).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <string>

namespace vigie::pe::testing {

inline std::string test_binaries_dir() {
  if (const char* env = std::getenv("VIGIE_TEST_BINARIES"); env && *env) return env;
  std::string dir = std::string(VIGIE_BINARY_DIR) + "/test-binaries";
  static bool fetched = false;
  if (!fetched) {
    std::string cmd = std::string("bash '") + VIGIE_SOURCE_DIR +
                      "/scripts/fetch-test-binaries.sh' '" + dir + "' >/dev/null 2>&1";
    fetched = std::system(cmd.c_str()) == 0;
  }
  return dir;
}

// Path of a file from the unpacked packages, e.g. "usr/lib/shim/shimx64.efi.signed".
inline std::string test_binary(const std::string& relative) {
  return test_binaries_dir() + "/root/" + relative;
}

}  // namespace vigie::pe::testing
