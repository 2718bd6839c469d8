// Each subcommand lives in its own file and registers itself here; main.cc only
// dispatches and maps etch::Error kinds to exit codes.
#pragma once
#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

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

// `--const-input NAME=VALUE[,VALUE...]` options as name -> values; throws
// InvalidInput quoting the option when one is malformed.
std::map<std::string, std::vector<double>> parse_const_inputs(const std::vector<std::string>& specs);
// `--input-shape NAME=DIMS` (DIMS like 1x512) as name -> dims; same errors.
std::map<std::string, std::vector<int64_t>> parse_input_shapes(const std::vector<std::string>& specs);

}  // namespace etch::cli
