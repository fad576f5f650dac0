// The Scanner of the public API: one pass of the pattern engine, then conditions, then callbacks.
//
//   bytes ──► PatternSet::scan (prefilter + verification) ──► MatchTable
//         ──► rules to evaluate: those with a matching string, plus those whose condition can be
//             true without any (compiler's needs_match) ──► Evaluator ──► global rules applied
//         ──► callbacks in declaration order
//
// Everything per scan lives in Scanner::Impl and is reused by the next scan: the pattern
// scratch, the match table, the evaluator's state and the buffers used for reporting. Errors come
// back as values; nothing here throws on hostile input.
#include "vigie/scanner.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "compiler/compiled_rules.h"
#include "modules/module.h"
#include "scan/eval.h"
#include "scan/process_memory.h"
#include "util/mapped_file.h"

namespace vigie {

struct Scanner::Impl {
  explicit Impl(std::shared_ptr<const Rules> rules_in, ScanOptions opts)
      : rules(std::move(rules_in)),
        r(rules->impl()),
        options(opts),
        scratch(*r.pattern_set),
        evaluator(r) {
    for (const CompiledExternal& e : r.externals) externals.push_back(e.value);
    module_data.resize(r.modules.size());
    candidate.assign(r.rules.size(), 0);
    failed_global.assign(r.namespaces.size(), 0);
  }

  std::shared_ptr<const Rules> rules;
  const Rules::Impl& r;
  ScanOptions options;
  re::PatternScratch scratch;
  re::MatchTable table;
  scan::Evaluator evaluator;
  std::vector<ExternalValue> externals;
  std::vector<std::vector<uint8_t>> module_data;
  std::vector<uint8_t> file_buffer;
  std::vector<uint8_t> candidate;    // per rule: in `candidates`
  std::vector<uint32_t> candidates;  // rules to evaluate in this scan
  std::vector<uint8_t> failed_global;
  std::vector<StringMatch> match_buffer;
  std::vector<StringResult> string_buffer;
  // Process scans: reads match data back from the process (data is then empty).
  std::function<bool(uint64_t offset, void* out, size_t n)> fetch;
  std::vector<uint8_t> fetched;

  static void log_to_callback(void* ctx, std::string_view message) {
    static_cast<ScanCallback*>(ctx)->on_console_log(message);
  }

  std::chrono::steady_clock::time_point deadline() const {
    if (options.timeout.count() <= 0) return std::chrono::steady_clock::time_point::max();
    return std::chrono::steady_clock::now() + options.timeout;
  }

  re::ScanLimits limits(std::chrono::steady_clock::time_point dl) const {
    re::ScanLimits l;
    l.max_matches_per_pattern = options.max_matches_per_string;
    l.fast_mode = options.fast_mode;
    l.fast_patterns = r.fast_patterns.data();
    l.deadline = dl;
    return l;
  }

  Error timeout() const {
    return {ErrorCode::kTimeout,
            "scan timed out after " + std::to_string(options.timeout.count()) + " ms"};
  }

  // Evaluates the conditions once the match table is complete and reports through callback.
  // data: the bytes (buffer or file) that match data and modules come from.
  Error evaluate_and_report(const scan::ScanFacts& facts, std::span<const uint8_t> data,
                            ScanCallback& callback) {
    // Strings used only as `$a at N` keep their match at N alone.
    for (uint32_t p : table.hits()) {
      int64_t at = r.patterns[p].fixed_offset;
      if (at < 0) continue;
      auto& list = table.list(p);
      std::erase_if(list,
                    [at](const re::Match& m) { return m.offset != static_cast<uint64_t>(at); });
    }
    for (uint32_t p : table.hits()) {
      if (table.overflowed(p)) {
        const CompiledRule& rule = r.rules[r.patterns[p].rule];
        ScanWarning w{ScanWarning::Kind::kTooManyMatches, rule.identifier, r.namespaces[rule.ns],
                      r.patterns[p].identifier,
                      "string \"" + r.patterns[p].identifier + "\" in rule \"" + rule.identifier +
                          "\" has too many matches; the first " +
                          std::to_string(options.max_matches_per_string) + " are kept"};
        callback.on_warning(w);
      }
    }
    evaluator.reset(facts);
    // Rules to evaluate, in declaration order: those with a matching string and those that may
    // be true without one. The work follows the hits, not the size of the rule set.
    candidates.clear();
    auto add = [&](uint32_t k) {
      if (!candidate[k]) {
        candidate[k] = 1;
        candidates.push_back(k);
      }
    };
    for (uint32_t rule : r.unconditional_rules) add(rule);
    for (uint32_t p : table.hits()) add(r.patterns[p].rule);
    std::sort(candidates.begin(), candidates.end());
    std::fill(failed_global.begin(), failed_global.end(), 0);
    bool timed_out = false;
    for (uint32_t k : candidates) {
      bool v = evaluator.eval_rule(k);
      if (evaluator.timed_out()) {
        timed_out = true;
        break;
      }
      if (r.rules[k].is_global && !v) failed_global[r.rules[k].ns] = 1;
    }
    for (uint32_t g : r.global_rules)
      if (!candidate[g]) failed_global[r.rules[g].ns] = 1;  // needs a match it did not get
    for (uint32_t k : candidates) candidate[k] = 0;
    if (timed_out) return timeout();
    if (options.report_module_data) {
      for (uint32_t m = 0; m < r.modules.size(); ++m) {
        const mod::Node* root = evaluator.module_root(m);
        if (root) callback.on_module_data(r.modules[m], mod::dump_yara_format(r.modules[m], *root));
      }
    }
    auto report = [&](uint32_t k) {
      const CompiledRule& rule = r.rules[k];
      bool matched = evaluator.rule_result(k) && !failed_global[rule.ns];
      if (rule.is_private || (!matched && !options.report_non_matching)) return true;
      MatchedRule m = describe(k, data);
      CallbackAction a = matched ? callback.on_rule_matching(m) : callback.on_rule_not_matching(m);
      return a != CallbackAction::kAbort;
    };
    if (options.report_non_matching) {
      for (uint32_t k = 0; k < r.rules.size(); ++k)
        if (!report(k)) break;
    } else {
      for (uint32_t k : candidates)
        if (!report(k)) break;
    }
    return {};
  }

  MatchedRule describe(uint32_t k, std::span<const uint8_t> data) {
    const CompiledRule& rule = r.rules[k];
    size_t total = 0;
    for (uint32_t p = rule.first_pattern; p < rule.first_pattern + rule.pattern_count; ++p)
      total += table.matches(p).size();
    match_buffer.clear();
    match_buffer.reserve(total);  // no reallocation below: the spans stay valid
    string_buffer.clear();
    fetched.clear();
    if (fetch) fetched.reserve(total * options.max_match_data);
    for (uint32_t p = rule.first_pattern; p < rule.first_pattern + rule.pattern_count; ++p) {
      size_t first = match_buffer.size();
      for (const re::Match& x : table.matches(p)) {
        StringMatch sm;
        sm.offset = x.offset;
        sm.length = x.length;
        sm.xor_key = x.xor_key;
        if (x.offset < data.size()) {
          size_t n = std::min<uint64_t>({x.length, options.max_match_data, data.size() - x.offset});
          sm.data = data.subspan(x.offset, n);
        } else if (fetch) {
          size_t n = std::min<uint64_t>(x.length, options.max_match_data);
          size_t at = fetched.size();
          fetched.resize(at + n);
          if (fetch(x.offset, fetched.data() + at, n))
            sm.data = {fetched.data() + at, n};
          else
            fetched.resize(at);
        }
        match_buffer.push_back(sm);
      }
      StringResult s;
      s.identifier = r.patterns[p].identifier;
      s.is_private = r.patterns[p].is_private;
      s.is_hex = r.patterns[p].is_hex;
      s.is_xor = r.patterns[p].is_xor;
      s.matches =
          std::span<const StringMatch>(match_buffer.data() + first, match_buffer.size() - first);
      string_buffer.push_back(s);
    }
    MatchedRule m;
    m.identifier = rule.identifier;
    m.ns = r.namespaces[rule.ns];
    m.tags = rule.tags;
    m.metas = rule.metas;
    m.strings = string_buffer;
    m.is_private = rule.is_private;
    m.is_global = rule.is_global;
    return m;
  }

  Error scan_bytes(std::span<const uint8_t> data, ScanCallback& callback) {
    auto dl = deadline();
    table.reset(r.patterns.size());
    re::ScanOutcome out = r.pattern_set->scan(scratch, data, 0, limits(dl), table);
    if (out == re::ScanOutcome::kTimeout) return timeout();
    if (out == re::ScanOutcome::kError) return {ErrorCode::kInternal, "the pattern engine failed"};
    scan::ScanFacts facts = common_facts(callback, dl);
    facts.data = data;
    facts.module_input = data;
    return evaluate_and_report(facts, data, callback);
  }

  // What every scan gives the evaluator, whatever it scans.
  scan::ScanFacts common_facts(ScanCallback& callback, std::chrono::steady_clock::time_point dl) {
    scan::ScanFacts facts;
    facts.matches = &table;
    facts.externals = &externals;
    facts.module_data = &module_data;
    facts.log = &log_to_callback;
    facts.log_ctx = &callback;
    facts.deadline = dl;
    return facts;
  }
};

Scanner::Scanner(std::shared_ptr<const Rules> rules, ScanOptions options)
    : impl_(std::make_unique<Impl>(std::move(rules), options)) {}

Scanner::~Scanner() = default;

ScanOptions& Scanner::options() { return impl_->options; }

Error Scanner::set_external(std::string_view name, const ExternalValue& value) {
  const auto& ext = impl_->r.externals;
  for (size_t k = 0; k < ext.size(); ++k) {
    if (ext[k].name != name) continue;
    const ExternalValue& cur = ext[k].value;
    if (cur.index() == value.index()) {
      impl_->externals[k] = value;
    } else if (std::holds_alternative<double>(cur) && std::holds_alternative<int64_t>(value)) {
      impl_->externals[k] = static_cast<double>(std::get<int64_t>(value));
    } else {
      return {ErrorCode::kInvalidArgument,
              "external variable \"" + std::string(name) + "\" has another type"};
    }
    return {};
  }
  return {ErrorCode::kInvalidArgument,
          "external variable \"" + std::string(name) + "\" is not defined in the rules"};
}

Error Scanner::set_module_data(std::string_view module, std::span<const uint8_t> data) {
  const auto& mods = impl_->r.modules;
  for (size_t k = 0; k < mods.size(); ++k) {
    if (mods[k] == module) {
      impl_->module_data[k].assign(data.begin(), data.end());
      return {};
    }
  }
  return {ErrorCode::kInvalidArgument,
          "module \"" + std::string(module) + "\" is not imported by the rules"};
}

Error Scanner::scan_buffer(std::span<const uint8_t> data, ScanCallback& callback) {
  return impl_->scan_bytes(data, callback);
}

Error Scanner::scan_fd(int fd, ScanCallback& callback) {
  util::FileView view;
  Error e =
      view.open(fd, "fd " + std::to_string(fd), impl_->options.max_file_size, impl_->file_buffer);
  if (!e.ok()) return e;
  e = impl_->scan_bytes(view.bytes(), callback);
  if (e.ok() && view.truncated())
    return {ErrorCode::kCouldNotRead, "the file shrank while it was scanned"};
  return e;
}

Error Scanner::scan_file(const std::filesystem::path& path, ScanCallback& callback) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    int err = errno;
    return {ErrorCode::kCouldNotOpen, path.string() + ": " + std::strerror(err)};
  }
  util::FileView view;
  Error e = view.open(fd, path.string(), impl_->options.max_file_size, impl_->file_buffer);
  if (e.ok()) {
    e = impl_->scan_bytes(view.bytes(), callback);
    if (e.ok() && view.truncated())
      e = {ErrorCode::kCouldNotRead, path.string() + ": the file shrank while it was scanned"};
  }
  view.close();
  ::close(fd);
  return e;
}

// Process memory: every readable region is scanned in chunks, offsets are virtual addresses,
// `filesize` is undefined, integer reads and match data are read back from the process, and
// modules see the first chunk of the first region (where the main program is usually mapped).
Error Scanner::scan_process(pid_t pid, ScanCallback& callback) {
  Impl& s = *impl_;
  const std::string mem_path = "/proc/" + std::to_string(pid) + "/mem";
  int mem = ::open(mem_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (mem < 0) {
    int err = errno;
    return {ErrorCode::kProcessAccess,
            "process " + std::to_string(pid) + ": " + std::strerror(err)};
  }
  auto dl = s.deadline();
  s.table.reset(s.r.patterns.size());
  std::vector<uint8_t> first_chunk;
  uint64_t first_base = 0;
  bool timed_out = false;
  Error e = for_each_region(
      pid, s.options.process_memory_chunk, [&](uint64_t base, std::span<const uint8_t> bytes) {
        if (first_chunk.empty()) {
          first_chunk.assign(bytes.begin(), bytes.end());
          first_base = base;
        }
        auto out = s.r.pattern_set->scan(s.scratch, bytes, base, s.limits(dl), s.table);
        timed_out = out == re::ScanOutcome::kTimeout;
        return !timed_out;
      });
  if (timed_out || !e.ok()) {
    ::close(mem);
    return timed_out ? s.timeout() : e;
  }
  s.fetch = [mem](uint64_t offset, void* out, size_t n) {
    if (offset > static_cast<uint64_t>(INT64_MAX)) return false;
    return pread(mem, out, n, static_cast<off_t>(offset)) == static_cast<ssize_t>(n);
  };
  scan::ScanFacts facts = s.common_facts(callback, dl);
  facts.has_filesize = false;
  facts.fetch = s.fetch;
  facts.module_input = first_chunk;
  facts.module_base = first_base;
  facts.is_process = true;
  e = s.evaluate_and_report(facts, {}, callback);
  s.fetch = nullptr;
  ::close(mem);
  return e;
}

}  // namespace vigie
