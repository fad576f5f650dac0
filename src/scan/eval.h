// Condition evaluation: walks a rule's IR (compiler/ir.h) over the facts of one scan.
//
// Values are small (an integer, a float, a view of a string, a module node), undefined values
// propagate as YARA specifies: `and`/`or` and quantifiers read them as false, every other
// operator returns undefined when an operand is. Module data is loaded the first time a condition
// reads a module, so files no undecided rule inspects through a module are never parsed by it.
// Evaluation never throws; long loops check the deadline.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/compiled_rules.h"
#include "modules/module.h"
#include "re/pattern_set.h"

namespace vigie::scan {

struct Value {
  enum class Kind : uint8_t { kUndef, kInt, kFloat, kString, kObject, kRegex } kind = Kind::kUndef;
  uint32_t module = 0;  // kObject: which module's tree the node belongs to
  int64_t i = 0;
  double f = 0;
  std::string_view s;
  const mod::Node* node = nullptr;

  bool defined() const { return kind != Kind::kUndef; }
  static Value integer(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value real(double v) {
    Value x;
    x.kind = Kind::kFloat;
    x.f = v;
    return x;
  }
  static Value string(std::string_view v) {
    Value x;
    x.kind = Kind::kString;
    x.s = v;
    return x;
  }
};

// Module trees of one scan, loaded on demand.
struct ModuleRuntime {
  struct Loaded {
    bool loaded = false;
    std::unique_ptr<mod::Node> root;
    std::unique_ptr<mod::ModuleState> state;
  };
  std::vector<Loaded> modules;  // indexed like Rules::Impl::modules
};

// Everything a condition may read during one scan.
struct ScanFacts {
  std::span<const uint8_t> data;  // the scanned bytes (empty for process scans)
  bool has_filesize = true;       // false for process memory
  // Reads n bytes at offset for process scans (data is then empty). Null otherwise.
  std::function<bool(uint64_t offset, void* out, size_t n)> fetch;
  std::span<const uint8_t> module_input;  // what modules parse (first region for processes)
  uint64_t module_base = 0;               // address of module_input[0] (processes)
  bool is_process = false;
  const re::MatchTable* matches = nullptr;
  const std::vector<ExternalValue>* externals = nullptr;           // current values
  const std::vector<std::vector<uint8_t>>* module_data = nullptr;  // -x data per module index
  void (*log)(void* ctx, std::string_view message) = nullptr;
  void* log_ctx = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

class Evaluator {
 public:
  explicit Evaluator(const Rules::Impl& rules);

  // Prepares for a new scan: forgets rule results, modules and temporaries.
  void reset(const ScanFacts& facts);

  // Evaluates rule r's condition (rules it refers to must have been evaluated before).
  bool eval_rule(uint32_t r);
  void set_rule_result(uint32_t r, bool v) { rule_result_[r] = v; }
  bool rule_result(uint32_t r) const { return rule_result_[r] != 0; }
  bool timed_out() const { return timed_out_; }

  // Loads every imported module (for -D) and returns its root; null when the module is absent.
  const mod::Node* module_root(uint32_t index);

 private:
  Value eval(uint32_t at);
  bool truth(uint32_t at);  // eval as a condition: undefined is false
  Value load_module(uint32_t index);
  Value call(const ir::Insn& i, const Value& base);
  Value read_int(const ir::Insn& i, const Value& off);
  Value quantified(const ir::Insn& i);
  Value for_in(const ir::Insn& i);
  bool quantifier_met(const ir::Insn& i, uint64_t satisfied, uint64_t total, int64_t n);
  bool check_deadline();

  const Rules::Impl& r_;
  ScanFacts facts_;
  ModuleRuntime modules_;
  std::vector<uint8_t> rule_result_;
  std::vector<Value> slots_;
  std::deque<std::string> temps_;  // strings returned by module functions
  bool entry_known_ = false;
  bool entry_ok_ = false;
  uint64_t entry_ = 0;
  bool timed_out_ = false;
  uint32_t ticks_ = 0;
};

}  // namespace vigie::scan
