// libvigie: compile rules written in the YARA language, scan data with them.
#pragma once
#include "vigie/compiler.h"
#include "vigie/diagnostics.h"
#include "vigie/error.h"
#include "vigie/rules.h"
#include "vigie/scanner.h"
#include "vigie/version.h"
