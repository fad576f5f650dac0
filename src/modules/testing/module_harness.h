// Test helpers: load a module on some bytes and call its functions as the scanner would, and
// check many (expression, value) pairs against the reference yara in one run.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "modules/module.h"
#include "modules/testing/yara_reference.h"

namespace vigie::mod::testing {

class Harness {
 public:
  Harness(std::string_view module, std::vector<uint8_t> data, std::vector<uint8_t> module_data = {},
          uint64_t base_address = 0, bool is_process = false)
      : data_(std::move(data)), module_data_(std::move(module_data)), base_(base_address) {
    module_ = find_module(module);
    if (module_ == nullptr) std::abort();
    root_ = std::make_unique<Node>(&schema_of(*module_).root());
    if (module_->load != nullptr) {
      LoadContext ctx;
      ctx.data = data_;
      ctx.module_data = module_data_;
      ctx.base_address = base_;
      ctx.is_process = is_process;
      ctx.state = &state_;
      ctx.log = &Harness::collect;
      ctx.log_ctx = this;
      module_->load(ctx, *root_);
    }
  }

  const Node& root() const { return *root_; }
  const std::vector<uint8_t>& data() const { return data_; }
  ModuleState* state() const { return state_.get(); }
  const std::vector<std::string>& log() const { return log_; }

  // Calls `name(params)` of the root structure (or of `parent` when given).
  Value call(std::string_view name, const std::string& params, std::vector<Value> args,
             const Node* parent = nullptr) {
    if (parent == nullptr) parent = root_.get();
    const StructType* st = parent->type->structure;
    int k = st->index_of(name);
    if (k < 0) {
      ADD_FAILURE() << "no function " << name;
      return Value::undefined();
    }
    for (const Overload& o : st->fields[k].type->overloads) {
      if (o.params != params) continue;
      CallContext ctx;
      ctx.data = data_;
      ctx.base_address = base_;
      ctx.parent = parent;
      ctx.root = root_.get();
      ctx.state = state_.get();
      ctx.log = &Harness::collect;
      ctx.log_ctx = this;
      return o.fn(ctx, args);
    }
    ADD_FAILURE() << "no overload " << name << "(" << params << ")";
    return Value::undefined();
  }

 private:
  static void collect(void* self, std::string_view message) {
    static_cast<Harness*>(self)->log_.emplace_back(message);
  }
  const Module* module_ = nullptr;
  std::vector<uint8_t> data_;
  std::vector<uint8_t> module_data_;
  uint64_t base_ = 0;
  std::unique_ptr<Node> root_;
  std::unique_ptr<ModuleState> state_;
  std::vector<std::string> log_;
};

// A YARA literal for a value: exact for integers, strings, and floats (enough digits that yara's
// strtod reads back the same double).
inline std::string literal(const Value& v) {
  switch (v.tag) {
    case Value::Tag::kInteger:
      return std::to_string(v.i);
    case Value::Tag::kFloat: {
      char buf[512];
      std::snprintf(buf, sizeof buf, "%.60f", v.f);
      return buf;
    }
    case Value::Tag::kString: {
      std::string out = "\"";
      for (unsigned char c : v.s) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
      return out + "\"";
    }
    default:
      return "<undefined>";
  }
}

// Collects (expression, our value) pairs, then asks yara whether each expression has that value
// (or is undefined) on `file`; one yara run for all.
class YaraBatch {
 public:
  YaraBatch(std::string imports, std::string file)
      : imports_(std::move(imports)), file_(std::move(file)) {}

  void expect(const std::string& expr, const Value& ours) {
    std::string cond =
        ours.defined() ? "(" + expr + ") == " + literal(ours) : "not defined (" + expr + ")";
    conditions_.push_back(cond);
    exprs_.push_back(expr + " => " + (ours.defined() ? literal(ours) : "undefined"));
  }

  // Runs yara and reports every expression whose value yara disagrees with.
  void check() {
    std::string rules = imports_ + "\n";
    for (size_t k = 0; k < conditions_.size(); ++k) {
      rules += "rule vigie_case_" + std::to_string(k) + " { condition: " + conditions_[k] + " }\n";
    }
    std::string out = run_yara(rules, file_);
    ASSERT_NE(out.find("vigie_case_"), std::string::npos)
        << "yara matched nothing (is /usr/bin/yara present?):\n"
        << rules;
    for (size_t k = 0; k < conditions_.size(); ++k) {
      std::string name = "vigie_case_" + std::to_string(k) + " ";
      EXPECT_NE(out.find(name), std::string::npos) << "yara disagrees: " << exprs_[k];
    }
  }

  size_t size() const { return conditions_.size(); }

 private:
  std::string imports_, file_;
  std::vector<std::string> conditions_, exprs_;
};

}  // namespace vigie::mod::testing
