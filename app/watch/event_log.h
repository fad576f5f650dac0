// Where vigie watch reports: human lines on stderr (the journal, under systemd) and, with
// --json, one JSON object per line (NDJSON) with a wall-clock timestamp in seconds, flushed at
// once so a supervisor can react to it.
#pragma once

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace vigie::watch {

class EventLog {
 public:
  EventLog() = default;
  ~EventLog();
  // `path` "-" is standard output. Appends to an existing file.
  bool OpenJson(const std::string& path, std::string* err);
  void Line(const std::string& msg);
  void Json(nlohmann::json j);
  bool json_enabled() const { return json_ != nullptr; }

 private:
  std::mutex mu_;
  FILE* json_ = nullptr;
  bool owned_ = false;
};

double WallSeconds();

}  // namespace vigie::watch
