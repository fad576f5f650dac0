// Files, rules, metadata and string declarations; the entry points of parser.h.
//
// Includes are parsed in place by a nested run of the same Parser over the included file, with
// the lexer and lookahead of the including file saved around it, so rules and imports land in
// the program in source order. The include stack (canonical paths) detects cycles.
//
// parse_source() runs the parser on a thread whose stack is sized from max_depth, so the depth
// limit, not the caller's stack, decides how deep conditions may nest.
#include <pthread.h>

#include <algorithm>
#include <exception>
#include <fstream>
#include <sstream>
#include <system_error>

#include "lang/diag_codes.h"
#include "lang/diagnose.h"
#include "lang/parser_impl.h"

namespace vigie::lang {
namespace {

constexpr size_t kMaxIncludeDepth = 16;
constexpr size_t kMaxIncludedFiles = 4096;
// Spans hold 32-bit offsets; larger sources are refused rather than mislocated.
constexpr size_t kMaxSourceSize = size_t{1} << 31;

bool read_file(const std::filesystem::path& path, std::string& out, std::string& why) {
  std::error_code ec;
  auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    why = "no such file";
    return false;
  }
  // Devices and fifos could be read forever (include "/dev/zero").
  if (!std::filesystem::is_regular_file(status)) {
    why = std::filesystem::is_directory(status) ? "is a directory" : "not a regular file";
    return false;
  }
  auto size = std::filesystem::file_size(path, ec);
  if (!ec && size >= kMaxSourceSize) {
    why = "file too large (2 GiB or more)";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    why = "permission denied or unreadable";
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    why = "read error";
    return false;
  }
  out = ss.str();
  if (out.size() >= kMaxSourceSize) {
    out.clear();
    why = "file too large (2 GiB or more)";
    return false;
  }
  return true;
}

std::filesystem::path canonical_or_absolute(const std::filesystem::path& p) {
  std::error_code ec;
  auto c = std::filesystem::weakly_canonical(p, ec);
  if (ec) c = std::filesystem::absolute(p, ec).lexically_normal();
  return c;
}

std::filesystem::path dir_of(const std::string& origin) {
  if (origin == "<string>" || origin.empty()) return {};
  return std::filesystem::path(origin).parent_path();
}

}  // namespace

DepthGuard::DepthGuard(Parser& p) : p_(p) {
  if (++p_.depth_ > p_.options_.max_depth) {
    Span s = p_.span();
    p_.fail(codes::kTooDeep, s,
            "expression nested too deeply (more than " + std::to_string(p_.options_.max_depth) +
                " levels)");
  }
}

void Parser::report(Severity severity, const char* code, const Span& span, std::string message) {
  if (quiet_) return;
  // Hostile input can have an error every few bytes; past a bound, more messages help no one.
  if (reported_ >= kMaxDiagnostics) {
    Diagnostic d = diagnostic_at(
        program_, span, Severity::kError, codes::kTooManyErrors,
        "too many errors and warnings (" + std::to_string(kMaxDiagnostics) + "), stopping here");
    ++errors_;
    diags_.push_back(std::move(d));
    throw StopParsing{};
  }
  ++reported_;
  Diagnostic d = diagnostic_at(program_, span, severity, code, std::move(message));
  d.rule = rule_name_;
  if (severity == Severity::kError) ++errors_;
  diags_.push_back(std::move(d));
}

void Parser::advance() {
  prev_end_ = cur_.offset + cur_.length;
  if (next_) {
    cur_ = std::move(*next_);
    next_.reset();
  } else {
    cur_ = lexer_->next();
  }
}

const Token& Parser::peek() {
  if (!next_) next_ = lexer_->next();
  return *next_;
}

bool Parser::accept(Tok k) {
  if (cur_.kind != k) return false;
  advance();
  return true;
}

void Parser::expect(Tok k, const char* what) {
  if (cur_.kind != k) unexpected(what ? what : describe(k).c_str());
  advance();
}

Token Parser::take(Tok k, const char* what) {
  if (cur_.kind != k) unexpected(what ? what : describe(k).c_str());
  Token t = std::move(cur_);
  advance();
  return t;
}

void Parser::unexpected(const char* expected) {
  if (cur_.kind == Tok::kError) throw SyntaxError{};  // the lexer has said why
  fail(codes::kSyntax, span(), "unexpected " + describe(cur_) + ", expected " + expected);
}

void Parser::fail(const char* code, const Span& span, std::string message) {
  report(Severity::kError, code, span, std::move(message));
  throw SyntaxError{};
}

void Parser::resync() {
  quiet_ = true;
  while (!at(Tok::kEof)) {
    if (at(Tok::kRule) || at(Tok::kImport) || at(Tok::kInclude)) break;
    if (at(Tok::kPrivate) || at(Tok::kGlobal)) {
      Tok n = peek().kind;
      if (n == Tok::kRule || n == Tok::kPrivate || n == Tok::kGlobal) break;
    }
    advance();
  }
  quiet_ = false;
}

void Parser::parse_file_text(uint32_t file, const std::filesystem::path& dir) {
  // Save the including file's state: this runs nested for includes.
  Lexer* saved_lexer = lexer_;
  uint32_t saved_file = file_;
  std::filesystem::path saved_dir = dir_;
  Token saved_cur = std::move(cur_);
  std::optional<Token> saved_next = std::move(next_);

  // The text is not modified while its lexer lives: program_.files may grow (includes), so the
  // view is taken from a copy owned here rather than from the vector element.
  const std::string text = program_.files[file].text;
  Lexer lexer(text, file, options_.strict_escape,
              [this](Severity sev, const char* code, const Span& s, std::string msg) {
                report(sev, code, s, std::move(msg));
              });
  lexer_ = &lexer;
  file_ = file;
  dir_ = dir;
  next_.reset();
  advance();
  while (!at(Tok::kEof)) {
    try {
      switch (cur_.kind) {
        case Tok::kImport:
          parse_import();
          break;
        case Tok::kInclude:
          parse_include();
          break;
        case Tok::kRule:
        case Tok::kPrivate:
        case Tok::kGlobal:
          parse_rule();
          break;
        default:
          unexpected("\"rule\", \"import\" or \"include\"");
      }
    } catch (const SyntaxError&) {
      rule_name_.clear();
      depth_ = 0;
      in_for_of_ = 0;
      if (!at(Tok::kEof)) {
        // Step over the offending token unless it starts the next declaration.
        if (!(at(Tok::kRule) || at(Tok::kImport) || at(Tok::kInclude) || at(Tok::kPrivate) ||
              at(Tok::kGlobal))) {
          quiet_ = true;
          advance();
          quiet_ = false;
        }
        resync();
      }
    }
  }

  lexer_ = saved_lexer;
  file_ = saved_file;
  dir_ = std::move(saved_dir);
  cur_ = std::move(saved_cur);
  next_ = std::move(saved_next);
}

void Parser::parse_import() {
  advance();
  Token t = take(Tok::kText, "a module name in quotes");
  program_.imports.push_back(Import{t.value, lexer_->span_of(t)});
}

void Parser::parse_include() {
  Span at_include = span();
  advance();
  // Read the path token before anything else: the nested parse replaces the lexer state, and
  // the lookahead after the path must be taken only afterwards.
  if (!at(Tok::kText)) unexpected("a file name in quotes");
  Token name = std::move(cur_);
  Span name_span = lexer_->span_of(name);
  if (!options_.allow_includes)
    fail(codes::kIncludesDisabled, at_include, "include directives are not allowed here");
  if (include_stack_.size() >= kMaxIncludeDepth)
    fail(codes::kIncludeTooDeep, name_span,
         "includes nested too deeply (more than " + std::to_string(kMaxIncludeDepth) + " levels)");
  // Diamond-shaped includes (a file included twice by each of its includers) grow
  // exponentially with depth; a bound on the total keeps hostile input from running forever.
  if (program_.files.size() >= kMaxIncludedFiles)
    fail(codes::kTooManyIncludes, name_span,
         "too many included files (more than " + std::to_string(kMaxIncludedFiles) + ")");
  std::filesystem::path path = dir_ / std::filesystem::path(name.value);
  std::filesystem::path canon = canonical_or_absolute(path);
  for (const auto& p : include_stack_)
    if (p == canon)
      fail(codes::kIncludeCycle, name_span,
           "include cycle: \"" + name.value + "\" is already being parsed");
  std::string text, why;
  if (!read_file(path, text, why))
    fail(codes::kIncludeOpen, name_span,
         "cannot open included file \"" + path.lexically_normal().string() + "\": " + why);
  auto index = static_cast<uint32_t>(program_.files.size());
  program_.files.push_back(SourceFile{path.lexically_normal().string(), std::move(text)});
  include_stack_.push_back(canon);
  std::string saved_rule = std::move(rule_name_);
  rule_name_.clear();
  parse_file_text(index, path.parent_path());
  rule_name_ = std::move(saved_rule);
  include_stack_.pop_back();
  advance();  // past the file name, in the including file
}

namespace {

bool has_modifier_start(Tok k) {
  switch (k) {
    case Tok::kNocase:
    case Tok::kWide:
    case Tok::kAscii:
    case Tok::kFullword:
    case Tok::kPrivate:
    case Tok::kXor:
    case Tok::kBase64:
    case Tok::kBase64Wide:
      return true;
    default:
      return false;
  }
}

}  // namespace

void Parser::parse_rule() {
  size_t errors_before = errors_;
  Rule rule;
  while (at(Tok::kPrivate) || at(Tok::kGlobal)) {
    if (at(Tok::kPrivate))
      rule.is_private = true;
    else
      rule.is_global = true;
    advance();
  }
  expect(Tok::kRule);
  if (!at(Tok::kIdentifier)) unexpected("a rule name");
  rule.name = std::string(cur_.text);
  rule.span = span();
  rule_name_ = rule.name;
  advance();
  refs_.clear();
  declared_.clear();
  in_for_of_ = 0;
  depth_ = 0;
  if (accept(Tok::kColon)) {
    if (!at(Tok::kIdentifier)) unexpected("a tag");
    std::unordered_set<std::string_view> seen;
    while (at(Tok::kIdentifier)) {
      if (seen.insert(cur_.text).second)
        rule.tags.emplace_back(cur_.text);
      else
        report(Severity::kError, codes::kDuplicateTag, span(),
               "duplicate tag \"" + std::string(cur_.text) + "\"");
      advance();
    }
  }
  expect(Tok::kLBrace);
  if (accept(Tok::kMeta)) {
    expect(Tok::kColon);
    if (!at(Tok::kIdentifier)) unexpected("a metadata identifier");
    while (at(Tok::kIdentifier)) parse_meta(rule);
  }
  if (accept(Tok::kStrings)) {
    expect(Tok::kColon);
    if (!at(Tok::kStringId)) unexpected("a string identifier");
    while (at(Tok::kStringId)) parse_string(rule);
  }
  if (!at(Tok::kCondition)) {
    if (rule.strings.empty() && rule.metas.empty() && !at(Tok::kMeta) && !at(Tok::kStrings))
      unexpected("\"meta\", \"strings\" or \"condition\"");
    unexpected("\"condition\"");
  }
  advance();
  expect(Tok::kColon);
  rule.condition = parse_expr(0).id;
  if (!at(Tok::kRBrace)) unexpected("an operator or \"}\"");
  advance();
  check_rule(rule);
  if (errors_ == errors_before) program_.rules.push_back(std::move(rule));
  rule_name_.clear();
}

void Parser::parse_meta(Rule& rule) {
  MetaDecl m;
  m.identifier = std::string(cur_.text);
  m.span = span();
  advance();
  expect(Tok::kAssign);
  switch (cur_.kind) {
    case Tok::kText:
      m.type = MetaDecl::Type::kString;
      m.string = cur_.value;
      break;
    case Tok::kInteger:
      m.type = MetaDecl::Type::kInteger;
      m.integer = cur_.integer;
      break;
    case Tok::kMinus:
      advance();
      if (!at(Tok::kInteger)) unexpected("a number");
      m.type = MetaDecl::Type::kInteger;
      m.integer = -cur_.integer;  // literals are at most INT64_MAX, so this cannot overflow
      break;
    case Tok::kTrue:
    case Tok::kFalse:
      m.type = MetaDecl::Type::kBoolean;
      m.boolean = at(Tok::kTrue);
      break;
    default:
      unexpected("a text string, a number, \"true\" or \"false\"");
  }
  advance();
  rule.metas.push_back(std::move(m));
}

void Parser::parse_string(Rule& rule) {
  StringDecl s;
  s.identifier = std::string(cur_.text);
  Span id_span = span();
  s.span = id_span;
  // A set, not a scan of the earlier strings: a hostile rule may declare very many.
  if (s.identifier != "$" && !declared_.insert(s.identifier).second)
    report(Severity::kError, codes::kDuplicateString, id_span,
           "duplicate string identifier \"" + s.identifier + "\"");
  advance();
  if (!at(Tok::kAssign)) unexpected("\"=\"");
  advance();
  switch (cur_.kind) {
    case Tok::kText:
      s.kind = StringKind::kText;
      s.value = cur_.value;
      s.value_span = span();
      if (s.value.empty())
        report(Severity::kError, codes::kEmptyString, span(),
               "string \"" + s.identifier + "\" is empty");
      for (char c : cur_.text) {
        // YARA 4.1+ warns: text strings are meant to be ASCII, other bytes depend on the
        // editor's encoding. Metadata and comments are exempt.
        if (static_cast<unsigned char>(c) >= 0x80) {
          report(Severity::kWarning, codes::kNonAscii, span(),
                 "string \"" + s.identifier + "\" contains non-ASCII characters");
          break;
        }
      }
      advance();
      break;
    case Tok::kRegex:
      s.kind = StringKind::kRegex;
      s.value = cur_.value;
      s.regex_flags = cur_.regex_flags;
      s.value_span = span();
      s.value_span.offset += 1;
      s.value_span.column += 1;
      s.value_span.length = static_cast<uint32_t>(s.value.size());
      advance();
      break;
    case Tok::kLBrace: {
      // The lookahead is empty here (nothing peeks past "="), so the lexer sits right after
      // the brace and can read the raw body.
      Token body = lexer_->hex_body();
      if (body.kind == Tok::kError) throw SyntaxError{};
      s.kind = StringKind::kHex;
      s.value = body.value;
      s.value_span = lexer_->span_of(body);
      if (s.value.find_first_not_of(" \t\r\n\v\f") == std::string::npos)
        report(Severity::kError, codes::kEmptyHexString, s.value_span,
               "hex string \"" + s.identifier + "\" is empty");
      cur_ = std::move(body);
      cur_.length += 1;  // the closing brace, so that the declaration's span includes it
      advance();
      break;
    }
    default:
      unexpected("a text string, a hex string or a regular expression");
  }
  if (has_modifier_start(cur_.kind)) parse_modifiers(s);
  // The declaration spans from its identifier to the last token read.
  if (prev_end_ > id_span.offset) s.span.length = prev_end_ - id_span.offset;
  rule.strings.push_back(std::move(s));
}

}  // namespace vigie::lang

namespace vigie::lang {

namespace {

// Conditions nest up to max_depth levels and each level costs stack. Rather than trust the
// caller's stack (a thread pool may give little, sanitizers make frames several times larger),
// the parse runs on a thread of its own whose stack is sized from max_depth. Measured cost per
// level is under 2.5 KB with AddressSanitizer and well under 1 KB otherwise; 4 KB leaves room.
constexpr size_t kStackPerLevel = 4096;
constexpr size_t kBaseStack = size_t{2} << 20;
constexpr size_t kMaxStack = size_t{256} << 20;

struct ParseJob {
  std::string_view text;
  std::string origin;
  ParseOptions options;
  Program* program;
  std::vector<Diagnostic>* diags;
  bool ok = false;
  std::exception_ptr exception;  // e.g. bad_alloc, rethrown in the caller's thread
};

void run_parse(ParseJob& job) {
  if (job.text.size() >= kMaxSourceSize) {
    Diagnostic d;
    d.code = codes::kSourceTooLarge;
    d.message = "source \"" + job.origin + "\" is too large (2 GiB or more)";
    d.location.file = job.origin;
    job.diags->push_back(std::move(d));
    job.ok = false;
    return;
  }
  Parser parser(job.options, *job.program, *job.diags);
  auto index = static_cast<uint32_t>(job.program->files.size());
  std::filesystem::path dir = dir_of(job.origin);
  job.program->files.push_back(SourceFile{std::move(job.origin), std::string(job.text)});
  try {
    parser.parse_file_text(index, dir);
  } catch (const StopParsing&) {
    // report() has said so.
  }
  job.ok = !parser.failed();
}

void* run_parse_thread(void* arg) {
  auto* job = static_cast<ParseJob*>(arg);
  try {
    run_parse(*job);
  } catch (...) {
    job->exception = std::current_exception();
  }
  return nullptr;
}

}  // namespace

bool parse_source(std::string_view text, std::string origin, const ParseOptions& options,
                  Program& program, std::vector<vigie::Diagnostic>& diags) {
  ParseJob job{text, std::move(origin), options, &program, &diags, false, nullptr};
  size_t max_levels = (kMaxStack - kBaseStack) / kStackPerLevel;
  if (job.options.max_depth > max_levels) job.options.max_depth = static_cast<uint32_t>(max_levels);
  size_t stack = kBaseStack + size_t{job.options.max_depth} * kStackPerLevel;
  pthread_attr_t attr;
  pthread_t thread;
  bool started = false;
  if (pthread_attr_init(&attr) == 0) {
    if (pthread_attr_setstacksize(&attr, stack) == 0)
      started = pthread_create(&thread, &attr, run_parse_thread, &job) == 0;
    pthread_attr_destroy(&attr);
  }
  if (started) {
    pthread_join(thread, nullptr);
    if (job.exception) std::rethrow_exception(job.exception);
  } else {
    // No thread (resource limits): parse here with a depth this stack surely holds.
    job.options.max_depth = std::min<uint32_t>(job.options.max_depth, 256);
    run_parse(job);
  }
  return job.ok;
}

bool parse_file(const std::filesystem::path& path, const ParseOptions& options, Program& program,
                std::vector<vigie::Diagnostic>& diags) {
  std::string text, why;
  if (!read_file(path, text, why)) {
    Diagnostic d;
    d.code = codes::kFileOpen;
    d.message = "cannot open rule file \"" + path.string() + "\": " + why;
    d.location.file = path.string();
    diags.push_back(std::move(d));
    return false;
  }
  return parse_source(text, path.string(), options, program, diags);
}

}  // namespace vigie::lang
