// Per-layer SQNR: one entry per quantized activation, worst first; error grows
// (SQNR falls) when weights go from 8 to 4 bits, and the weight quantizer is
// then blamed.
#include "etch/quant/layer_report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "etch/quant/lower_qdq.h"
#include "etch/quant/ptq.h"
#include "etch/quant/qdq_util.h"
#include "quant/quant_test_models.h"

namespace etch::quant {
namespace {

TEST(Sqnr, HandDerived) {
  const Tensor x = Tensor::from_vector<float>({2}, {3.0f, 4.0f});
  const Tensor y = Tensor::from_vector<float>({2}, {3.0f, 4.5f});
  EXPECT_NEAR(sqnr_db(x, y), 20.0 * std::log10(5.0 / 0.5), 1e-9);  // ‖x‖ = 5, ‖x − y‖ = 0.5
  EXPECT_TRUE(std::isinf(sqnr_db(x, x)));
}

TEST(LayerReport, SortedWorstFirstAndBlamesFourBitWeights) {
  const ir::Graph f = testing::small_net();
  const data::Dataset d = testing::blobs(64);
  PtqOptions o;
  o.calibration = Calibration::MinMax;
  o.calib_samples = 64;
  o.calib_batch = 16;
  const ir::Graph prepared = prepare_for_quantization(f);
  const ir::Graph q8 = quantize_ptq(f, d, o);
  const auto e8 = layer_errors(prepared, q8, lower_qdq(q8), d, 32);
  ASSERT_GE(e8.size(), 6u);
  for (size_t i = 1; i < e8.size(); ++i) EXPECT_LE(e8[i - 1].sqnr_db, e8[i].sqnr_db);
  for (const auto& e : e8) EXPECT_GT(e.sqnr_db, 10.0) << e.node;
  o.weight_bits = 4;
  const ir::Graph q4 = quantize_ptq(f, d, o);
  const auto e4 = layer_errors(prepared, q4, lower_qdq(q4), d, 32);
  auto find = [](const std::vector<LayerError>& v, const std::string& node) {
    for (const auto& e : v)
      if (e.node == node) return e;
    return LayerError{};
  };
  const LayerError a = find(e8, "conv2"), b = find(e4, "conv2");
  EXPECT_EQ(a.op, "QConv");
  EXPECT_LT(b.sqnr_db, a.sqnr_db);
  EXPECT_LT(b.weight_sqnr_db, a.weight_sqnr_db - 15.0) << "4 bits: ~24 dB less weight SQNR";
  EXPECT_EQ(b.dominant, "weights");
  const auto j = nlohmann::json::parse(layer_errors_json(e4));
  EXPECT_EQ(j.size(), e4.size());
  EXPECT_TRUE(j[0].contains("sqnr_db"));
}

}  // namespace
}  // namespace etch::quant
