// The ONNX conformance cases of the quantized ops (libonnx-testdata), run
// through import + the reference interpreter. Integer outputs must match
// exactly; DequantizeLinear's float outputs are exact too (small integers
// times power-of-two or integral scales).
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"

namespace etch {
namespace {

namespace fs = std::filesystem;
const char* kNodeDir = "/usr/share/libonnx-testdata/data/node";

std::vector<Tensor> read_numbered(const fs::path& dir, const std::string& prefix) {
  std::vector<Tensor> out;
  for (int i = 0;; ++i) {
    const fs::path p = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(p)) break;
    out.push_back(onnx::read_tensor_proto_file(p.string()));
  }
  return out;
}

class QuantConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(QuantConformance, MatchesExactly) {
  const fs::path dir = fs::path(kNodeDir) / GetParam();
  ASSERT_TRUE(fs::exists(dir / "model.onnx"))
      << "libonnx-testdata case missing: " << dir << " (apt-get install libonnx-testdata; scripts/setup.sh does)";
  const ir::Graph g = onnx::import_model((dir / "model.onnx").string());
  runtime::Interpreter interp(g);
  int sets = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory() || entry.path().filename().string().rfind("test_data_set_", 0) != 0) continue;
    ++sets;
    const std::vector<Tensor> inputs = read_numbered(entry.path(), "input_");
    const std::vector<Tensor> expected = read_numbered(entry.path(), "output_");
    const std::vector<Tensor> got = interp.run(inputs);
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i].dtype(), expected[i].dtype()) << "output " << i;
      ASSERT_EQ(got[i].shape(), expected[i].shape()) << "output " << i;
      for (int64_t j = 0; j < got[i].numel(); ++j)
        EXPECT_EQ(got[i].get_as_double(j), expected[i].get_as_double(j)) << "output " << i << " element " << j;
    }
  }
  EXPECT_GT(sets, 0);
}

INSTANTIATE_TEST_SUITE_P(Node, QuantConformance,
                         ::testing::Values("test_basic_convinteger", "test_convinteger_with_padding",
                                           "test_convinteger_without_padding", "test_dequantizelinear",
                                           "test_dequantizelinear_axis", "test_dynamicquantizelinear",
                                           "test_dynamicquantizelinear_max_adjusted",
                                           "test_dynamicquantizelinear_min_adjusted", "test_matmulinteger",
                                           "test_qlinearconv", "test_qlinearmatmul_2D", "test_qlinearmatmul_3D",
                                           "test_quantizelinear", "test_quantizelinear_axis"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param.substr(5); });

}  // namespace
}  // namespace etch
