// vector_prev_layer: a vector-unit layer's instructions read back as steps.
// Their timing is what the mapper charges a prefetch behind the layer, so it
// must match the simulator's cycles for that layer; a layer that issues
// anything but transfers and vector-unit ops gives no steps.
#include "etch/compiler/prev_layer.h"

#include <gtest/gtest.h>

#include "compiler/fixtures.h"
#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"

namespace etch::compiler {
namespace {

TEST(PrevLayer, VectorLayerStepsTimeAsTheSimulatorRunsThem) {
  const testing::QGraph q = testing::convs_between_tables(5);
  for (const char* name : {"edge", "mobile", "datacenter"}) {
    const npu::Target t = npu::preset(name);
    const CompiledModel m = compile(q.g, t);
    eval::NpuExecutor ex(q.g, m);
    ex.run({testing::random_input({1, 16, 20, 20}, 4)});
    int checked = 0;
    for (const auto& l : m.layers) {
      if (l.has_plan) continue;
      // The layer's instructions, without its closing BARRIER.
      std::vector<npu::Instr> instrs;
      for (const npu::Instr& in : m.program.instrs)
        if (in.layer == l.layer && in.op != npu::Opcode::Barrier) instrs.push_back(in);
      const auto prev = vector_prev_layer(instrs, t);
      ASSERT_TRUE(prev.has_value()) << name << " " << l.name;
      EXPECT_EQ(prev->steps.size(), static_cast<int>(instrs.size()));
      const int64_t simulated = ex.stats().layers[l.layer].cycles;
      EXPECT_NEAR(static_cast<double>(prev->end), static_cast<double>(simulated), 0.1 * simulated)
          << name << " " << l.name;
      if (l.kind == "lut") {  // the table loads at the bottom of the weight buffer
        EXPECT_EQ(prev->weight_lo, 0);
        EXPECT_EQ(prev->weight_hi, 256);
      }
      ++checked;
    }
    EXPECT_EQ(checked, 3) << name << ": two tables and a pool";
  }
}

TEST(PrevLayer, ALayerWithOtherInstructionsGivesNoSteps) {
  const npu::Target t = npu::preset("edge");
  npu::Instr sync;
  sync.op = npu::Opcode::Sync;
  EXPECT_FALSE(vector_prev_layer(std::vector<npu::Instr>{sync}, t).has_value());
  // A vector op popping a token no load of the layer pushed.
  npu::Instr lut;
  lut.op = npu::Opcode::Lut;
  lut.tokens = npu::kPopPrev;
  EXPECT_FALSE(vector_prev_layer(std::vector<npu::Instr>{lut}, t).has_value());
}

}  // namespace
}  // namespace etch::compiler
