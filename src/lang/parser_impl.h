// The parser's private state, shared by parser.cc (files, rules, strings) and condition.cc
// (expressions). Not part of the library's interface.
//
// Recursive descent over a one-token lookahead. Syntax errors unwind to the top-level loop with
// a private exception (SyntaxError), which then skips to the next top-level keyword: that keeps
// every parsing function free of error plumbing, and no exception ever leaves parse_source().
// Recursion over conditions is bounded by ParseOptions::max_depth (DepthGuard), so hostile input
// gets an error, not a stack overflow.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "lang/ast.h"
#include "lang/lexer.h"
#include "lang/parser.h"

// Out of line and out of the way: error paths and node builders called from the recursion.
#define VIGIE_COLD [[gnu::noinline]]

namespace vigie::lang {

struct SyntaxError {};
// Thrown once kMaxDiagnostics have been reported: the parse stops (see report()).
struct StopParsing {};
inline constexpr size_t kMaxDiagnostics = 1000;
struct SetItem;

// An expression and whether it is a "primary expression" in YARA's grammar: a value that may be
// an operand of arithmetic and comparison (numbers, strings, identifiers, #a, ...), as opposed
// to a boolean-only form ($a, comparisons, `of`, `for`, `and`...), which may not.
struct Operand {
  ExprId id = kNoExpr;
  bool primary = false;
};

class Parser {
 public:
  Parser(const ParseOptions& options, Program& program, std::vector<Diagnostic>& diags)
      : options_(options), program_(program), diags_(diags) {}

  // Parses one file's text (already stored as program_.files[file]); `dir` resolves includes.
  void parse_file_text(uint32_t file, const std::filesystem::path& dir);
  bool failed() const { return errors_ > 0; }
  void report(Severity severity, const char* code, const Span& span, std::string message);

 private:
  friend class DepthGuard;

  // Tokens. The failure paths are out of line (VIGIE_COLD) so that their message strings do not
  // take stack space in the recursive functions that call them.
  void advance();
  const Token& peek();
  bool at(Tok k) const { return cur_.kind == k; }
  bool accept(Tok k);
  VIGIE_COLD void expect(Tok k, const char* what = nullptr);
  Token take(Tok k, const char* what);
  [[noreturn]] VIGIE_COLD void unexpected(const char* expected);
  [[noreturn]] VIGIE_COLD void fail(const char* code, const Span& span, std::string message);
  Span span() const { return lexer_->span_of(cur_); }
  void resync();

  // Top level (parser.cc).
  void parse_import();
  void parse_include();
  void parse_rule();
  void parse_meta(Rule& rule);
  void parse_string(Rule& rule);
  void parse_modifiers(StringDecl& s);
  void check_rule(Rule& rule);

  // Conditions (condition.cc). The functions that recurse keep small frames: nodes are built
  // by the out-of-line helpers below, or on the heap, never as locals of the recursion.
  Operand parse_expr(int min_prec);
  Operand parse_prefix();
  Operand parse_unary();
  Operand parse_paren();
  ExprId parse_operand(int min_prec);  // an expression that must be primary
  Operand parse_string_ref();
  ExprId parse_range();
  ExprId parse_quantified_of();
  ExprId parse_of(const Quantifier& q, const Span& start);
  ExprId parse_for();
  ExprId parse_for_iterable();
  ExprId parse_int_read();
  std::unique_ptr<StringSet> parse_set(bool& is_string_set);
  ExprId parse_identifier_chain();
  VIGIE_COLD Operand parse_literal();
  VIGIE_COLD ExprId make(ExprKind kind, const Span& span, ExprId a = kNoExpr, ExprId b = kNoExpr);
  VIGIE_COLD ExprId make_binary(ExprKind kind, ExprId a, ExprId b);
  VIGIE_COLD ExprId make_regex_operand();
  VIGIE_COLD ExprId make_string_ref();
  VIGIE_COLD void check_percentage(ExprId e);
  VIGIE_COLD bool read_set_name(std::vector<struct SetItem>& items);
  VIGIE_COLD void finish_set(std::vector<struct SetItem>& items, StringSet& set, bool& strings);
  [[noreturn]] VIGIE_COLD void fail_boolean_lhs();
  [[noreturn]] VIGIE_COLD void fail_not_operand(const Span& at, Tok kind, std::string_view text);
  [[noreturn]] VIGIE_COLD void fail_not_string_set(const Span& at);
  [[noreturn]] VIGIE_COLD void fail_nested_for_of(const Span& at);
  uint32_t end_of(ExprId e) const;

  const ParseOptions& options_;
  Program& program_;
  std::vector<Diagnostic>& diags_;
  size_t errors_ = 0;
  size_t reported_ = 0;
  bool quiet_ = false;  // while resynchronising, lexer errors in skipped text are not reported

  // The file being parsed.
  Lexer* lexer_ = nullptr;
  uint32_t file_ = 0;
  std::filesystem::path dir_;
  Token cur_;
  std::optional<Token> next_;
  uint32_t prev_end_ = 0;                             // offset just past the last token consumed
  std::vector<std::filesystem::path> include_stack_;  // canonical paths, for cycle detection

  // The rule being parsed.
  std::string rule_name_;
  uint32_t depth_ = 0;
  uint32_t in_for_of_ = 0;
  struct Ref {
    std::string name;  // "$a", "$a*" for set items, "them"
    Span span;
    bool wildcard = false;
  };
  std::vector<Ref> refs_;
  std::unordered_set<std::string> declared_;  // string identifiers of the rule so far
};

// Counts one level of nesting; throws SyntaxError (after reporting) beyond max_depth.
class DepthGuard {
 public:
  explicit DepthGuard(Parser& p);
  ~DepthGuard() { --p_.depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  Parser& p_;
};

}  // namespace vigie::lang
