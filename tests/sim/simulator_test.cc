// Simulator behaviour on hand-written programs: timing of a single DMA, and
// programs that deadlock or misuse the array are errors, not hangs or crashes.
#include "etch/sim/simulator.h"

#include <gtest/gtest.h>

#include <cstring>

#include "etch/core/error.h"

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

// REQUANT of 2 channels x 1 pixel from accumulator 0 with the parameters
// at weight-buffer byte 16, to input-buffer byte 64; tells the store.
Instr requant_two_channels() {
  Instr in;
  in.op = Opcode::Requant;
  in[Field::acc_pitch] = in[Field::out_chan_stride] = 1;
  in[Field::m] = 2;
  in[Field::n] = 1;
  in[Field::param_addr] = 16;
  in[Field::out_addr] = 64;
  in[Field::act_min] = -128;
  in[Field::act_max] = 127;
  in.tokens = npu::kPushNext;
  return in;
}

Instr halt() {
  Instr h;
  h.op = Opcode::Halt;
  return h;
}

// LOAD of `bytes` DRAM bytes into buffer `buf` (0: input, 1: weight) at byte 0.
Instr load(int64_t buf, int64_t dram, int64_t bytes, uint8_t tokens) {
  Instr in = dma(Opcode::Load, dram, bytes, tokens);
  in[Field::buf] = buf;
  return in;
}

// PRELOAD of 2 columns x 4 weights, rows 4 bytes apart from weight-buffer byte `w_addr`.
Instr preload_2x4(int64_t w_addr, uint8_t tokens) {
  Instr in;
  in.op = Opcode::Preload;
  in[Field::w_addr] = w_addr;
  in[Field::w_pitch] = 4;
  in[Field::m] = 2;
  in[Field::k] = 4;
  in.tokens = tokens;
  return in;
}

// MATMUL swapping in those weights, over one pixel of 4 channels at input
// byte 0, into accumulators 0 and 1.
Instr matmul_2x4(bool accumulate, uint8_t tokens) {
  Instr in;
  in.op = Opcode::Matmul;
  in[Field::x_chan_stride] = in[Field::x_pitch] = in[Field::acc_pitch] = 1;
  in[Field::m] = 2;
  in[Field::k] = in[Field::c] = 4;
  in[Field::out_h] = in[Field::out_w] = 1;
  in[Field::stride_h] = in[Field::stride_w] = in[Field::kernel_h] = in[Field::kernel_w] = 1;
  in[Field::dil_h] = in[Field::dil_w] = 1;
  in[Field::accumulate] = accumulate;
  in[Field::swap] = 1;
  in.tokens = tokens;
  return in;
}

// requant_two_channels' parameters at weight-image byte `at` (loaded to
// weight-buffer byte 16): bias 0, multiplier 2^30 and shift 1, so
// x · 2^30 · 2^(1 − 31) = x.
void put_identity_requant(std::vector<uint8_t>& image, size_t at) {
  const int32_t mult = 1 << 30;
  std::memcpy(image.data() + at + 8, &mult, 4);
  std::memcpy(image.data() + at + 12, &mult, 4);
  image[at + 16] = image[at + 17] = 1;
}

// STORE of requant_two_channels' two results (input-buffer byte 64) to tensor 1.
Instr store_two_results() {
  Instr st = dma(Opcode::Store, 1024, 2, npu::kPopPrev);
  st[Field::sram] = 64;
  return st;
}

// The two int8 results a program stored to tensor 1, on its timed run and
// on the replay.
void expect_two_results(Simulator& sim, int8_t y0, int8_t y1) {
  for (int run = 0; run < 2; ++run) {
    sim.run_segment(0);
    std::vector<int8_t> y(64);
    sim.read_tensor(1, y.data());
    EXPECT_EQ(y[0], y0) << "run " << run;
    EXPECT_EQ(y[1], y1) << "run " << run;
  }
}

// LOAD 64 bytes of tensor 0, COPY them within the input buffer, STORE them
// to tensor 1, each waiting for the one before through a token.
npu::Program copy_through_sram() {
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
  return p;
}

TEST(Simulator, CopyThroughSramWithTokens) {
  const npu::Program p = copy_through_sram();
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

// Timing depends on the program alone, so a segment's later runs replay the
// first run's start order and statistics: the numbers must still follow each
// run's own data, the statistics stay those of a full run, and a traced run
// times the segment again.
TEST(Simulator, ASecondRunReplaysTheTimingOnItsOwnData) {
  const npu::Program p = copy_through_sram();
  Simulator sim(p);
  std::vector<int8_t> x(64), y(64);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<int8_t>(i - 30);
  sim.write_tensor(0, x.data());
  const SimStats first = sim.run_segment(0);
  for (int i = 0; i < 64; ++i) x[i] = static_cast<int8_t>(7 * i + 3);
  sim.write_tensor(0, x.data());
  const SimStats second = sim.run_segment(0);
  sim.read_tensor(1, y.data());
  EXPECT_EQ(x, y);
  EXPECT_EQ(second.total.cycles, first.total.cycles);
  EXPECT_EQ(second.total.instructions, first.total.instructions);
  EXPECT_EQ(second.total.store_wait_compute, first.total.store_wait_compute);
  ASSERT_EQ(second.layers.size(), first.layers.size());
  EXPECT_EQ(second.layers[0].cycles, first.layers[0].cycles);
  std::vector<TraceEvent> trace;
  sim.set_trace(&trace);
  const SimStats traced = sim.run_segment(0);
  EXPECT_EQ(trace.size(), 3u);  // load, copy, store
  EXPECT_EQ(traced.total.cycles, first.total.cycles);
}

// Two folds of one tile (same window and accumulators) with a LOAD that
// replaces their input between them: the simulator may run a tile's folds
// together, but only while nothing writes their input, so the first fold must
// still see the old input. acc = W1 . x1 + W2 . x2, requantized unchanged.
TEST(Simulator, FoldsOfATileSeeTheInputOfTheirOwnTime) {
  npu::Program p = base();
  p.layers = {{"l", "conv", 16}};
  p.weight_addr = 2048;
  p.weight_image.assign(66, 0);
  const int8_t x1[4] = {1, 2, 3, 4}, x2[4] = {-1, 5, 0, 2};
  const int8_t w[16] = {1, 0, 2, -1, 0,  3,  1, 1,   // W1, 2 x 4
                        2, 1, 0, 0,  -1, -1, 4, 1};  // W2
  std::memcpy(p.weight_image.data(), x1, 4);
  std::memcpy(p.weight_image.data() + 16, x2, 4);
  std::memcpy(p.weight_image.data() + 32, w, 16);
  put_identity_requant(p.weight_image, 48);
  const Instr st = store_two_results();
  p.instrs = {load(1, 2048 + 32, 34, npu::kPushNext),  // W1, W2 and the parameters
              load(0, 2048, 4, npu::kPushNext),        // x1
              preload_2x4(0, npu::kPopPrev),
              matmul_2x4(false, npu::kPopPrev | npu::kPushPrev),
              load(0, 2048 + 16, 4, npu::kPopNext | npu::kPushNext),  // x2 over x1, once the first fold has read it
              preload_2x4(8, 0),
              matmul_2x4(true, npu::kPopPrev),
              requant_two_channels(),
              st,
              halt()};
  p.segments = {{0, static_cast<uint32_t>(p.instrs.size()), {}, {1}}};
  Simulator sim(p);
  expect_two_results(sim, 3 + 3, 13 - 2);  // (1 + 6 − 4) + (−2 + 5), (6 + 3 + 4) + (1 − 5 + 2)
}

// A PRELOAD latches the weights it read: a LOAD that overwrites them in the
// weight buffer before the MATMUL (here at the same cycle, and the load goes
// first) does not change what the array multiplies.
TEST(Simulator, APreloadKeepsTheWeightsItReadWhenALoadOverwritesThem) {
  npu::Program p = base();
  p.layers = {{"l", "conv", 8}};
  p.weight_addr = 2048;
  p.weight_image.assign(52, 0);
  const int8_t w1[8] = {1, 0, 2, -1, 0, 3, 1, 1}, w2[8] = {5, 5, 5, 5, -3, -3, -3, -3}, x[4] = {1, 2, 3, 4};
  std::memcpy(p.weight_image.data(), w1, 8);
  std::memcpy(p.weight_image.data() + 40, w2, 8);
  std::memcpy(p.weight_image.data() + 48, x, 4);
  put_identity_requant(p.weight_image, 16);
  const Instr st = store_two_results();
  p.instrs = {load(1, 2048, 34, npu::kPushNext),  // W1 and the parameters
              load(0, 2048 + 48, 4, npu::kPushNext),
              preload_2x4(0, npu::kPopPrev | npu::kPushPrev),
              load(1, 2048 + 40, 8, npu::kPopNext),  // W2 over W1 once the preload has read it
              matmul_2x4(false, npu::kPopPrev),
              requant_two_channels(),
              st,
              halt()};
  p.segments = {{0, static_cast<uint32_t>(p.instrs.size()), {}, {1}}};
  Simulator sim(p);
  expect_two_results(sim, 1 + 6 - 4, 6 + 3 + 4);  // W1 . x, not W2 . x (50, -30)
}

// REQUANT with `table` set maps each result through the 256 bytes after the
// parameter block (an element-wise op fused into the layer): acc = W . x
// requantized unchanged, then table[v + 128] = -2 v.
TEST(Simulator, RequantWithATableMapsItsResultsThroughIt) {
  npu::Program p = base();
  p.layers = {{"l", "conv", 8}};
  p.weight_addr = 2048;
  p.weight_image.assign(48 + 18 + 256, 0);
  const int8_t x[4] = {1, 2, 3, 4};
  const int8_t w[8] = {1, 0, 2, -1, 0, 3, 1, 1};  // 2 x 4: W . x = (3, 13)
  std::memcpy(p.weight_image.data(), x, 4);
  std::memcpy(p.weight_image.data() + 32, w, 8);
  put_identity_requant(p.weight_image, 48);
  for (int v = -128; v < 128; ++v) p.weight_image[66 + v + 128] = static_cast<uint8_t>(std::clamp(-2 * v, -128, 127));
  const Instr wload = load(1, 2048 + 32, 48 + 18 + 256 - 32, npu::kPushNext);
  const Instr xload = load(0, 2048, 4, npu::kPushNext);
  const Instr pre = preload_2x4(0, npu::kPopPrev);
  const Instr mm = matmul_2x4(false, npu::kPopPrev);
  Instr requant = requant_two_channels();
  const Instr st = store_two_results();
  for (int table = 0; table < 2; ++table) {
    requant[Field::table] = table;
    p.instrs = {wload, xload, pre, mm, requant, st, halt()};
    p.segments = {{0, static_cast<uint32_t>(p.instrs.size()), {}, {1}}};
    npu::validate_program(p, "test");
    Simulator sim(p);
    sim.run_segment(0);
    std::vector<int8_t> y(64);
    sim.read_tensor(1, y.data());
    EXPECT_EQ(y[0], table ? -6 : 3);
    EXPECT_EQ(y[1], table ? -26 : 13);
  }
  // The table must fit the weight buffer after the parameters.
  requant[Field::param_addr] = p.target.weight_buffer_bytes - 18 - 255;
  p.instrs = {wload, xload, pre, mm, requant, st, halt()};
  EXPECT_THROW(npu::validate_program(p, "test"), Error);
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

Instr barrier() {
  Instr b;
  b.op = Opcode::Barrier;
  return b;
}

// Start cycle of the n-th traced operation named `op`.
int64_t start_of(const std::vector<TraceEvent>& trace, const std::string& op, int n = 0) {
  for (const TraceEvent& e : trace)
    if (e.name == op && n-- == 0) return e.start;
  ADD_FAILURE() << "no " << op;
  return -1;
}

// A BARRIER waits for the engines to reach it and their work to settle, but
// not for a load's data still in flight (its consumer waits for the token):
// the next layer's load starts when the first one's transfer ends, not when
// its data lands 50 cycles later.
TEST(Simulator, BarrierDoesNotWaitForLoadsInFlight) {
  npu::Program p = base();
  p.layers = {{"a", "copy", 0}, {"b", "copy", 0}};
  Instr copy;
  copy.op = Opcode::Copy;
  copy[Field::out_addr] = 64;
  copy[Field::n] = 64;
  copy.tokens = npu::kPopPrev | npu::kPushNext;
  copy.layer = 1;
  Instr st = dma(Opcode::Store, 1024, 64, npu::kPopPrev);
  st[Field::sram] = 64;
  st.layer = 1;
  Instr second = dma(Opcode::Load, 256, 64, 0);
  second[Field::sram] = 128;
  second.layer = 1;
  p.instrs = {dma(Opcode::Load, 0, 64, npu::kPushNext), barrier(), second, copy, st, halt()};
  p.segments = {{0, 6, {0}, {1}}};
  Simulator sim(p);
  std::vector<TraceEvent> trace;
  sim.set_trace(&trace);
  std::vector<int8_t> x(64, 7), y(64);
  sim.write_tensor(0, x.data());
  const SimStats s = sim.run_segment(0);
  sim.read_tensor(1, y.data());
  EXPECT_EQ(x, y);
  EXPECT_EQ(start_of(trace, "load", 1), 8);  // 64 B at 8 B/cycle
  EXPECT_EQ(start_of(trace, "copy"), 8 + 50);
  // Per-layer cycles run from the end of the layers before: they add up.
  EXPECT_EQ(s.layers[0].cycles + s.layers[1].cycles, s.total.cycles);
}

// A background load (a prefetch) yields the DRAM channel to a store that can
// start at the same cycle; an ordinary load goes first.
TEST(Simulator, BackgroundLoadYieldsToAStoreOnATie) {
  for (int background : {0, 1}) {
    npu::Program p = base();
    Instr copy;
    copy.op = Opcode::Copy;
    copy[Field::out_addr] = 64;
    copy[Field::n] = 64;
    copy.tokens = npu::kPopPrev | npu::kPushNext | npu::kPushPrev;
    Instr st = dma(Opcode::Store, 1024, 64, npu::kPopPrev);
    st[Field::sram] = 64;
    Instr pf = dma(Opcode::Load, 256, 64, npu::kPopNext);  // waits for the copy, as the store does
    pf[Field::sram] = 128;
    pf[Field::background] = background;
    p.instrs = {dma(Opcode::Load, 0, 64, npu::kPushNext), pf, copy, st, halt()};
    p.segments = {{0, 5, {0}, {1}}};
    Simulator sim(p);
    std::vector<TraceEvent> trace;
    sim.set_trace(&trace);
    sim.run_segment(0);
    const int64_t copy_end = 8 + 50 + 64 / 16 + 2;
    EXPECT_EQ(start_of(trace, "store"), background ? copy_end : copy_end + 8) << background;
    EXPECT_EQ(start_of(trace, "load", 1), background ? copy_end + 8 : copy_end) << background;
  }
}

TEST(Simulator, OnlyALoadCanBeABackgroundTransfer) {
  npu::Program p = base();
  Instr st = dma(Opcode::Store, 1024, 64, 0);
  st[Field::background] = 1;
  p.instrs = {st, halt()};
  p.segments = {{0, 2, {}, {}}};
  EXPECT_THROW(Simulator{p}, Error);
}

}  // namespace
}  // namespace etch::sim
