#include "etch/compiler/group_packing.h"

#include <algorithm>

#include "etch/core/error.h"

namespace etch::compiler {

ConvSpec pack_groups(const ConvSpec& s, int64_t g) {
  if (g == 1) return s;
  ETCH_CHECK(g > 1 && s.groups % g == 0 && !s.sparse) << "cannot pack " << g << " groups of layer " << s.name;
  ConvSpec p = s;
  p.groups = s.groups / g;
  p.cg = s.cg * g;
  p.mg = s.mg * g;
  const int64_t kg = s.kg(), pkg = p.kg();
  p.weights.assign(static_cast<size_t>(p.groups * p.mg * pkg), 0);
  // Output channel o (in ONNX order, unchanged) belongs to original group
  // o / mg; inside its packed group that group's input channels start at
  // ((o / mg) % g) * cg, so its kg weights land at that offset of the row.
  for (int64_t o = 0; o < s.groups * s.mg; ++o) {
    const int64_t col = ((o / s.mg) % g) * kg;
    std::copy_n(s.weights.begin() + o * kg, kg, p.weights.begin() + o * pkg + col);
  }
  return p;
}

std::vector<int64_t> packing_factors(const ConvSpec& s, const npu::Target& t) {
  std::vector<int64_t> f{1};
  if (s.groups <= 1 || s.sparse || s.is_gemm) return f;
  for (int64_t g = 2; s.groups % g == 0 && s.mg * g <= t.cols; g *= 2) f.push_back(g);
  return f;
}

}  // namespace etch::compiler
