// etch deploy on the smallest-to-deploy corpus models with real data (a
// few speech clips of the corpus data sets, no labels; BlazeFace's compile
// alone takes over a minute, so the image models are measured, not run here): every stage runs, and
// the report measures the integer graph against the float model per output.
// The corpus and its data are fetched by scripts/setup.sh; absent, this fails.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/etch_process.h"
#include "etch/data/npy.h"

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

// The keyword head's real input: 28 consecutive embeddings of speech, made by
// the chain's first two models (melspectrogram, then embedding of x·0.1 + 2)
// on two clips, windows every 80 ms; written as npy:FILE for the head.
std::string keyword_head_input(const std::string& clips, const std::string& name, const ScratchDir& dir) {
  const std::string mel_model = model_path("wakeword-melspectrogram", dir);
  const std::string emb_model = model_path("wakeword-embedding", dir);
  ProcessResult r = run_etch("run " + quote(mel_model) + " --data " +
                                 quote("wav:" + clips + "?rate=16000,length=12512,hop=1280,input=input") + " -o " +
                                 quote(name + "_mel"),
                             dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Tensor mel = data::read_npy(dir / (name + "_mel/output.npy"));  // [N, 1, 76, 32]
  Tensor emb_in = mel.reshaped({mel.dim(0), 76, 32, 1}).clone();
  for (int64_t i = 0; i < emb_in.numel(); ++i) emb_in.data<float>()[i] = emb_in.data<float>()[i] * 0.1f + 2.0f;
  data::write_npy(dir / (name + "_emb_in.npy"), emb_in);
  r = run_etch("run " + quote(emb_model) + " --data " + quote("npy:" + dir / (name + "_emb_in.npy")) + " -o " +
                   quote(name + "_emb"),
               dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const Tensor emb = data::read_npy(dir / (name + "_emb/conv2d_19.npy"));  // [N, 1, 1, 96]
  const int64_t n = emb.dim(0), windows = (n - 28) / 7 + 1;
  EXPECT_GE(n, 28) << "two clips give at least 28 embeddings";
  Tensor x(DType::F32, {windows, 28, 96});
  for (int64_t w = 0; w < windows; ++w)
    std::copy_n(emb.data<float>() + w * 7 * 96, 28 * 96, x.data<float>() + w * 28 * 96);
  const std::string file = dir / (name + "_head.npy");
  data::write_npy(file, x);
  return file;
}

TEST(CorpusDeploy, WakewordHeyLookdeepOnSpeechEmbeddings) {
  ScratchDir dir;
  const std::string model = model_path("wakeword-hey-lookdeep", dir);
  const std::string calib = keyword_head_input(copy_first("speech/calib", "calib", 2, dir), "calib", dir);
  const std::string eval = keyword_head_input(copy_first("speech/eval", "eval", 2, dir), "eval", dir);
  expect_deploys(model, "npy:" + calib, "npy:" + eval, 1, dir);
}

TEST(CorpusDeploy, WakewordMelspectrogramOnSpeech) {
  ScratchDir dir;
  const std::string model = model_path("wakeword-melspectrogram", dir);
  const std::string calib = copy_first("speech/calib", "calib", 2, dir);
  const std::string eval = copy_first("speech/eval", "eval", 2, dir);
  const std::string pre = "?rate=16000,length=12512,input=input";
  expect_deploys(model, "wav:" + calib + pre, "wav:" + eval + pre, 1, dir);
}

// Silero VAD (both versions): its If on the sample rate folds because the
// manifest binds `sr` to 16000, its LSTM stays float, its state inputs get
// zeros; the speech probability per frame is compared by decision at 0.5.
TEST(CorpusDeploy, SileroVadOnSpeech) {
  struct Case {
    const char* name;
    int frame;
    size_t outputs;
  };
  for (const Case& m : {Case{"silero-vad-v5", 512, 2}, Case{"silero-vad-legacy", 1536, 3}}) {
    SCOPED_TRACE(m.name);
    ScratchDir dir;
    const std::string model = model_path(m.name, dir);
    const std::string pre = "?rate=16000,length=" + std::to_string(m.frame) + ",input=input";
    const std::string calib = copy_first("speech/calib", "calib", 1, dir);
    const std::string eval = copy_first("speech/eval", "eval", 1, dir);
    expect_deploys(model, "wav:" + calib + pre, "wav:" + eval + pre, m.outputs, dir);
    const nlohmann::json rep = nlohmann::json::parse(slurp(dir.path() / "out" / "report.json"));
    const nlohmann::json& prob = rep["fidelity"][0];
    EXPECT_EQ(prob["output"], "output");
    ASSERT_TRUE(prob["decision_agreement"].is_number()) << prob.dump();
    EXPECT_GT(prob["decision_agreement"].get<double>(), 0.5) << prob.dump();
    // `etch simulate` feeds the model as deploy does: the speech by input
    // name, zeros for the state (it crashed on data without an "x" array).
    const ProcessResult sim = run_etch(
        "simulate out/model.npu --model out/model.int8.onnx --compare --data " + quote("wav:" + eval + pre), dir);
    ASSERT_EQ(sim.exit_code, 0) << sim.err << sim.out;
    EXPECT_NE(sim.out.find("bit-exact vs the integer reference: yes"), std::string::npos) << sim.out;
    // Other speech is other data: nothing calibrated on the first clip is reused.
    const std::string other = copy_first("speech/eval", "calib_other", 1, dir);
    const ProcessResult again =
        run_etch("deploy " + quote(model) + " --train-data " + quote("wav:" + other + pre) + " --eval-data " +
                     quote("wav:" + eval + pre) + " --calib-samples 4 --sqnr-samples 2 --target edge -o out",
                 dir);
    ASSERT_EQ(again.exit_code, 0) << again.err << again.out;
    EXPECT_NE(again.out.find("quantize  ran"), std::string::npos) << again.out;
  }
}

// Silero VAD v5 run as a stream (carry=stateN:state): the clip's first frame
// starts from zeros as without carry, later frames see the state the frame
// before left and so decide differently; deploy carries it too.
TEST(CorpusDeploy, SileroVadCarriesItsStateAlongAClip) {
  ScratchDir dir;
  const std::string model = model_path("silero-vad-v5", dir);
  const std::string eval = copy_first("speech/eval", "eval", 1, dir);
  const std::string pre = "?rate=16000,length=512,input=input";
  for (const auto& [spec, out] : {std::pair{pre, "alone"}, std::pair{pre + ",carry=stateN:state", "stream"}}) {
    const ProcessResult r =
        run_etch("run " + quote(model) + " --data " + quote("wav:" + eval + spec) + " -o " + out, dir);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::vector<float> alone = data::read_npy(dir / "alone/output.npy").to_float_vector();
  const std::vector<float> stream = data::read_npy(dir / "stream/output.npy").to_float_vector();
  ASSERT_EQ(alone.size(), stream.size());
  ASSERT_GT(alone.size(), 10u);
  EXPECT_EQ(alone[0], stream[0]);
  size_t differ = 0;
  for (size_t i = 1; i < alone.size(); ++i) differ += alone[i] != stream[i];
  EXPECT_GT(differ, alone.size() / 2);
  const std::string carried = "wav:" + eval + pre + ",carry=stateN:state";
  expect_deploys(model, carried, carried, 2, dir);
  const ProcessResult bad =
      run_etch("run " + quote(model) + " --data " + quote("wav:" + eval + pre + ",carry=hn:h"), dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("carry=hn:h: the model has no output 'hn'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace etch::cli
