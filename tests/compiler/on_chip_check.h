// What the tests of activations kept on chip share: counting a layer's
// instructions, and compiling a model with and without on-chip activations
// to check that both run bit-exact and that on chip reads less from DRAM.
#pragma once
#include <gtest/gtest.h>

#include "etch/compiler/compiler.h"
#include "etch/eval/npu_executor.h"

namespace etch::testing {

// Instructions of layer `l` with opcode `op` in m's program.
inline int count_instrs(const compiler::CompiledModel& m, const compiler::LayerReport& l, npu::Opcode op) {
  int n = 0;
  for (const npu::Instr& in : m.program.instrs) n += in.layer == l.layer && in.op == op;
  return n;
}

// `g` compiled for `t` with activations on chip (the default) and through DRAM.
struct OnAndOffChip {
  compiler::CompiledModel on, off;
  OnAndOffChip(const ir::Graph& g, const npu::Target& t) : on(compiler::compile(g, t)), off(via_dram(g, t)) {}

 private:
  static compiler::CompiledModel via_dram(const ir::Graph& g, const npu::Target& t) {
    compiler::CompileOptions o;
    o.on_chip_activations = false;
    return compiler::compile(g, t, o);
  }
};

// Both programs give `want` on x, and the one on chip reads fewer DRAM bytes.
inline void expect_exact_and_fewer_dram_reads(const ir::Graph& g, const OnAndOffChip& m, const Tensor& x,
                                              const Tensor& want) {
  eval::NpuExecutor a(g, m.on), b(g, m.off);
  EXPECT_TRUE(a.run({x})[0].equals(want));
  EXPECT_TRUE(b.run({x})[0].equals(want));
  EXPECT_LT(a.stats().total.dram_read_bytes, b.stats().total.dram_read_bytes);
}

}  // namespace etch::testing
