// Inputs that must fail: each runs the etch binary and expects exit code 2, a
// single line on stderr naming the offending file, node or input, and no file
// left in the output folder.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "cli/etch_process.h"
#include "etch/data/npy.h"

namespace etch {
namespace {

using testing::quote;
using testing::ScratchDir;
using testing::source_path;

using testing::kCnn;
const std::string kCnnInput = source_path("fixtures/cnn_input.npy");

std::string bad_model(const std::string& name) { return source_path("tests/errors/models/" + name); }

// Runs `etch ARGS` (for `run`, with --output-dir out) in a fresh folder and checks the failure contract.
void expect_clean_failure(const ScratchDir& dir, const std::string& args, const std::vector<std::string>& mentions) {
  std::filesystem::create_directories(dir.path() / "out");
  const bool writes = args.rfind("run ", 0) == 0;
  testing::ProcessResult r = testing::run_etch(args + (writes ? " --output-dir out" : ""), dir);
  EXPECT_EQ(r.exit_code, 2) << "stderr: " << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.rfind("etch: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "expected exactly one line, got:\n" << r.err;
  for (const std::string& m : mentions)
    EXPECT_NE(r.err.find(m), std::string::npos) << "missing '" << m << "' in: " << r.err;
  size_t left = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path() / "out")) {
    ADD_FAILURE() << "left behind: " << e.path();
    ++left;
  }
  EXPECT_EQ(left, 0u);
  if (std::getenv("ETCH_SHOW_ERRORS")) std::fprintf(stderr, "  %s", r.err.c_str());
}

std::string run_cnn_with(const std::string& input) { return "run " + quote(kCnn) + " --input " + quote(input); }

TEST(CliErrors, TruncatedOnnx) {
  ScratchDir dir;
  std::string bytes = testing::slurp(kCnn);
  ASSERT_GT(bytes.size(), 1000u);
  dir.write("truncated.onnx", bytes.substr(0, bytes.size() / 2));
  expect_clean_failure(dir, "run truncated.onnx --input " + quote(kCnnInput), {"truncated.onnx"});
}

TEST(CliErrors, RandomBytesOnnx) {
  ScratchDir dir;
  std::mt19937 gen(1234);
  std::string bytes(4096, '\0');
  for (char& c : bytes) c = static_cast<char>(gen() & 0xFF);
  dir.write("random.onnx", bytes);
  expect_clean_failure(dir, "run random.onnx --input " + quote(kCnnInput), {"random.onnx"});
  expect_clean_failure(dir, "inspect random.onnx", {"random.onnx"});
}

TEST(CliErrors, ModelInputWithoutShape) {
  ScratchDir dir;
  data::write_npy(dir / "x.npy", Tensor::from_vector<float>({2}, {1, -1}));
  expect_clean_failure(dir, "run " + quote(bad_model("no_shape.onnx")) + " --input x.npy", {"no_shape.onnx", "'x'"});
}

TEST(CliErrors, MissingInputNpy) {
  ScratchDir dir;
  expect_clean_failure(dir, run_cnn_with("does_not_exist.npy"), {"does_not_exist.npy"});
}

TEST(CliErrors, WronglyShapedInputNpy) {
  ScratchDir dir;
  data::write_npy(dir / "flat.npy", Tensor(DType::F32, {8, 28, 28}));
  expect_clean_failure(dir, run_cnn_with("flat.npy"), {"flat.npy", "[8,28,28]", "'input'"});
}

TEST(CliErrors, DataArrayOfTheWrongShapeSaysWhatFits) {
  ScratchDir dir;
  data::write_npy(dir / "three.npy", Tensor(DType::F32, {2, 3, 28, 28}));
  expect_clean_failure(dir, "run " + quote(kCnn) + " --data npy:three.npy",
                       {"'x'", "[2,3,28,28]", "'input'", "give [N,1,28,28]"});
}

TEST(CliErrors, WrongDtypeInputNpy) {
  ScratchDir dir;
  data::write_npy(dir / "ints.npy", Tensor(DType::I64, {1, 1, 28, 28}));
  expect_clean_failure(dir, run_cnn_with("ints.npy"), {"ints.npy", "i64", "'input'"});
}

TEST(CliErrors, CorruptNpyHeader) {
  ScratchDir dir;
  dir.write("corrupt.npy", std::string("\x93NUMPY\x01\x00\x20\x00{'descr': '<f4', 'fortran_order", 40));
  expect_clean_failure(dir, run_cnn_with("corrupt.npy"), {"corrupt.npy: corrupt .npy header"});
}

TEST(CliErrors, TruncatedNpyData) {
  ScratchDir dir;
  std::string bytes = data::serialize_npy(Tensor(DType::F32, {2, 1, 28, 28}));
  dir.write("short.npy", bytes.substr(0, bytes.size() - 100));
  expect_clean_failure(dir, run_cnn_with("short.npy"), {"short.npy: truncated .npy data"});
}

TEST(CliErrors, UnsupportedOpsAreAllNamedInOneLine) {
  ScratchDir dir;
  data::write_npy(dir / "x.npy", Tensor(DType::F32, {3, 2, 2}));
  expect_clean_failure(dir, "run " + quote(bad_model("unsupported_ops.onnx")) + " --input x.npy",
                       {"det_node", "Det", "reverse_node", "ReverseSequence"});
}

TEST(CliErrors, NegativeDimension) {
  ScratchDir dir;
  data::write_npy(dir / "x.npy", Tensor(DType::F32, {1, 3, 4}));
  expect_clean_failure(dir, "run " + quote(bad_model("negative_dim.onnx")) + " --input x.npy",
                       {"negative_dim.onnx", "-3"});
}

TEST(CliErrors, ZeroDimension) {
  ScratchDir dir;
  data::write_npy(dir / "x.npy", Tensor(DType::F32, {2, 0}));
  expect_clean_failure(dir, "run " + quote(bad_model("zero_dim.onnx")) + " --input x.npy", {"zero_dim.onnx", "'x'"});
  // An empty batch for the CNN: the file is named.
  data::write_npy(dir / "empty.npy", Tensor(DType::F32, {0, 1, 28, 28}));
  expect_clean_failure(dir, run_cnn_with("empty.npy"), {"empty.npy", "empty"});
}

TEST(CliErrors, ExternalDataOutsideTheModelFolder) {
  ScratchDir dir;
  // The file the model points at exists (with the right size), so only the
  // folder confinement can refuse it.
  std::filesystem::create_directories(dir.path() / "models");
  std::filesystem::copy_file(bad_model("external_outside.onnx"), dir.path() / "models" / "external_outside.onnx");
  dir.write("secret.bin", std::string(16, '\0'));
  data::write_npy(dir / "x.npy", Tensor(DType::F32, {4}));
  expect_clean_failure(dir, "run models/external_outside.onnx --input x.npy", {"external_outside.onnx", "secret.bin"});
}

TEST(CliErrors, BadArgumentsExitWithTwo) {
  ScratchDir dir;
  expect_clean_failure(dir, "run " + quote(kCnn), {"--input"});  // nothing to run on
  expect_clean_failure(dir, run_cnn_with("other=" + kCnnInput), {"'other'", "'input'"});
  testing::ProcessResult r = testing::run_etch("no-such-command", dir);
  EXPECT_EQ(r.exit_code, 2);
}

}  // namespace
}  // namespace etch
