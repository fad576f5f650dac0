// Test helper: a `yara -D` dump as a map from field path to printed value.
//
// "pe.sections[0].name" -> "\".text\"". Paths are built from the tab indentation: a line
// "name" or "[i]" opens a level, "name = value" or "[i] = value" is a leaf. Comparing maps
// rather than text makes the comparison independent of field order.
#pragma once

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace vigie::pe::testing {

inline std::map<std::string, std::string> dump_map(const std::string& dump) {
  std::map<std::string, std::string> out;
  std::vector<std::string> stack;
  std::istringstream in(dump);
  std::string line;
  while (std::getline(in, line)) {
    size_t depth = 0;
    while (depth < line.size() && line[depth] == '\t') ++depth;
    std::string body = line.substr(depth);
    if (body.empty()) continue;
    // A line without indentation that is not the module name (e.g. "rule file") ends the dump.
    if (depth == 0 && !stack.empty()) break;
    stack.resize(depth);
    std::string name = body, value;
    size_t eq = body.find(" = ");
    bool leaf = eq != std::string::npos;
    if (leaf) {
      name = body.substr(0, eq);
      value = body.substr(eq + 3);
    }
    std::string path;
    for (const std::string& s : stack) path += (s[0] == '[' || path.empty() ? "" : ".") + s;
    path += (name[0] == '[' || path.empty() ? "" : ".") + name;
    if (leaf) {
      out[path] = value;
    } else {
      stack.push_back(name);
    }
  }
  return out;
}

}  // namespace vigie::pe::testing
