#include "etch/core/log.h"

#include <cstdio>

namespace etch {
namespace {
LogLevel g_level = LogLevel::Warn;
}

void set_log_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }
void log_warn(const std::string& msg) {
  if (g_level >= LogLevel::Warn) std::fprintf(stderr, "warning: %s\n", msg.c_str());
}

}  // namespace etch
