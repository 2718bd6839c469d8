#include <cstdio>
#include <memory>

#include "etch/cli/command.h"
#include "etch/core/error.h"
#include "etch/core/log.h"
#include "etch/core/thread_pool.h"

namespace etch::cli {

std::vector<CommandInfo>& commands() {
  static std::vector<CommandInfo> c;
  return c;
}
void register_command(CommandInfo info) { commands().push_back(std::move(info)); }
GlobalOptions& global_options() {
  static GlobalOptions g;
  return g;
}

}  // namespace etch::cli

int main(int argc, char** argv) {
  using namespace etch;
  CLI::App app{
      "etch: from a trained ONNX network to an NPU program, measured end to end.\n"
      "Example: etch inspect model.onnx"};
  app.set_version_flag("--version", std::string("etch ") + ETCH_VERSION);
  app.require_subcommand(1);
  auto& g = cli::global_options();
  app.add_option("--threads", g.threads, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet", g.quiet, "print errors only");
  std::function<int()> run;
  std::sort(cli::commands().begin(), cli::commands().end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  for (auto& c : cli::commands()) {
    CLI::App* sub = app.add_subcommand(c.name, c.description);
    auto fn = c.setup(*sub);
    sub->callback([&run, fn] { run = fn; });
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  set_num_threads(g.threads);
  if (g.quiet) set_log_level(LogLevel::Quiet);
  try {
    return run ? run() : 0;
  } catch (const Error& e) {
    std::fprintf(stderr, "etch: %s: %s\n", error_kind_name(e.kind()), e.what());
    return e.kind() == ErrorKind::Internal ? 1 : 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "etch: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "etch: internal error: %s\n", e.what());
    return 1;
  }
}
