// `vigie watch` command line: parses the options into WatchOptions and runs the monitor.
#pragma once

namespace vigie::watch {

// argv[0] is "watch". Returns the exit status (see monitor.h).
int WatchMain(int argc, char** argv);

}  // namespace vigie::watch
