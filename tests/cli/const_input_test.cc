// `--const-input NAME=VALUE` from the command line on a model whose If reads a
// sample-rate input (tests/onnx/if_model.h): refused with exit code 2 naming the
// If and the input without it, folded with it, for every command reading a model.
#include <gtest/gtest.h>

#include "cli/etch_process.h"
#include "etch/data/npy.h"
#include "onnx/if_model.h"

namespace etch::cli {
namespace {

using namespace etch::testing;

std::string write_model(const ScratchDir& dir) {
  return dir.write("vad_like.onnx", onnx::testing::serialize(onnx::testing::vad_like_model()));
}

TEST(ConstInput, AnIfOnAnUnboundInputExitsTwoNamingTheNodeAndTheInput) {
  ScratchDir dir;
  const std::string model = write_model(dir);
  const ProcessResult r = run_etch("inspect " + quote(model), dir);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("node 'rate_if' (If)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'sr'"), std::string::npos) << r.err;
}

TEST(ConstInput, BoundAfterTheCommandNameTheIfFoldsAndTheInputIsGone) {
  ScratchDir dir;
  const std::string model = write_model(dir);
  data::write_npy(dir / "x.npy", Tensor::from_vector<float>({1, 4}, {1, 2, 3, 4}));
  ProcessResult r = run_etch("run " + quote(model) + " --const-input sr=8000 -i x.npy -o out", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(data::read_npy(dir / "out/y.npy").to_float_vector(), (std::vector<float>{2, 3, 4, 5}));
  r = run_etch("--const-input sr=16000 run " + quote(model) + " -i x.npy -o out16", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(data::read_npy(dir / "out16/y.npy").to_float_vector(), (std::vector<float>{2, 4, 6, 8}));
  r = run_etch("inspect " + quote(model) + " --const-input sr=16000 --json", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("\"If\""), std::string::npos) << r.out;
}

TEST(ConstInput, AMalformedBindingExitsTwoQuotingIt) {
  ScratchDir dir;
  const std::string model = write_model(dir);
  for (const std::string bad : {"sr", "sr=", "sr=16k", "=3"}) {
    const ProcessResult r = run_etch("inspect " + quote(model) + " --const-input " + quote(bad), dir);
    EXPECT_EQ(r.exit_code, 2) << bad << ": " << r.err;
    EXPECT_NE(r.err.find("--const-input '" + bad + "'"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace etch::cli
