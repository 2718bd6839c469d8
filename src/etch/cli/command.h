// Each subcommand lives in its own file and registers itself here; main.cc only
// dispatches and maps etch::Error kinds to exit codes.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace etch::cli {

// setup() adds options to the subcommand and returns the function that runs it
// (returning the process exit code).
using CommandSetup = std::function<std::function<int()>(CLI::App& sub)>;

struct CommandInfo {
  std::string name;
  std::string description;
  CommandSetup setup;
};

void register_command(CommandInfo info);
std::vector<CommandInfo>& commands();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandInfo info) { register_command(std::move(info)); }
};

// Shared global options (set by main before a command runs).
struct GlobalOptions {
  int threads = 0;
  bool quiet = false;
};
GlobalOptions& global_options();

}  // namespace etch::cli
