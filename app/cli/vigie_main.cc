// `vigie`: one program, several subcommands. Each subcommand owns its argument parsing and
// receives argv starting at its own name.
#include <cstdio>
#include <cstring>

#include "watch/watch_main.h"

namespace {

int Usage(FILE* out) {
  std::fprintf(out,
               "usage: vigie <command> [options]\n"
               "commands:\n"
               "  watch PATH...   protect directory trees against ransomware (see vigie watch "
               "--help)\n");
  return out == stderr ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(stderr);
  if (!std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) return Usage(stdout);
  if (!std::strcmp(argv[1], "--version")) {
    std::printf("vigie %s\n", VIGIE_VERSION);
    return 0;
  }
  if (!std::strcmp(argv[1], "watch")) return vigie::watch::WatchMain(argc - 1, argv + 1);
  std::fprintf(stderr, "vigie: unknown command '%s'\n", argv[1]);
  return Usage(stderr);
}
