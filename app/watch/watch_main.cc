// `vigie watch PATH... [--kill | --stop | --report-only] [options]`.
#include "watch/watch_main.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <string>

#include "watch/event_log.h"
#include "watch/monitor.h"

namespace vigie::watch {
namespace {

// "512M", "2G", "1000000": bytes.
bool ParseSize(const std::string& s, uint64_t* out) {
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || v < 0) return false;
  std::string unit(end);
  double mult = 1;
  if (unit == "K" || unit == "k" || unit == "KiB")
    mult = 1024.0;
  else if (unit == "M" || unit == "MiB")
    mult = 1024.0 * 1024;
  else if (unit == "G" || unit == "GiB")
    mult = 1024.0 * 1024 * 1024;
  else if (unit == "T" || unit == "TiB")
    mult = 1024.0 * 1024 * 1024 * 1024;
  else if (!unit.empty())
    return false;
  *out = uint64_t(v * mult);
  return true;
}

// Allow-list file: one entry per line, "exe /path/to/binary" or "sha256 <hex>"; '#' comments.
bool ReadAllowList(const std::string& path, WatchOptions* o, std::string* err) {
  std::ifstream in(path);
  if (!in) {
    *err = "cannot read allow-list " + path;
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    n++;
    size_t hash = line.find('#');
    if (hash != std::string::npos) line.resize(hash);
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    size_t sp = line.find_first_of(" \t");
    std::string kind = line.substr(0, sp);
    std::string value =
        sp == std::string::npos ? "" : line.substr(line.find_first_not_of(" \t", sp));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r'))
      value.pop_back();
    if (kind == "exe" && !value.empty() && value[0] == '/') {
      o->allow_exe.push_back(value);
    } else if (kind == "sha256" && value.size() == 64) {
      o->allow_sha256.push_back(value);
    } else {
      *err =
          path + ":" + std::to_string(n) + ": expected 'exe /absolute/path' or 'sha256 <64 hex>'";
      return false;
    }
  }
  return true;
}

}  // namespace

int WatchMain(int argc, char** argv) {
  CLI::App app{"vigie watch: stop ransomware as it starts, and restore what it touched"};
  app.name("vigie watch");
  WatchOptions o;
  bool kill = false, stop = false, report = false;
  std::string json, budget = "1G", max_copy = "512M", memory = "64M", allow_file;
  app.add_option("paths", o.roots, "Directory trees to protect")->required();
  auto* k = app.add_flag("--kill", kill, "Kill the offending process tree (default)");
  auto* s = app.add_flag("--stop", stop, "Stop (SIGSTOP) the offending process tree");
  auto* r = app.add_flag("--report-only", report, "Only report; neither stop nor restore");
  k->excludes(s)->excludes(r);
  s->excludes(r);
  app.add_option("--json", json, "Write the NDJSON event stream to FILE ('-': stdout)");
  app.add_option("--store", o.store_dir, "Store directory for copies")->capture_default_str();
  app.add_option("--store-budget", budget, "Size budget of the store (K, M, G suffixes)")
      ->capture_default_str();
  app.add_option("--max-copy", max_copy,
                 "Larger files are only protected where the file system can clone them")
      ->capture_default_str();
  app.add_option("--memory-copies", memory,
                 "Keep copies of files up to 1 MiB in memory, up to this much in all (0: none)")
      ->capture_default_str();
  app.add_option("--max-held", o.max_held, "Maximum number of read-only files held open")
      ->capture_default_str();
  app.add_option("--max-leases", o.max_leases,
                 "Read-lease up to this many existing files at start, so that reading them "
                 "costs no permission event (0: none)")
      ->capture_default_str();
  app.add_option("--lease-calm", o.lease_calm_seconds,
                 "Seconds without a suspect before suspended leases resume")
      ->capture_default_str();
  app.add_flag("-v,--verbose", o.verbose, "Log each piece of evidence as it arrives");
  app.add_flag("--decoys", o.decoys, "Place hidden decoy documents in the watched trees");
  app.add_option("--allow-exe", o.allow_exe, "Trust this executable path (repeatable)");
  app.add_option("--allow-sha256", o.allow_sha256, "Trust executables with this SHA-256");
  app.add_option("--allow-list", allow_file, "File of 'exe PATH' / 'sha256 HEX' lines");
  app.add_option("--threshold", o.threshold, "Evidence score that convicts a process group")
      ->capture_default_str();
  app.add_option("--lock-dir", o.lock_dir, "Directory of watcher registrations")
      ->capture_default_str();
  app.add_option("--confine-to", o.confine_to,
                 "Only ever signal descendants of this pid (tests, trials)");
  app.add_option("--max-seconds", o.max_seconds, "Stop after this many seconds (0: never)");
  app.add_option("--keep-benign", o.keep_benign_seconds,
                 "Seconds to keep copies for live, blameless processes")
      ->capture_default_str();
  if (const char* env = std::getenv("VIGIE_WATCH_LOCK_DIR")) o.lock_dir = env;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  o.mode = stop ? Mode::kStop : report ? Mode::kReportOnly : Mode::kKill;
  EventLog log;
  if (!ParseSize(budget, &o.store_budget)) {
    log.Line("error: bad --store-budget '" + budget + "'");
    return kExitUsage;
  }
  if (!ParseSize(max_copy, &o.max_copy)) {
    log.Line("error: bad --max-copy '" + max_copy + "'");
    return kExitUsage;
  }
  if (!ParseSize(memory, &o.memory_copies)) {
    log.Line("error: bad --memory-copies '" + memory + "'");
    return kExitUsage;
  }
  std::string err;
  if (!allow_file.empty() && !ReadAllowList(allow_file, &o, &err)) {
    log.Line("error: " + err);
    return kExitUsage;
  }
  if (!json.empty() && !log.OpenJson(json, &err)) {
    log.Line("error: " + err);
    return kExitUsage;
  }
  return RunWatch(o, log);
}

}  // namespace vigie::watch
