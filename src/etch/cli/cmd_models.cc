// etch models: list the real-model corpus (models/manifest.toml) and where each
// file is in the cache that scripts/fetch_models.sh fills; `etch models path NAME`
// prints one file's path for scripts.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "etch/cli/command.h"
#include "etch/cli/table.h"
#include "etch/core/error.h"
#include "etch/eval/model_corpus.h"

namespace etch::cli {
namespace {

struct ModelsArgs {
  CLI::App* path = nullptr;
  std::string name;
  std::string manifest;
  bool json = false;
};

std::string shape_text(const std::vector<int64_t>& s) { return fmt::format("[{}]", fmt::join(s, ",")); }

std::string inputs_text(const eval::CorpusModel& m) {
  std::string out;
  for (const auto& in : m.inputs) {
    std::string extra;
    if (in.kind == "image") extra = " " + in.layout + " " + in.channel_order;
    if (in.kind == "audio") extra = fmt::format(" {} Hz", in.sample_rate);
    out += fmt::format("{}{} {}{} ({})", out.empty() ? "" : "; ", in.name, shape_text(in.shape), extra, in.kind);
  }
  return out;
}

nlohmann::json input_json(const eval::CorpusInput& in) {
  nlohmann::json j = {{"name", in.name}, {"dtype", in.dtype}, {"shape", in.shape}, {"kind", in.kind}};
  if (in.kind == "image") {
    j["layout"] = in.layout;
    j["channel_order"] = in.channel_order;
    j["size"] = in.size;
    j["scale"] = in.scale;
    j["mean"] = in.mean;
    j["std"] = in.std;
    if (in.channel_order == "rgba") j["alpha"] = in.alpha;
  } else if (in.kind == "audio") {
    j["sample_rate"] = in.sample_rate;
  } else if (in.kind == "tensor") {
    if (!in.source.empty()) j["source"] = in.source;
    j["scale"] = in.scale;
    j["mean"] = in.mean.empty() ? 0.0 : in.mean[0];
  } else if (in.kind == "constant") {
    j["value"] = in.value;
  }
  return j;
}

int run_list(const eval::Corpus& c, const std::string& cache, bool json) {
  std::vector<eval::CacheState> states;
  for (const auto& m : c.models) states.push_back(eval::check_cached_model(m, cache));
  if (json) {
    nlohmann::json j = {{"manifest", c.manifest_path}, {"cache", cache}, {"models", nlohmann::json::array()}};
    for (size_t i = 0; i < c.models.size(); ++i) {
      const auto& m = c.models[i];
      nlohmann::json inputs = nlohmann::json::array();
      for (const auto& in : m.inputs) inputs.push_back(input_json(in));
      nlohmann::json packed = nullptr;
      if (!m.packed.empty()) packed = {{"archive", m.packed}, {"begin", m.packed_begin}, {"end", m.packed_end}};
      j["models"].push_back({{"name", m.name},
                             {"format", m.format},
                             {"task", m.task},
                             {"description", m.description},
                             {"package", m.package},
                             {"version", m.version},
                             {"path_in_package", m.path},
                             {"packed", packed},
                             {"sha256", m.sha256},
                             {"license", m.license},
                             {"opset", m.opset},
                             {"inputs", inputs},
                             {"file", eval::cached_model_path(m, cache)},
                             {"state", eval::cache_state_name(states[i])}});
    }
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  Table t({{"name", Align::Left},
           {"format", Align::Left},
           {"task", Align::Left},
           {"inputs", Align::Left},
           {"package", Align::Left},
           {"license", Align::Left},
           {"file", Align::Left}});
  size_t verified = 0;
  for (size_t i = 0; i < c.models.size(); ++i) {
    const auto& m = c.models[i];
    verified += states[i] == eval::CacheState::Verified;
    t.add_row({m.name, m.format, m.task, inputs_text(m), m.package + "@" + m.version, m.license,
               eval::cache_state_name(states[i])});
  }
  fmt::print("{}", t.render());
  fmt::print("{} of {} files verified in {} (manifest {}).\n", verified, c.models.size(), cache, c.manifest_path);
  if (verified < c.models.size()) fmt::print("Fetch them with scripts/fetch_models.sh.\n");
  return 0;
}

int run_path(const eval::Corpus& c, const std::string& cache, const std::string& name) {
  const eval::CorpusModel& m = c.find(name);
  const std::string file = eval::cached_model_path(m, cache);
  const eval::CacheState s = eval::check_cached_model(m, cache);
  ETCH_REQUIRE(s == eval::CacheState::Verified, InvalidInput)
      << fmt::format("model '{}': {} is {}; run scripts/fetch_models.sh", name, file, eval::cache_state_name(s));
  fmt::print("{}\n", file);
  return 0;
}

const CommandRegistrar register_models{
    {"models", "list the real-model corpus and where each model file is in the local cache",
     [](CLI::App& sub) -> std::function<int()> {
       auto a = std::make_shared<ModelsArgs>();
       sub.add_flag("--json", a->json, "print machine-readable JSON instead of a table");
       sub.add_option("--manifest", a->manifest,
                      "corpus manifest (default: $ETCH_MODEL_MANIFEST, else models/manifest.toml of the source tree)");
       a->path = sub.add_subcommand("path", "print the cached file of one corpus model (exit 2 unless verified)");
       a->path->add_option("name", a->name, "corpus model name, as `etch models` lists it")->required();
       a->path->footer("Example:\n  etch inspect \"$(etch models path blazeface-front-128)\"\n");
       sub.footer(
           "Examples:\n  etch models                          # table: task, inputs, package, license, cache state\n"
           "  etch models --json                   # everything the manifest says, plus each file's path\n"
           "  etch models path mlsd-tiny-320       # the cached .onnx, for scripts\n"
           "Files live in $ETCH_MODEL_CACHE (default ~/.cache/etch/models); scripts/fetch_models.sh fills it.\n"
           "Per-model details: docs/models.md.\n");
       return [a] {
         const eval::Corpus c = eval::load_corpus(a->manifest.empty() ? eval::default_manifest_path() : a->manifest);
         const std::string cache = eval::model_cache_dir();
         if (a->path->parsed()) return run_path(c, cache, a->name);
         return run_list(c, cache, a->json);
       };
     }}};

}  // namespace
}  // namespace etch::cli
