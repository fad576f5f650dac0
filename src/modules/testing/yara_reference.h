// Test helpers: run the reference `yara` (Debian's /usr/bin/yara) on a rule text and a file, and
// read files, so module tests compare their values with YARA's on the same input.
#pragma once

#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vigie::mod::testing {

inline const char* kYara = "/usr/bin/yara";

// Writes `rule_text` to a temporary file, runs `yara [flags] rules file`, returns stdout.
inline std::string run_yara(const std::string& rule_text, const std::string& file,
                            const std::string& flags = "") {
  char path[] = "/tmp/vigie_mod_rule_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return "<mkstemp failed>";
  (void)!write(fd, rule_text.data(), rule_text.size());
  close(fd);
  std::string cmd = std::string(kYara) + " " + flags + " " + path + " '" + file + "' 2>/dev/null";
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    pclose(p);
  }
  unlink(path);
  return out;
}

// The module part of `yara -D` output for `import "module"` on `file`.
inline std::string yara_dump(const std::string& module, const std::string& file) {
  std::string out =
      run_yara("import \"" + module + "\" rule vigie_dump_rule { condition: false }", file, "-D");
  return out;
}

// True when `condition` is true for `file` according to yara (imports added by the caller).
inline bool yara_true(const std::string& imports_and_condition_rule, const std::string& file) {
  return run_yara(imports_and_condition_rule, file).find("vigie_rule ") != std::string::npos;
}

// "" when the texts are equal, else the first differing line of each (long dumps stay readable).
inline std::string first_difference(const std::string& ours, const std::string& theirs) {
  size_t line = 1, a = 0, b = 0;
  while (a < ours.size() || b < theirs.size()) {
    size_t ea = ours.find('\n', a), eb = theirs.find('\n', b);
    std::string la = ours.substr(a, ea == std::string::npos ? std::string::npos : ea - a);
    std::string lb = theirs.substr(b, eb == std::string::npos ? std::string::npos : eb - b);
    if (la != lb || (ea == std::string::npos) != (eb == std::string::npos)) {
      return "line " + std::to_string(line) + ": ours [" + la + "] yara [" + lb + "]";
    }
    if (ea == std::string::npos) break;
    a = ea + 1;
    b = eb + 1;
    ++line;
  }
  return "";
}

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace vigie::mod::testing
