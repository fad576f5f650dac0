// Logging sinks; see event_log.h. Both are shared by the monitor and the restore thread.
#include "watch/event_log.h"

#include <time.h>

#include <cerrno>
#include <cstring>

namespace vigie::watch {

double WallSeconds() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

EventLog::~EventLog() {
  if (json_ && owned_) fclose(json_);
}

bool EventLog::OpenJson(const std::string& path, std::string* err) {
  if (path == "-") {
    json_ = stdout;
    return true;
  }
  json_ = fopen(path.c_str(), "ae");
  if (!json_) {
    *err = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  owned_ = true;
  return true;
}

void EventLog::Line(const std::string& msg) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string line = "vigie watch: " + msg + "\n";
  fwrite(line.data(), 1, line.size(), stderr);
  fflush(stderr);
}

void EventLog::Json(nlohmann::json j) {
  if (!json_) return;
  j["time"] = WallSeconds();
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  std::lock_guard<std::mutex> lock(mu_);
  fwrite(line.data(), 1, line.size(), json_);
  fflush(json_);
}

}  // namespace vigie::watch
