#include "etch/compiler/mapper.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "etch/compiler/cost_model.h"
#include "etch/compiler/schedule.h"
#include "etch/core/error.h"

namespace etch::compiler {
namespace {

// ceil(n / j) for j = 1..n: every distinct tile count's largest tile.
std::vector<int64_t> tile_sizes(int64_t n, int64_t limit = 48) {
  std::set<int64_t> s;
  for (int64_t j = 1; j <= n && static_cast<int64_t>(s.size()) < limit; ++j) s.insert((n + j - 1) / j);
  s.insert(1);
  return {s.rbegin(), s.rend()};  // largest first
}

std::vector<int64_t> m_sizes(int64_t mg, int cols) {
  std::set<int64_t> s;
  for (int64_t m = cols; m < mg; m += cols) s.insert(m);
  s.insert(mg);
  for (int64_t v : tile_sizes(std::min<int64_t>(mg, cols), 8)) s.insert(v);
  return {s.rbegin(), s.rend()};
}

}  // namespace

void require_minimal_tile(const ConvSpec& s, const npu::Target& t) {
  TilePlan p;
  p.tm = 1;
  p.tc = s.sparse ? s.cg : 1;
  p.th = 1;
  p.double_buffer = false;
  int64_t need = 0, have = 0;
  if (const char* b = plan_overflow(s, p, t, &need, &have))
    ETCH_FAIL(InvalidInput) << fmt::format(
        "layer '{}' does not fit target '{}': the {} ({} bytes) cannot hold one minimal tile "
        "(1 output channel, 1 input channel, 1 output row of {} pixels: {} bytes)",
        s.name, t.name, b, have, s.ow, need);
}

TilePlan naive_plan(const ConvSpec& s, const npu::Target& t) {
  TilePlan p;
  p.double_buffer = false;
  p.m_outer = true;
  const std::vector<int64_t> ms = m_sizes(s.mg, t.cols);
  const std::vector<int64_t> cs = s.sparse ? std::vector<int64_t>{s.cg} : tile_sizes(s.cg, 1 << 20);
  const std::vector<int64_t> hs = tile_sizes(s.oh, 1 << 20);
  for (int64_t tm : ms)
    for (int64_t tc : cs)
      for (int64_t th : hs) {
        p.tm = tm;
        p.tc = tc;
        p.th = th;
        if (!plan_overflow(s, p, t)) {
          p.predicted_cycles = predict_conv_cycles(s, p, t);
          return p;
        }
      }
  require_minimal_tile(s, t);
  ETCH_CHECK(false) << "no naive plan for " << s.name;
  return p;
}

TilePlan search_plan(const ConvSpec& s, const npu::Target& t) {
  TilePlan best = naive_plan(s, t);
  std::vector<int64_t> cs = s.sparse ? std::vector<int64_t>{s.cg} : tile_sizes(s.cg, 8);
  const std::vector<int64_t> ms = m_sizes(s.mg, t.cols), hs = tile_sizes(s.oh, 14);
  for (int64_t tm : ms)
    for (int64_t tc : cs)
      for (int64_t th : hs)
        for (bool m_outer : {true, false}) {
          TilePlan p;
          p.tm = tm;
          p.tc = tc;
          p.th = th;
          p.m_outer = m_outer;
          p.double_buffer = true;
          if (plan_overflow(s, p, t)) continue;
          for (int64_t edge : {int64_t{0}, int64_t{1}, th / 2}) {
            if (edge > 0 && (edge >= th || s.oh <= 2 * edge)) continue;
            p.th_edge = edge;
            p.predicted_cycles = predict_conv_cycles(s, p, t);
            if (p.predicted_cycles < best.predicted_cycles) best = p;
          }
        }
  return best;
}

}  // namespace etch::compiler
