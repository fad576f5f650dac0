#include "cli/yara_app.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "cli/externals.h"
#include "cli/rule_loading.h"
#include "cli/scan_pool.h"
#include "cli/target_scan.h"
#include "cli/walker.h"
#include "cli/yara_options.h"
#include "vigie/scanner.h"

namespace vigie::cli {
namespace {

struct ModuleData {
  std::string module;
  std::string bytes;
};

bool read_file(const std::string& path, std::string* bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

ReportSettings report_settings(const YaraOptions& o) {
  ReportSettings r;
  r.output.print_tags = o.print_tags;
  r.output.print_meta = o.print_meta;
  r.output.print_namespace = o.print_namespace;
  r.output.print_strings = o.print_strings;
  r.output.print_string_length = o.print_string_length;
  r.output.print_xor_key = o.print_xor_key;
  r.count = o.count;
  r.negate = o.negate;
  r.no_warnings = o.no_warnings;
  r.fail_on_warnings = o.fail_on_warnings;
  r.disable_console_logs = o.disable_console_logs;
  r.print_module_data = o.print_module_data;
  r.tags = o.tags;
  r.identifiers = o.identifiers;
  r.max_rules = o.max_rules;
  return r;
}

// The statistics vigie can give: yara's lines about its Aho-Corasick automaton have no
// counterpart here.
std::string stats_text(const Rules& rules) {
  size_t strings = 0;
  for (size_t i = 0; i < rules.rule_count(); ++i) strings += rules.rule(i).string_count;
  return "number of rules                    : " + std::to_string(rules.rule_count()) + "\n" +
         "number of strings                  : " + std::to_string(strings) + "\n";
}

class YaraRun {
 public:
  YaraRun(const YaraOptions& o, std::shared_ptr<const Rules> rules,
          std::vector<ModuleData> module_data, Console& console)
      : o_(o),
        rules_(std::move(rules)),
        module_data_(std::move(module_data)),
        settings_(report_settings(o)),
        console_(console),
        imported_(rules_->imported_modules()) {}

  // Scanners are made on demand: one for a single target, one per thread for a directory.
  Error make_scanners(size_t n) {
    while (scanners_.size() < n) {
      ScanOptions so;
      so.timeout = std::chrono::seconds(std::max<int64_t>(o_.timeout_seconds, 0));
      so.fast_mode = o_.fast_scan;
      if (o_.max_process_memory_chunk > 0)
        so.process_memory_chunk = static_cast<uint64_t>(o_.max_process_memory_chunk);
      auto s = std::make_unique<Scanner>(rules_, so);
      for (const ModuleData& m : module_data_) {
        // yara ignores data for a module the rules do not import.
        if (std::find(imported_.begin(), imported_.end(), m.module) == imported_.end()) continue;
        Error e = s->set_module_data(
            m.module, {reinterpret_cast<const uint8_t*>(m.bytes.data()), m.bytes.size()});
        if (e) return e;
      }
      if (o_.compiled_rules) {
        for (const std::string& arg : o_.defines) {
          std::optional<Define> d = parse_define(arg);
          if (!d) continue;  // reported once by the caller
          if (Error e = s->set_external(d->name, d->value)) return e;
        }
      }
      scanners_.push_back(std::move(s));
    }
    return {};
  }

  size_t thread_count() const {
    if (o_.threads > 0) return static_cast<size_t>(o_.threads);
    return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, kMaxThreads);
  }

  // Files are scanned on the pool's threads when there are several, else right away.
  class Dispatch {
   public:
    explicit Dispatch(YaraRun& run) : run_(run) {
      size_t n = run.thread_count();
      if (n > 1) {
        pool_ = std::make_unique<ScanPool>(
            n, [&run](size_t worker, const std::string& path) { run.scan_one(worker, path); });
      }
    }
    void file(const std::string& path) {
      if (pool_) {
        pool_->submit(path);
      } else {
        run_.scan_one(0, path);
      }
    }
    void finish() {
      if (pool_) pool_->finish();
    }

   private:
    YaraRun& run_;
    std::unique_ptr<ScanPool> pool_;
  };

  void walk(const std::string& dir, Dispatch& dispatch) {
    WalkOptions w;
    w.recursive = o_.recursive;
    w.follow_symlinks = !o_.no_follow_symlinks;
    walk_directory(dir, w, [&](const std::string& path, uint64_t size) {
      // yara skips a file whose size reaches -z, and says so.
      if (o_.skip_larger > 0 && size >= static_cast<uint64_t>(o_.skip_larger)) {
        console_.err("skipping " + path + " (" + std::to_string(size) +
                     " bytes) because it's larger than " + std::to_string(o_.skip_larger) +
                     " bytes.\n");
      } else {
        dispatch.file(path);
      }
      return true;
    });
  }

  void scan_one(size_t worker, const std::string& path) {
    TargetOutput t = scan_file_target(*scanners_[worker], settings_, path, CountStyle::kNamed);
    console_.write(t.out, t.err);
  }

  int scan_directory(const std::string& dir) {
    if (Error e = make_scanners(thread_count())) return fail_setup(e);
    Dispatch dispatch(*this);
    walk(dir, dispatch);
    dispatch.finish();
    return 0;
  }

  // Every line of the list names a file or a directory; an empty line is a file named "", as
  // in yara.
  int scan_list(const std::string& list) {
    struct stat st;
    if (::stat(list.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      console_.err("error: cannot use a directory as scan list.\n");
      return 1;
    }
    std::ifstream in(list);
    if (!in) {
      console_.err("error: could not open file \"" + list + "\".\n");
      return 1;
    }
    if (Error e = make_scanners(thread_count())) return fail_setup(e);
    Dispatch dispatch(*this);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (::stat(line.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        walk(line, dispatch);
      } else {
        dispatch.file(line);
      }
    }
    dispatch.finish();
    return 0;
  }

  int scan_target() {
    const std::string& target = o_.target;
    if (o_.scan_list) return scan_list(target);
    struct stat st;
    bool exists = ::stat(target.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) return scan_directory(target);
    if (Error e = make_scanners(1)) return fail_setup(e);
    TargetOutput t;
    if (!exists && is_integer_text(target)) {
      t = scan_process_target(*scanners_[0], settings_,
                              static_cast<pid_t>(std::strtol(target.c_str(), nullptr, 10)), target);
    } else {
      t = scan_file_target(*scanners_[0], settings_, target, CountStyle::kPlain);
    }
    console_.write(t.out, t.err);
    return t.failed ? 1 : 0;
  }

 private:
  // A scanner could not be set up (-x data or -d value refused): exit code 1.
  int fail_setup(const Error& e) {
    console_.err("error: " + e.message + "\n");
    return 1;
  }

  const YaraOptions& o_;
  std::shared_ptr<const Rules> rules_;
  std::vector<ModuleData> module_data_;
  ReportSettings settings_;
  Console& console_;
  std::vector<std::string> imported_;  // declared after rules_, which it is read from
  std::vector<std::unique_ptr<Scanner>> scanners_;
};

}  // namespace

int run_yara(const std::vector<std::string>& args, Console& console) {
  Command<YaraOptions> cmd = parse_yara_command(args);
  if (!cmd.run) {
    console.write(cmd.out, cmd.err);
    return cmd.exit_code;
  }
  const YaraOptions& o = cmd.options;

  std::shared_ptr<const Rules> rules;
  if (o.compiled_rules) {
    for (const std::string& arg : o.defines)
      if (!parse_define(arg)) console.err("error: wrong syntax for `-d` option.\n");
    rules = load_compiled_rules(o.rule_files[0], console);
  } else {
    SourceSettings s;
    s.rule_files = o.rule_files;
    s.defines = o.defines;
    s.compiler.max_strings_per_rule =
        static_cast<uint32_t>(std::clamp<int64_t>(o.max_strings_per_rule, 0, UINT32_MAX));
    s.compiler.strict_escape = o.strict_escape;
    s.compiler.warnings_as_errors = o.fail_on_warnings;
    s.no_warnings = o.no_warnings;
    rules = compile_rule_files(s, console);
  }
  if (!rules) return 1;

  std::vector<ModuleData> module_data;
  for (const std::string& arg : o.module_data) {
    size_t eq = arg.find('=');
    if (eq == std::string::npos) {
      console.err("error: wrong syntax for `-x` option.\n");
      return 1;
    }
    ModuleData m{arg.substr(0, eq), {}};
    std::string file = arg.substr(eq + 1);
    if (!read_file(file, &m.bytes)) {
      console.err("error: could not open file \"" + file + "\".\n");
      return 1;
    }
    module_data.push_back(std::move(m));
  }

  if (o.print_stats) console.out(stats_text(*rules));

  YaraRun run(o, std::move(rules), std::move(module_data), console);
  return run.scan_target();
}

}  // namespace vigie::cli
