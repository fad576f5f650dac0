// Where vigie-yara and vigie-yarac write. Scanning threads each hand over the whole text of one
// file at once, so the lines of two files never interleave; tests capture the text instead.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace vigie::cli {

class Console {
 public:
  virtual ~Console() = default;
  // Writes both parts as one unit with respect to other writers.
  virtual void write(std::string_view out, std::string_view err) = 0;
  void out(std::string_view text) { write(text, {}); }
  void err(std::string_view text) { write({}, text); }
};

class StdioConsole final : public Console {
 public:
  void write(std::string_view out, std::string_view err) override {
    std::lock_guard lock(mu_);
    if (!out.empty()) std::fwrite(out.data(), 1, out.size(), stdout);
    if (!err.empty()) {
      std::fflush(stdout);  // keep the order of the two streams on a terminal
      std::fwrite(err.data(), 1, err.size(), stderr);
    }
  }

 private:
  std::mutex mu_;
};

class StringConsole final : public Console {
 public:
  void write(std::string_view out, std::string_view err) override {
    std::lock_guard lock(mu_);
    out_ += out;
    err_ += err;
  }
  const std::string& out_text() const { return out_; }
  const std::string& err_text() const { return err_; }

 private:
  std::mutex mu_;
  std::string out_, err_;
};

}  // namespace vigie::cli
