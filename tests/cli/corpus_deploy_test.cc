// etch deploy on the two smallest corpus models with real data (a few photos
// and speech clips of the corpus data sets, no labels): every stage runs, and
// the report measures the integer graph against the float model per output.
// The corpus and its data are fetched by scripts/setup.sh; absent, this fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/etch_process.h"

namespace etch::cli {
namespace {

namespace fs = std::filesystem;
using namespace etch::testing;

std::string corpus_data_dir() {
  if (const char* d = std::getenv("ETCH_DATA_CACHE")) return d;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.cache/etch/corpus-data";
}

std::string model_path(const std::string& name, const ScratchDir& dir) {
  const ProcessResult r = run_etch("models path " + name, dir);
  EXPECT_EQ(r.exit_code, 0) << name << " is not in the model cache (run scripts/fetch_models.sh): " << r.err;
  std::string p = r.out;
  while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
  return p;
}

// The first `count` files (sorted) of a corpus data folder, copied into dir/to.
std::string copy_first(const std::string& from, const std::string& to, size_t count, const ScratchDir& dir) {
  const fs::path src = fs::path(corpus_data_dir()) / from;
  EXPECT_TRUE(fs::is_directory(src)) << src << " is missing (run scripts/make_corpus_data.py)";
  std::vector<fs::path> files;
  if (fs::is_directory(src))
    for (const auto& e : fs::directory_iterator(src))
      if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), count) << src;
  const fs::path dst = dir.path() / to;
  fs::create_directories(dst);
  for (size_t i = 0; i < std::min(count, files.size()); ++i) fs::copy_file(files[i], dst / files[i].filename());
  return dst.string();
}

void expect_deploys(const std::string& model, const std::string& train_spec, const std::string& eval_spec,
                    size_t outputs, const ScratchDir& dir) {
  const ProcessResult r = run_etch("deploy " + quote(model) + " --train-data " + quote(train_spec) + " --eval-data " +
                                       quote(eval_spec) + " --calib-samples 4 --sqnr-samples 2 --target edge -o out",
                                   dir);
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* f : {"model.int8.onnx", "model.npu", "report.json", "report.html"})
    EXPECT_TRUE(fs::exists(dir.path() / "out" / f)) << f;
  const nlohmann::json rep = nlohmann::json::parse(slurp(dir.path() / "out" / "report.json"));
  ASSERT_TRUE(rep.contains("fidelity")) << rep.dump(2);
  ASSERT_EQ(rep["fidelity"].size(), outputs);
  for (const auto& f : rep["fidelity"]) {
    // int8 is not float: every output differs somewhat, and is measured.
    EXPECT_TRUE(f["sqnr_db"].is_number()) << f.dump();
    EXPECT_GT(f["max_abs_diff"].get<double>(), 0.0) << f.dump();
  }
  EXPECT_NE(slurp(dir.path() / "out" / "report.html").find("Output fidelity"), std::string::npos);
}

TEST(CorpusDeploy, BlazeFaceFront128OnPhotos) {
  ScratchDir dir;
  const std::string model = model_path("blazeface-front-128", dir);
  const std::string calib = copy_first("images/calib", "calib", 4, dir);
  const std::string eval = copy_first("images/eval", "eval", 3, dir);
  const std::string pre = "?size=128x128,layout=nhwc,mean=0.5,std=0.5,input=input:0";
  expect_deploys(model, "images:" + calib + pre, "images:" + eval + pre, 4, dir);
}

TEST(CorpusDeploy, WakewordMelspectrogramOnSpeech) {
  ScratchDir dir;
  const std::string model = model_path("wakeword-melspectrogram", dir);
  const std::string calib = copy_first("speech/calib", "calib", 2, dir);
  const std::string eval = copy_first("speech/eval", "eval", 2, dir);
  const std::string pre = "?rate=16000,length=12512,input=input";
  expect_deploys(model, "wav:" + calib + pre, "wav:" + eval + pre, 1, dir);
}

}  // namespace
}  // namespace etch::cli
