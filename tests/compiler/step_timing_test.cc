// The cost model's step timing against schedules timed by hand, and the
// emitter's tokens against the steps' dependencies. Every expected number
// below is worked out in the comment next to it from the footprints in
// docs/npu-isa.md: DMA ceil(bytes / bytes-per-cycle) on the one channel plus
// the latency, PRELOAD k cycles (weight-stationary), MATMUL n pixels then
// rows + m - 1 cycles of drain, vector ops ceil(elements / lanes) + 2.
#include "etch/compiler/step_timing.h"

#include <gtest/gtest.h>

#include "etch/compiler/layer_steps.h"
#include "etch/compiler/step_emitter.h"
#include "etch/core/error.h"

namespace etch::compiler {
namespace {

// 4 x 4 weight-stationary array, 8 bytes per cycle, 10 cycles of DRAM
// latency, 4 vector lanes.
npu::Target tiny_target() {
  npu::Target t;
  t.rows = t.cols = 4;
  t.dataflow = npu::Dataflow::WeightStationary;
  t.dram_bytes_per_cycle = 8;
  t.dram_latency_cycles = 10;
  t.vector_lanes = 4;
  return t;
}

LayerStep dma(StepKind k, int round, int64_t bytes, int prefetch_group = -1) {
  LayerStep s;
  s.kind = k;
  s.round = round;
  s.bytes = bytes;
  s.prefetch_group = prefetch_group;
  return s;
}
LayerStep preload(int round, int64_t kphys, int prefetch_group = -1) {
  LayerStep s;
  s.kind = StepKind::Preload;
  s.round = round;
  s.kphys = kphys;
  s.prefetch_group = prefetch_group;
  return s;
}
LayerStep matmul(int round, int64_t m, int64_t kphys, int64_t n, bool swap = true) {
  LayerStep s;
  s.kind = StepKind::Matmul;
  s.round = round;
  s.m = m;
  s.kphys = kphys;
  s.n = n;
  s.swap = swap;
  return s;
}
LayerStep vec(int round, int64_t n) {
  LayerStep s;
  s.kind = StepKind::Vector;
  s.round = round;
  s.n = n;
  return s;
}

TEST(StepTiming, OneTileByHand) {
  LayerSteps st(false);
  st.add(dma(StepKind::Load, 0, 64), {});    // weights: 8 cycles from 0, in at 18
  st.add(dma(StepKind::Load, 0, 20), {});    // input: 3 cycles from 8 (the channel), in at 21
  st.add(preload(0, 4), {0});                // waits for the weights: 18..22
  st.add(matmul(0, 4, 4, 16), {1});          // input at 21, preload at 22: streams 22..38, drained at 38 + 4 + 3 = 45
  st.add(vec(0, 64), {3});                   // same queue: waits for the drain, 45 + 64 / 4 + 2 = 63
  st.add(dma(StepKind::Store, 0, 64), {4});  // 63..71, in DRAM at 81
  StepTimes times;
  const LayerTiming lt = time_steps(st, tiny_target(), {}, {}, &times);
  EXPECT_EQ(times.done, (std::vector<int64_t>{18, 21, 22, 45, 63, 81}));
  // A MATMUL's token: its inputs are read (38); a STORE's: its buffer is read (71).
  EXPECT_EQ(times.token, (std::vector<int64_t>{18, 21, 22, 38, 63, 71}));
  EXPECT_EQ(lt.end, 81);
  EXPECT_EQ(lt.release, 81);
}

TEST(StepTiming, LoadWaitsForComputeTokenAndOverlaps) {
  LayerSteps st(false);
  st.add(dma(StepKind::Load, 0, 8), {});           // 0..1, in at 11
  st.add(preload(0, 2), {0});                      // 11..13
  const int mm = st.add(matmul(0, 2, 2, 10), {});  // 13..23 (token), drained at 23 + 4 + 1 = 28
  // The next round's load overwrites what that MATMUL read: it waits for its
  // token (23), not its drain; 23..24, in at 34.
  const int next = st.add(dma(StepKind::Load, 1, 8), {mm});
  st.add(preload(1, 2), {next});    // 34..36 (the previous PRELOAD's shadow registers are free since 13)
  st.add(matmul(1, 2, 2, 10), {});  // 36..46, drained at 51
  StepTimes times;
  const LayerTiming lt = time_steps(st, tiny_target(), {}, {}, &times);
  EXPECT_EQ(times.done, (std::vector<int64_t>{11, 13, 28, 34, 36, 51}));
  EXPECT_EQ(lt.end, 51);
}

TEST(StepTiming, LoadGoesBeforeStoreOnTies) {
  LayerSteps st(false);
  st.add(dma(StepKind::Load, 0, 8), {});     // 0..1, in at 11
  const int v = st.add(vec(0, 4), {0});      // 11..14
  st.add(dma(StepKind::Store, 0, 80), {v});  // 10 cycles, ready at 14
  st.add(dma(StepKind::Load, 1, 80), {v});   // also ready at 14: the load takes the channel first, 14..24, in at 34
  StepTimes times;
  const LayerTiming lt = time_steps(st, tiny_target(), {}, {}, &times);
  EXPECT_EQ(times.done[3], 34);
  EXPECT_EQ(times.token[2], 34);  // the store then reads its buffer 24..34
  EXPECT_EQ(times.done[2], 44);   // and is in DRAM at 44
  EXPECT_EQ(lt.end, 44);
}

TEST(StepTiming, PrefetchArrivalAndTrailingPrefetch) {
  {  // Arriving: the prefetch steps take the arrival's times.
    LayerSteps st(false);
    st.add(dma(StepKind::Load, 0, 64, 0), {});
    const int second = st.add(dma(StepKind::Load, 0, 64, 1), {});
    st.add(preload(0, 4, 0), {0});
    const int x = st.add(dma(StepKind::Load, 0, 16), {});  // 0..2, in at 12
    st.add(matmul(0, 4, 4, 8), {second, x});               // waits for the second group (30): 30..38, drained at 45
    PrefetchArrival in;
    in.prefetched = in.preloaded = true;
    in.first_ready = -5;
    in.ready = 30;
    in.preload_done = 2;
    StepTimes times;
    const LayerTiming lt = time_steps(st, tiny_target(), in, {}, &times);
    EXPECT_EQ(times.done, (std::vector<int64_t>{-5, 30, 2, 12, 45}));
    EXPECT_EQ(lt.end, 45);
  }
  {  // Trailing: the next layer's prefetch goes behind the last load.
    LayerSteps st(false);
    st.add(dma(StepKind::Load, 0, 8), {});            // 0..1, in at 11
    st.add(matmul(0, 1, 1, 4, /*swap=*/false), {0});  // keeps the array's weights: 11..15, drained at 19
    Prefetch next;
    next.transfers = {160, 8};  // 1..21 (in at 31), 21..22 (in at 32)
    next.first_group = 1;
    next.preload = 3;  // after the last compute instruction and the first group: 31..34
    const LayerTiming lt = time_steps(st, tiny_target(), {}, next);
    EXPECT_EQ(lt.end, 19);
    EXPECT_EQ(lt.trailing_first_ready, 31);
    EXPECT_EQ(lt.trailing_ready, 32);
    EXPECT_EQ(lt.trailing_preload_done, 34);
    EXPECT_EQ(lt.release, 32);  // the moved PRELOAD issues at 31
  }
}

TEST(StepTiming, OutputStationaryStreamsTheReduction) {
  npu::Target t = tiny_target();
  t.dataflow = npu::Dataflow::OutputStationary;
  LayerSteps st(false);
  st.add(preload(0, 4), {});        // 1 cycle: 0..1
  st.add(matmul(0, 4, 4, 10), {});  // ceil(10 / 4) x 4 = 12 cycles: 1..13, drained at 13 + 4 + 3 = 20
  StepTimes times;
  time_steps(st, t, {}, {}, &times);
  EXPECT_EQ(times.done, (std::vector<int64_t>{1, 20}));
}

// Tokens come from the dependencies: a push on the producer and a pop on the
// consumer for each cross-queue dependency not already implied by an earlier
// pop on the consumer's queue; more than one pop from a neighbour becomes
// SYNCs before the step.
TEST(StepTokens, DerivedFromDependencies) {
  LayerSteps st(false);
  st.add(dma(StepKind::Load, 0, 8), {});      // 0
  st.add(preload(0, 4), {0});                 // 1
  st.add(matmul(0, 4, 4, 4), {});             // 2
  st.add(vec(0, 16), {2});                    // 3: same queue, no token
  st.add(dma(StepKind::Store, 0, 16), {3});   // 4
  st.add(dma(StepKind::Load, 1, 8), {2, 3});  // 5: two tokens from compute
  st.add(matmul(1, 4, 4, 4, false), {5});     // 6
  st.add(vec(1, 16), {6, 4});                 // 7: waits for the store that read its output slot
  st.add(dma(StepKind::Store, 1, 16), {7});   // 8
  st.add(dma(StepKind::Load, 2, 8), {2, 6});  // 9: 2 is implied by step 5's pops
  const StepTokens tk = derive_tokens(st);
  using namespace npu;
  EXPECT_EQ(tk.bits, (std::vector<uint8_t>{kPushNext, kPopPrev, kPushPrev, kPushNext | kPushPrev, kPopPrev | kPushPrev,
                                           kPopNext | kPushNext, kPopPrev | kPushPrev, kPopNext | kPushNext, kPopPrev,
                                           kPopNext}));
  EXPECT_EQ(tk.extra_pop_next, (std::vector<uint8_t>{0, 0, 0, 0, 0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(tk.extra_pop_prev, (std::vector<uint8_t>(10, 0)));
}

TEST(StepTokens, LoadAndStoreCannotSynchronise) {
  LayerSteps st(false);
  st.add(dma(StepKind::Load, 0, 8), {});
  st.add(dma(StepKind::Store, 0, 8), {0});  // two queues apart: no token queue between them
  EXPECT_THROW(derive_tokens(st), Error);
}

}  // namespace
}  // namespace etch::compiler
