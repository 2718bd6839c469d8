// Simulator behaviour on hand-written programs: timing of a single DMA, and
// programs that deadlock or misuse the array are errors, not hangs or crashes.
#include <gtest/gtest.h>

#include "etch/core/error.h"
#include "etch/sim/simulator.h"

namespace etch::sim {
namespace {

using npu::Field;
using npu::Instr;
using npu::Opcode;

npu::Program base() {
  npu::Program p;
  p.target = npu::preset("edge");
  p.dram_bytes = 4096;
  p.layers = {{"l", "copy", 0}};
  auto desc = [](std::string name, uint64_t addr) {
    npu::TensorDesc t;
    t.name = std::move(name);
    t.shape = {1, 1, 8, 8};
    t.c = 1, t.h = 8, t.w = 8;
    t.dram_addr = addr;
    return t;
  };
  p.tensors.push_back(desc("x", 0));
  p.tensors.push_back(desc("y", 1024));
  return p;
}

Instr dma(Opcode op, int64_t dram, int64_t bytes, uint8_t tokens) {
  Instr in;
  in.op = op;
  in[Field::dram] = dram;
  in[Field::rows] = 1;
  in[Field::row_bytes] = bytes;
  in[Field::reps] = 1;
  in.tokens = tokens;
  return in;
}

Instr halt() {
  Instr h;
  h.op = Opcode::Halt;
  return h;
}

TEST(Simulator, CopyThroughSramWithTokens) {
  npu::Program p = base();
  Instr copy;
  copy.op = Opcode::Copy;
  copy[Field::in_addr] = 0;
  copy[Field::out_addr] = 64;
  copy[Field::n] = 64;
  copy.tokens = npu::kPopPrev | npu::kPushNext;
  Instr st = dma(Opcode::Store, 1024, 64, npu::kPopPrev);
  st[Field::sram] = 64;
  p.instrs = {dma(Opcode::Load, 0, 64, npu::kPushNext), copy, st, halt()};
  p.segments = {{0, 4, {0}, {1}}};
  Simulator sim(p);
  std::vector<int8_t> x(64), y(64);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<int8_t>(i - 30);
  sim.write_tensor(0, x.data());
  const SimStats s = sim.run_segment(0);
  sim.read_tensor(1, y.data());
  EXPECT_EQ(x, y);
  // load: 64 B / 8 B per cycle + 50 latency; copy: 64/16 + 2; store: 8 + 50.
  const int64_t expected = (8 + 50) + (4 + 2) + (8 + 50);
  EXPECT_EQ(s.total.cycles, expected);
  EXPECT_EQ(s.total.dram_read_bytes, 64);
  EXPECT_EQ(s.total.dram_write_bytes, 64);
  EXPECT_GT(s.total.store_wait_compute, 0);
}

TEST(Simulator, DeadlockIsAnError) {
  npu::Program p = base();
  Instr copy;
  copy.op = Opcode::Copy;
  copy[Field::n] = 8;
  copy.tokens = npu::kPopPrev;  // nobody pushes
  p.instrs = {copy, halt()};
  p.segments = {{0, 2, {}, {}}};
  Simulator sim(p);
  try {
    sim.run_segment(0);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    EXPECT_NE(std::string(e.what()).find("deadlock"), std::string::npos);
  }
}

TEST(Simulator, MatmulWithoutPreloadIsAnError) {
  npu::Program p = base();
  Instr mm;
  mm.op = Opcode::Matmul;
  mm[Field::m] = 1;
  mm[Field::k] = 1;
  mm[Field::out_h] = mm[Field::out_w] = mm[Field::c] = 1;
  for (Field f : {Field::stride_h, Field::stride_w, Field::kernel_h, Field::kernel_w, Field::dil_h, Field::dil_w})
    mm[f] = 1;
  mm[Field::swap] = 1;
  p.instrs = {mm, halt()};
  p.segments = {{0, 2, {}, {}}};
  Simulator sim(p);
  EXPECT_THROW(sim.run_segment(0), Error);
}

}  // namespace
}  // namespace etch::sim
