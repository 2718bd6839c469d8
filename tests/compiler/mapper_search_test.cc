// The mapper's search (mapper.h) and its lower bound (plan_bound.h): the bound
// never exceeds what the cost model predicts, for every kind of plan the
// search scores, standing alone and prefetched; and on a 320x320 layer the
// search times only a small share of the plans it enumerates, so a change
// that made it time them all again (minutes per layer) fails here.
#include <gtest/gtest.h>

#include "etch/compiler/cost_model.h"
#include "etch/compiler/group_packing.h"
#include "etch/compiler/mapper.h"
#include "etch/compiler/plan_bound.h"
#include "etch/core/thread_pool.h"

namespace etch::compiler {
namespace {

ConvSpec conv(int64_t groups, int64_t cg, int64_t mg, int64_t hw, int64_t k, int64_t stride, bool gemm = false) {
  ConvSpec s;
  s.name = "layer";
  s.is_gemm = gemm;
  s.groups = groups;
  s.cg = cg;
  s.mg = mg;
  s.kh = s.kw = k;
  s.sh = s.sw = stride;
  s.pad_t = s.pad_l = k / 2;
  s.h = s.w = hw;
  s.oh = s.ow = (hw + 2 * (k / 2) - k) / stride + 1;
  s.in.c = groups * cg;
  s.in.h = s.in.w = hw;
  s.in.pad = k / 2;
  s.out.c = groups * mg;
  s.out.h = s.out.w = s.oh;
  s.weights.assign(static_cast<size_t>(groups * mg * cg * k * k), 1);
  s.bias.assign(static_cast<size_t>(groups * mg), 0);
  s.mult.assign(static_cast<size_t>(groups * mg), 1 << 30);
  s.shift.assign(static_cast<size_t>(groups * mg), 0);
  return s;
}

// Every plan shape the search scores: channel and row tiles of several
// sizes (uneven ones included), the three loop orders (input-channel tiles
// outside row tiles where there is one output-channel tile), short edge
// tiles, single and double buffering; those that fit.
std::vector<TilePlan> plans(const ConvSpec& s, const npu::Target& t) {
  std::vector<TilePlan> v;
  for (int64_t tm : {s.mg, int64_t{t.cols}, (s.mg + 2) / 3})
    for (int64_t tc : {s.cg, (s.cg + 2) / 3, int64_t{1}})
      for (int64_t th : {s.oh, (s.oh + 2) / 3, int64_t{2}})
        for (int64_t edge : {int64_t{0}, int64_t{1}})
          for (int order : {0, 1, 2})  // M>H, H>M, C>H
            for (bool db : {true, false}) {
              TilePlan p;
              p.tm = std::max<int64_t>(1, std::min(tm, s.mg));
              p.tc = std::max<int64_t>(1, std::min(tc, s.cg));
              p.th = std::max<int64_t>(1, std::min(th, s.oh));
              p.th_edge = edge;
              p.m_outer = order != 1;
              p.c_outer = order == 2;
              p.double_buffer = db;
              if (p.c_outer && (s.groups > 1 || p.tm < s.mg || p.tc >= s.cg || p.th >= s.oh)) continue;
              if (!plan_overflow(s, p, t)) v.push_back(p);
            }
  return v;
}

TEST(PlanBound, NeverExceedsTheCostModel) {
  int checked = 0;
  for (const char* preset : {"edge", "mobile", "datacenter"}) {
    const npu::Target t = npu::preset(preset);
    for (const ConvSpec& s :
         {conv(1, 16, 40, 12, 3, 1), conv(1, 35, 20, 11, 3, 2), conv(1, 24, 48, 12, 1, 1),
          pack_groups(conv(32, 1, 1, 12, 3, 1), 8), conv(8, 1, 1, 10, 3, 2), conv(1, 100, 10, 1, 1, 1, true)})
      for (const TilePlan& p : plans(s, t)) {
        const PlanBound b(s, p, t);
        EXPECT_LE(b.alone(), predict_conv_cycles(s, p, t)) << preset << " " << p.str();
        // Prefetched, the prefetch arriving before the layer starts or late.
        const int64_t folds = fold_count(s, std::min(p.tm, s.mg), std::min(p.tc, s.cg), t);
        for (int64_t f : {int64_t{0}, folds / 2})
          for (int64_t late : {int64_t{-50}, int64_t{300}}) {
            TilePlan q = p;
            q.prefetch = true;
            q.prefetch_folds = f;
            PrefetchArrival in;
            in.prefetched = true;
            in.first_ready = late;
            in.ready = late + 20;
            EXPECT_LE(b.prefetched(f), conv_timing(s, q, t, in).end) << preset << " " << q.str() << " folds " << f;
          }
        ++checked;
      }
  }
  EXPECT_GT(checked, 500);
}

// The same with the layer's input, output or both kept on chip (images at
// the two ends of the input buffer; the output's halo loaded): an input on
// chip is read as a resident input.
TEST(PlanBound, NeverExceedsTheCostModelWithActivationsOnChip) {
  int checked = 0;
  for (const char* preset : {"edge", "mobile", "datacenter"}) {
    const npu::Target t = npu::preset(preset);
    for (ConvSpec base :
         {conv(1, 16, 40, 12, 3, 1), conv(1, 35, 20, 11, 3, 2), conv(1, 24, 48, 12, 1, 1), conv(8, 1, 1, 10, 3, 2)})
      for (bool in : {false, true})
        for (bool out : {false, true}) {
          if (!in && !out) continue;
          ConvSpec s = base;
          s.out.pad = 1;
          if (in) {
            s.ibuf_hi = s.in.dram_bytes();
            s.in_image = t.input_buffer_bytes - s.ibuf_hi;
          }
          if (out) {
            s.ibuf_lo = s.out.dram_bytes();
            s.out_image = 0;
          }
          for (TilePlan p : plans(s, t)) {
            if (in && p.tc < s.cg) continue;
            p.resident_input = in;
            if (plan_overflow(s, p, t)) continue;
            const PlanBound b(s, p, t);
            EXPECT_LE(b.alone(), predict_conv_cycles(s, p, t)) << preset << " " << p.str() << " " << in << out;
            TilePlan q = p;
            q.prefetch = true;
            PrefetchArrival arrival;
            arrival.prefetched = true;
            EXPECT_LE(b.prefetched(0), conv_timing(s, q, t, arrival).end) << preset << " " << q.str();
            ++checked;
          }
        }
  }
  EXPECT_GT(checked, 100);
}

TEST(MapperSearch, LargeLayerTimesFewOfItsCandidates) {
  // A 3x3 convolution of 32 channels over 320x320 on edge (32 KiB buffers):
  // every candidate's step list has tens of thousands of steps.
  const npu::Target t = npu::preset("edge");
  const ConvSpec s = conv(1, 32, 32, 320, 3, 1);
  const PlanChoice c = search_plan(s, t);
  // Each candidate is scored once standing alone (no previous layer): timed
  // or cut by its bound, nothing else.
  EXPECT_EQ(c.stats.timed + c.stats.pruned, c.stats.candidates);
  ASSERT_GT(c.stats.candidates, 100);
  // Exhaustive search would time every candidate; the bound cuts all but
  // those within reach of the best, which on this DRAM-bound layer are few.
  EXPECT_LE(c.stats.timed * 10, c.stats.candidates) << c.stats.timed << " of " << c.stats.candidates;
  EXPECT_EQ(c.plan.predicted_cycles, predict_conv_cycles(s, c.plan, t));
  EXPECT_GE(c.plan.predicted_cycles, conv_bounds(s, t).bound());
}

// A 1x1 convolution of 96 channels over 16x16 on mobile (BlazeFace's 8x8
// stage at 256 pixels): tiles of 2 rows x 32 channels take 99 cycles each
// and up to 8 accumulator slots; with the requantization lagging 7 tiles,
// the last 8 tiles are requantized one after the other after the last
// MATMUL. The winner is retimed with shorter lags and keeps the best.
TEST(MapperSearch, IssuesRequantizationsSoonerWhenThatEndsTheLayerEarlier) {
  const npu::Target t = npu::preset("mobile");
  const ConvSpec s = conv(1, 96, 96, 16, 1, 1);
  const PlanChoice c = search_plan(s, t);
  ASSERT_GT(out_slots(s, c.plan, t), 2);
  EXPECT_GT(c.plan.requant_lag, 0) << c.plan.str();
  EXPECT_LT(c.plan.requant_lag, out_slots(s, c.plan, t) - 1) << c.plan.str();
  EXPECT_GT(c.stats.lag_timed, 0);
  EXPECT_LE(c.stats.lag_timed, out_slots(s, c.plan, t) - 2);
  EXPECT_EQ(c.plan.predicted_cycles, predict_conv_cycles(s, c.plan, t));
  // Every other lag, the default (0: out_slots - 1) among them, ends later or
  // no sooner.
  for (int64_t lag = 0; lag < out_slots(s, c.plan, t); ++lag) {
    TilePlan p = c.plan;
    p.requant_lag = lag;
    EXPECT_GE(predict_conv_cycles(s, p, t), c.plan.predicted_cycles) << "lag " << lag;
  }
  TilePlan late = c.plan;
  late.requant_lag = 0;
  EXPECT_LT(c.plan.predicted_cycles, predict_conv_cycles(s, late, t));
  EXPECT_NE(c.plan.str().find(" lag"), std::string::npos) << c.plan.str();
}

// The search splits its candidates between threads; the choice (plan, score,
// prefetch arrival) must not depend on how many there are, with a previous
// layer to prefetch behind and without.
TEST(MapperSearch, ChoosesTheSamePlanWithOneAndTwoThreads) {
  auto choose = [](int threads) {
    set_num_threads(threads);
    std::vector<std::string> out;
    for (const char* preset : {"edge", "mobile"}) {
      const npu::Target t = npu::preset(preset);
      const ConvSpec first = conv(1, 16, 32, 40, 3, 1), second = conv(1, 32, 48, 40, 1, 1);
      const PlanChoice a = search_plan(first, t);
      const PrevLayer prev = conv_prev_layer(first, a.plan, a.in, a.end, t);
      const PlanChoice b = search_plan(second, t, &prev);
      // ... and the second reading the first's output on chip, where it fits.
      ConvSpec on_chip = second;
      on_chip.ibuf_hi = on_chip.in.dram_bytes();
      on_chip.in_image = t.input_buffer_bytes - on_chip.ibuf_hi;
      std::vector<PlanChoice> choices{a, b};
      if (on_chip.in_image > 0) choices.push_back(search_plan(on_chip, t, &prev));
      for (const PlanChoice& c : choices)
        out.push_back(c.plan.str() + " score " + std::to_string(c.score) + " end " + std::to_string(c.end) +
                      " prev_end " + std::to_string(c.prev_end) + " prefetch " + std::to_string(c.plan.prefetch) +
                      " folds " + std::to_string(c.plan.prefetch_folds) + " base " +
                      std::to_string(c.plan.weight_base) + " first_ready " + std::to_string(c.in.first_ready));
    }
    return out;
  };
  const auto one = choose(1), two = choose(2);
  set_num_threads(0);
  EXPECT_EQ(one, two);
}

}  // namespace
}  // namespace etch::compiler
