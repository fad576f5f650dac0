// vigie-yarac: a drop-in replacement for the `yarac` command. See cli/yarac_app.h.
#include "cli/yarac_app.h"

int main(int argc, char** argv) {
  vigie::cli::StdioConsole console;
  int code = vigie::cli::run_yarac({argv + 1, argv + argc}, console);
  std::fflush(stdout);
  return code;
}
