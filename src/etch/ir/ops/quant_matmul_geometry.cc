#include "etch/ir/ops/quant_matmul_geometry.h"

#include "etch/core/error.h"
#include "etch/ir/op_registry.h"

namespace etch::ir {

MatMulGeometry resolve_matmul_geometry(const Node& node, const Shape& a_in, const Shape& b_in) {
  ETCH_REQUIRE(!a_in.empty() && !b_in.empty(), InvalidInput)
      << node.describe() << ": matmul operands must have rank >= 1, got " << shape_str(a_in) << " and "
      << shape_str(b_in);
  Shape a = a_in, b = b_in;
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  MatMulGeometry g;
  g.m = a[a.size() - 2];
  g.k = a.back();
  g.n = b.back();
  const int64_t kb = b[b.size() - 2];
  ETCH_REQUIRE(g.k < 0 || kb < 0 || g.k == kb, InvalidInput)
      << node.describe() << ": inner dimensions differ: A is " << shape_str(a_in) << ", B is " << shape_str(b_in);
  const Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  Shape batch;
  try {
    batch = broadcast_shapes(a_batch, b_batch);
  } catch (const Error& e) {
    ETCH_FAIL(InvalidInput) << node.describe() << ": batch dims do not broadcast: " << e.what();
  }
  g.output_shape = batch;
  if (a_in.size() > 1) g.output_shape.push_back(g.m);
  if (b_in.size() > 1) g.output_shape.push_back(g.n);

  if (!shape_is_static(a) || !shape_is_static(b)) return g;
  const int64_t count = shape_numel(batch);
  const size_t r = batch.size();
  g.a_matrix.resize(count);
  g.b_matrix.resize(count);
  std::vector<int64_t> idx(r, 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t ao = 0, bo = 0;
    for (size_t d = 0; d < r; ++d) {
      const size_t ad = d + a_batch.size() - r, bd = d + b_batch.size() - r;  // wrap for missing leading dims
      if (d >= r - a_batch.size()) ao = ao * a_batch[ad] + (a_batch[ad] == 1 ? 0 : idx[d]);
      if (d >= r - b_batch.size()) bo = bo * b_batch[bd] + (b_batch[bd] == 1 ? 0 : idx[d]);
    }
    g.a_matrix[i] = ao;
    g.b_matrix[i] = bo;
    for (size_t d = r; d-- > 0;) {  // odometer increment
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return g;
}

}  // namespace etch::ir
