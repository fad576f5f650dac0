#include "cli/yarac_app.h"

#include <algorithm>

#include "cli/rule_loading.h"
#include "cli/yara_options.h"

namespace vigie::cli {

int run_yarac(const std::vector<std::string>& args, Console& console) {
  Command<YaracOptions> cmd = parse_yarac_command(args);
  if (!cmd.run) {
    console.write(cmd.out, cmd.err);
    return cmd.exit_code;
  }
  const YaracOptions& o = cmd.options;
  SourceSettings s;
  s.rule_files = o.rule_files;
  s.defines = o.defines;
  s.compiler.max_strings_per_rule =
      static_cast<uint32_t>(std::clamp<int64_t>(o.max_strings_per_rule, 0, UINT32_MAX));
  s.compiler.strict_escape = o.strict_escape;
  s.compiler.warnings_as_errors = o.fail_on_warnings;
  s.no_warnings = o.no_warnings;
  std::shared_ptr<const Rules> rules = compile_rule_files(s, console);
  if (!rules) return 1;
  if (Error e = rules->save(std::filesystem::path(o.output))) {
    console.err("error: could not save compiled rules to \"" + o.output + "\": " + e.message +
                "\n");
    return 1;
  }
  return 0;
}

}  // namespace vigie::cli
