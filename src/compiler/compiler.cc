// The Compiler of the public API: parse each source, check it into IR, and at build() hand all
// strings to the pattern engine, which makes the one prefilter database of the rule set.
//
// Sources are checked as they are added, so errors come back from add_file()/add_source() with
// their locations; rules of earlier sources stay valid and visible to later ones (a rule may
// refer to rules of its namespace defined before it, as in YARA).
#include "vigie/compiler.h"

#include <unordered_map>

#include "compiler/compiled_rules.h"
#include "compiler/sema.h"
#include "compiler/sema_codes.h"
#include "lang/parser.h"
#include "modules/module.h"

namespace vigie {

struct Compiler::Impl {
  CompilerOptions options;
  std::unique_ptr<Rules::Impl> rules = std::make_unique<Rules::Impl>();
  sema::State state;
  std::vector<Diagnostic> diags;
  std::unordered_map<std::string, uint32_t> ns_by_name;
  bool built = false;

  uint32_t namespace_id(std::string_view ns) {
    std::string name(ns.empty() ? "default" : ns);
    auto it = ns_by_name.find(name);
    if (it != ns_by_name.end()) return it->second;
    rules->namespaces.push_back(name);
    uint32_t id = static_cast<uint32_t>(rules->namespaces.size() - 1);
    ns_by_name.emplace(name, id);
    return id;
  }

  void error(std::string code, std::string message, std::string file = {}) {
    Diagnostic d;
    d.code = std::move(code);
    d.message = std::move(message);
    d.location.file = std::move(file);
    diags.push_back(std::move(d));
  }

  bool check(const lang::Program& program, bool parsed, std::string_view ns) {
    if (built) {
      error(sema::codes::kInternal, "rules were already built: make a new Compiler to add sources");
      return false;
    }
    if (!parsed) return false;
    return sema::compile_program(program, namespace_id(ns), options, state, diags);
  }

  lang::ParseOptions parse_options() const {
    lang::ParseOptions p;
    p.allow_includes = options.allow_includes;
    p.strict_escape = options.strict_escape;
    p.max_depth = options.max_condition_depth;
    return p;
  }
};

Compiler::Compiler(CompilerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->state.out = impl_->rules.get();
}

Compiler::~Compiler() = default;

bool Compiler::define_external(std::string_view name, ExternalValue value) {
  std::string key(name);
  auto& st = impl_->state;
  if (st.external_by_name.count(key)) {
    impl_->error(sema::codes::kDuplicateExternal,
                 "external variable \"" + key + "\" is already defined");
    return false;
  }
  impl_->rules->externals.push_back({key, std::move(value)});
  st.external_by_name.emplace(key, static_cast<uint32_t>(impl_->rules->externals.size() - 1));
  return true;
}

bool Compiler::add_file(const std::filesystem::path& path, std::string_view ns) {
  lang::Program program;
  bool parsed = lang::parse_file(path, impl_->parse_options(), program, impl_->diags);
  return impl_->check(program, parsed, ns);
}

bool Compiler::add_source(std::string_view text, std::string_view ns, std::string_view origin) {
  lang::Program program;
  bool parsed =
      lang::parse_source(text, std::string(origin), impl_->parse_options(), program, impl_->diags);
  return impl_->check(program, parsed, ns);
}

std::span<const Diagnostic> Compiler::diagnostics() const { return impl_->diags; }

size_t Compiler::error_count() const {
  size_t n = 0;
  for (const Diagnostic& d : impl_->diags) n += d.severity == Severity::kError;
  return n;
}

size_t Compiler::warning_count() const { return impl_->diags.size() - error_count(); }

std::shared_ptr<const Rules> Compiler::build() {
  Impl& c = *impl_;
  if (c.built) {
    c.error(sema::codes::kInternal, "build() was already called on this Compiler");
    return nullptr;
  }
  if (error_count()) return nullptr;
  c.built = true;
  std::vector<re::BuildWarning> warnings;
  std::string err;
  c.rules->pattern_set = re::PatternSet::build(std::move(c.state.specs), &warnings, &err);
  if (!c.rules->pattern_set) {
    c.error(sema::codes::kPatternEngine, "could not build the pattern database: " + err);
    return nullptr;
  }
  for (const re::BuildWarning& w : warnings) {
    Diagnostic d =
        w.pattern < c.state.origins.size() ? c.state.origins[w.pattern].where : Diagnostic{};
    d.severity = Severity::kWarning;
    d.code = sema::codes::kSlowPattern;
    std::string ident =
        w.pattern < c.rules->patterns.size() ? c.rules->patterns[w.pattern].identifier : "?";
    d.message =
        "string \"" + ident + "\" in rule \"" + d.rule + "\" may slow down scanning: " + w.message;
    c.diags.push_back(std::move(d));
  }
  if (c.options.warnings_as_errors && warning_count()) return nullptr;
  if (!c.rules->finish(&err)) {
    c.error(sema::codes::kInternal, err);
    return nullptr;
  }
  return std::make_shared<const Rules>(std::move(c.rules));
}

// ---- Rules ------------------------------------------------------------------------------------

bool Rules::Impl::finish(std::string* error) {
  regexes.clear();
  for (const CompiledRegex& r : regex_sources) {
    re::PatternError perr;
    auto rx = re::Regex::compile(r.source, r.flags, &perr);
    if (!rx) {
      *error = "invalid regular expression /" + r.source + "/: " + perr.message;
      return false;
    }
    regexes.push_back(std::move(rx));
  }
  module_ptrs.clear();
  for (const std::string& m : modules) {
    const mod::Module* mp = mod::find_module(m);
    if (!mp) {
      *error = "the rules need module \"" + m + "\", which this build of vigie lacks";
      return false;
    }
    module_ptrs.push_back(mp);
  }
  fast_patterns.clear();
  for (const CompiledPattern& p : patterns) fast_patterns.push_back(p.first_match_only);
  unconditional_rules.clear();
  global_rules.clear();
  for (size_t r = 0; r < rules.size(); ++r) {
    if (!rules[r].needs_match) unconditional_rules.push_back(static_cast<uint32_t>(r));
    if (rules[r].is_global) global_rules.push_back(static_cast<uint32_t>(r));
  }
  return true;
}

Rules::Rules(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Rules::~Rules() = default;

size_t Rules::rule_count() const { return impl_->rules.size(); }

RuleInfo Rules::rule(size_t index) const {
  const CompiledRule& r = impl_->rules.at(index);
  RuleInfo info;
  info.identifier = r.identifier;
  info.ns = impl_->namespaces[r.ns];
  info.tags = r.tags;
  info.metas = r.metas;
  info.is_private = r.is_private;
  info.is_global = r.is_global;
  info.string_count = r.pattern_count;
  return info;
}

std::vector<std::string> Rules::imported_modules() const { return impl_->modules; }

}  // namespace vigie
