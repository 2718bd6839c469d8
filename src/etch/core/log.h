#pragma once
#include <string>

namespace etch {

enum class LogLevel { Quiet, Warn, Info, Debug };
void set_log_level(LogLevel level);
LogLevel log_level();
void log_warn(const std::string& msg);  // "warning: ..." on stderr
void log_info(const std::string& msg);
void log_debug(const std::string& msg);

}  // namespace etch
