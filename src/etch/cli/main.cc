#include <algorithm>
#include <cstdio>
#include <memory>
#include <utility>

#include "etch/cli/command.h"
#include "etch/core/error.h"
#include "etch/core/log.h"
#include "etch/core/thread_pool.h"
#include "etch/eval/load_model.h"
#include "etch/runtime/kernels/gemm.h"

namespace etch::cli {

std::vector<CommandInfo>& commands() {
  static std::vector<CommandInfo> c;
  return c;
}
void register_command(CommandInfo info) { commands().push_back(std::move(info)); }
namespace {
// NAME=ITEM<sep>ITEM... as given to `option`: the name and the items (none empty).
std::pair<std::string, std::vector<std::string>> split_binding(const std::string& spec, const std::string& option,
                                                               const std::string& form, char sep) {
  const size_t eq = spec.find('=');
  ETCH_REQUIRE(eq != std::string::npos && eq > 0 && eq + 1 < spec.size(), InvalidInput)
      << option << " '" << spec << "': expected " << form;
  std::vector<std::string> items;
  for (size_t pos = eq + 1; pos <= spec.size();) {
    const size_t end = std::min(spec.find(sep, pos), spec.size());
    items.push_back(spec.substr(pos, end - pos));
    pos = end + 1;
  }
  return {spec.substr(0, eq), items};
}
}  // namespace

std::map<std::string, std::vector<double>> parse_const_inputs(const std::vector<std::string>& specs) {
  std::map<std::string, std::vector<double>> out;
  for (const std::string& spec : specs) {
    auto [name, items] = split_binding(spec, "--const-input", "NAME=VALUE[,VALUE...], e.g. sr=16000", ',');
    std::vector<double> values;
    for (const std::string& item : items) {
      size_t used = 0;
      double v = 0;
      try {
        v = std::stod(item, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      ETCH_REQUIRE(!item.empty() && used == item.size(), InvalidInput)
          << "--const-input '" << spec << "': '" << item << "' is not a number";
      values.push_back(v);
    }
    out[name] = std::move(values);
  }
  return out;
}

std::map<std::string, std::vector<int64_t>> parse_input_shapes(const std::vector<std::string>& specs) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const std::string& spec : specs) {
    auto [name, items] = split_binding(spec, "--input-shape", "NAME=DIMS, e.g. input=1x512", 'x');
    std::vector<int64_t> dims;
    for (const std::string& item : items) {
      const bool digits = !item.empty() && item.size() < 12 &&
                          std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; });
      ETCH_REQUIRE(digits && std::stoll(item) > 0, InvalidInput)
          << "--input-shape '" << spec << "': '" << item << "' is not a positive dimension";
      dims.push_back(std::stoll(item));
    }
    out[name] = std::move(dims);
  }
  return out;
}

GlobalOptions& global_options() {
  static GlobalOptions g;
  return g;
}

}  // namespace etch::cli

int main(int argc, char** argv) {
  using namespace etch;
  runtime::blas_setup();  // before any worker thread exists (it may set an environment variable)
  CLI::App app{
      "etch: from a trained ONNX network to an NPU program, measured end to end.\n"
      "Example: etch inspect model.onnx"};
  app.set_version_flag("--version", std::string("etch ") + ETCH_VERSION);
  app.require_subcommand(1);
  auto& g = cli::global_options();
  app.add_option("--threads", g.threads, "worker threads (default: all cores); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--quiet", g.quiet, "print errors only");
  std::vector<std::string> const_inputs;
  app.add_option("--const-input", const_inputs,
                 "NAME=VALUE[,VALUE...]: bind model input NAME to a constant before import-time folding, for every "
                 "command that reads a model (it leaves the inputs and becomes a weight; one value fills the whole "
                 "input, or give one per element). Needed for an If on an input that never changes, e.g. "
                 "`etch deploy silero_vad.onnx --const-input sr=16000 ...`; may be given after the command name")
      ->type_name("NAME=VALUE");
  std::vector<std::string> input_shapes;
  app.add_option("--input-shape", input_shapes,
                 "NAME=DIMS, e.g. input=1x512: give a model input with symbolic dimensions a static shape before "
                 "import-time folding (shape arithmetic and an If testing it then fold); may be given after the "
                 "command name")
      ->type_name("NAME=DIMS");
  // Global options may follow the command name (`etch run m.onnx --const-input sr=16000`).
  app.fallthrough();
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
  try {
    eval::set_input_bindings({cli::parse_const_inputs(const_inputs), cli::parse_input_shapes(input_shapes)});
  } catch (const Error& e) {
    std::fprintf(stderr, "etch: %s: %s\n", error_kind_name(e.kind()), e.what());
    return 2;
  }
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
