// `etch compile --json`'s per-layer plan fields say what the mapper chose,
// including the tile shapes beyond channels x rows (row phases, column tiles,
// resident weights), and agree with the plan's printed form.
#include "etch/eval/compile_summary.h"

#include <gtest/gtest.h>

#include "compiler/fixtures.h"
#include "etch/compiler/compiler.h"

namespace etch {
namespace {

TEST(CompileSummary, LayersCarryEveryPlanShape) {
  const npu::Target t = npu::preset("edge");
  int phased = 0, narrow = 0, resident = 0, resident_input = 0;
  for (const testing::QGraph& q : {testing::wide_and_dilated(14), testing::wide_rows(15)}) {
    const compiler::CompiledModel m = compiler::compile(q.g, t);
    const nlohmann::json j = eval::compile_summary_json(m, t);
    ASSERT_EQ(j["layers"].size(), m.layers.size());
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const auto& l = m.layers[i];
      const nlohmann::json& jl = j["layers"][i];
      if (!l.has_plan) continue;
      EXPECT_EQ(jl["tiling"], l.plan.str());
      EXPECT_EQ(jl["tw"], l.plan.tw);
      EXPECT_EQ(jl["row_phases"], l.plan.row_phases);
      EXPECT_EQ(jl["resident_weights"], l.plan.resident_weights);
      const std::string tiling = jl["tiling"];
      EXPECT_EQ(l.plan.row_phases, tiling.find("ph ") != std::string::npos) << tiling;
      EXPECT_EQ(l.plan.resident_weights, tiling.find(" res") != std::string::npos) << tiling;
      EXPECT_EQ(jl["resident_input"], l.plan.resident_input);
      EXPECT_EQ(l.plan.resident_input, tiling.find(" rin") != std::string::npos) << tiling;
      EXPECT_EQ(l.plan.tw > 0, tiling.find(" w") != std::string::npos) << tiling;
      phased += jl["row_phases"].get<bool>();
      resident += jl["resident_weights"].get<bool>();
      resident_input += jl["resident_input"].get<bool>();
      narrow += jl["tw"].get<int64_t>() > 0;
    }
  }
  EXPECT_GE(phased, 1);
  EXPECT_GE(resident, 1);
  EXPECT_GE(resident_input, 1);
  EXPECT_GE(narrow, 1);
}

// ... and which layers keep their input or output on chip.
TEST(CompileSummary, LayersSayWhichActivationsStayOnChip) {
  const npu::Target t = npu::preset("mobile");
  const compiler::CompiledModel m = compiler::compile(testing::conv_chain(17).g, t);
  const nlohmann::json j = eval::compile_summary_json(m, t);
  int in = 0, out = 0;
  for (size_t i = 0; i < m.layers.size(); ++i) {
    if (!m.layers[i].has_plan) continue;
    EXPECT_EQ(j["layers"][i]["input_on_chip"], m.layers[i].input_on_chip);
    EXPECT_EQ(j["layers"][i]["output_on_chip"], m.layers[i].output_on_chip);
    in += j["layers"][i]["input_on_chip"].get<bool>();
    out += j["layers"][i]["output_on_chip"].get<bool>();
  }
  EXPECT_EQ(in, 4);
  EXPECT_EQ(out, 4);
}

}  // namespace
}  // namespace etch
