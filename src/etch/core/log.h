#pragma once
#include <string>

namespace etch {

// Warnings go to stderr unless the user asked for quiet (`etch --quiet`).
enum class LogLevel { Quiet, Warn };
void set_log_level(LogLevel level);
LogLevel log_level();
void log_warn(const std::string& msg);  // "warning: ..." on stderr

}  // namespace etch
