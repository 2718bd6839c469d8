// Every command over every corpus model with bad input: a truncated model
// file, an input of the wrong shape, an .npz without input arrays and one with
// zero samples. A user's mistake must end with exit 2 and one line naming the
// file (or the model input), never exit 1 ("internal error"), and leave no
// output behind. The corpus is fetched by scripts/setup.sh; absent, this fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/etch_process.h"
#include "data/npz_writer.h"

namespace etch::cli {
namespace {

namespace fs = std::filesystem;
using namespace etch::testing;

struct CorpusModel {
  std::string name, file;
  std::vector<std::string> input_names;
  std::vector<std::vector<int64_t>> input_shapes;
};

std::vector<CorpusModel> corpus(const ScratchDir& dir) {
  const ProcessResult r = run_etch("models --json", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<CorpusModel> v;
  const nlohmann::json listing = nlohmann::json::parse(r.out);
  for (const auto& m : listing["models"]) {
    EXPECT_EQ(m["state"], "verified") << m["name"] << " is not in the model cache (run scripts/fetch_models.sh)";
    CorpusModel c{m["name"], m["file"], {}, {}};
    for (const auto& in : m["inputs"]) {
      c.input_names.push_back(in["name"]);
      c.input_shapes.push_back(in["shape"].get<std::vector<int64_t>>());
    }
    v.push_back(c);
  }
  EXPECT_GE(v.size(), 20u);
  return v;
}

// The commands that read a model and a data set, with MODEL and DATA to fill in.
const std::vector<std::string> kDataCommands = {
    "run MODEL --data DATA",
    "quantize MODEL --data DATA --test none -o out.onnx",
    "prune MODEL --criterion taylor --data DATA --eval none -o out.onnx",
    "validate MODEL --data DATA",
    "deploy MODEL --data DATA --target edge -o out",
    "train --init MODEL --data DATA --eval none --epochs 1 -o out.onnx",
    "distill --teacher MODEL --student MODEL --data DATA --eval none --epochs 1 -o out.onnx",
};

std::string with_paths(std::string cmd, const std::string& model, const std::string& data) {
  for (auto [key, value] : {std::pair<std::string, std::string>{"MODEL", quote(model)}, {"DATA", quote(data)}})
    for (size_t p; (p = cmd.find(key)) != std::string::npos;) cmd.replace(p, key.size(), value);
  return cmd;
}

// exit 2, one line naming `mention`, and none of the outputs the command names.
void expect_refused(const std::string& cmd, const std::string& mention, const ScratchDir& dir) {
  SCOPED_TRACE("etch " + cmd);
  expect_one_line_user_error(run_etch(cmd, dir), {mention});
  for (const char* out : {"out", "out.onnx", "out.npu"}) EXPECT_FALSE(fs::exists(dir.path() / out)) << out;
}

// The name a data error must carry: the data file, or the model's when etch
// does not take the model at all (then that is the first thing to say).
std::string data_error_subject(const CorpusModel& m, const std::string& data_file, const ScratchDir& dir) {
  return run_etch("inspect " + quote(m.file), dir).exit_code == 0 ? data_file : m.file;
}

TEST(CorpusBadInput, TruncatedModelFileIsNamedByEveryCommand) {
  ScratchDir dir;
  for (const CorpusModel& m : corpus(dir)) {
    SCOPED_TRACE(m.name);
    const std::string bytes = slurp(m.file);
    const std::string cut =
        dir.write("truncated" + fs::path(m.file).extension().string(), bytes.substr(0, bytes.size() / 2));
    for (const char* cmd : {"inspect MODEL", "convert MODEL -o out.onnx", "compile MODEL --target edge -o out.npu"})
      expect_refused(with_paths(cmd, cut, ""), cut, dir);
    for (const std::string& cmd : kDataCommands) expect_refused(with_paths(cmd, cut, "fashion-mnist:test:8"), cut, dir);
  }
}

TEST(CorpusBadInput, WrongShapeInputNamesTheFileAndTheModelInput) {
  ScratchDir dir;
  data::write_npy(dir / "wrong.npy", Tensor(DType::F32, {1, 3, 5, 7}));
  for (const CorpusModel& m : corpus(dir)) {
    SCOPED_TRACE(m.name);
    const ProcessResult r = run_etch("run " + quote(m.file) + " -i wrong.npy", dir);
    if (data_error_subject(m, "wrong.npy", dir) == m.file) {
      expect_one_line_user_error(r, {m.file});
    } else {
      expect_one_line_user_error(r, {"wrong.npy", m.input_names[0]});
    }
  }
}

TEST(CorpusBadInput, NpzWithoutInputArraysIsNamedByEveryCommand) {
  ScratchDir dir;
  const std::string npz = dir.write("labels_only.npz", npz_bytes({{"y", Tensor(DType::I64, {4})}}));
  for (const CorpusModel& m : corpus(dir)) {
    SCOPED_TRACE(m.name);
    const std::string subject = data_error_subject(m, npz, dir);
    for (const std::string& cmd : kDataCommands) expect_refused(with_paths(cmd, m.file, "npz:" + npz), subject, dir);
  }
}

TEST(CorpusBadInput, NpzWithZeroSamplesIsNamedByEveryCommand) {
  ScratchDir dir;
  for (const CorpusModel& m : corpus(dir)) {
    SCOPED_TRACE(m.name);
    Shape s = m.input_shapes[0];
    s[0] = 0;  // the sample axis
    const std::string npz = dir.write(m.name + "_empty.npz", npz_bytes({{"x", Tensor(DType::F32, s)}}));
    const std::string subject = data_error_subject(m, npz, dir);
    for (const std::string& cmd : kDataCommands) expect_refused(with_paths(cmd, m.file, "npz:" + npz), subject, dir);
  }
}

}  // namespace
}  // namespace etch::cli
