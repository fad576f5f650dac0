// vigie-yara: a drop-in replacement for the `yara` command. See cli/yara_app.h.
#include "cli/yara_app.h"

int main(int argc, char** argv) {
  vigie::cli::StdioConsole console;
  int code = vigie::cli::run_yara({argv + 1, argv + argc}, console);
  std::fflush(stdout);
  return code;
}
