// ReduceSum / ReduceMean / ReduceSumSquare / ReduceL2 gradients: the output
// gradient broadcast back over the reduced dims (axes from the attribute or,
// from opset 13/18, input 1 — resolved by the same helper as the kernel).
#include <cmath>

#include "etch/ir/ops/nn_params.h"
#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {
namespace {

enum class Kind { Sum, Mean, SumSquare, L2 };

template <Kind K>
void reduce_grad(GradContext& c) {
  if (!c.wants(0)) return;
  const Tensor& x = c.in(0);
  const Shape& xs = x.shape();
  const ir::ReduceSpec spec =
      ir::resolve_reduce(c.node, static_cast<int64_t>(xs.size()), c.node.has_input(1) ? c.inputs[1] : nullptr);
  // Output gradient and output as keepdims shapes, then broadcast to x.
  Shape keep = xs;
  int64_t count = 1;
  for (size_t d = 0; d < xs.size(); ++d)
    if (spec.reduced[d]) {
      keep[d] = 1;
      count *= xs[d];
    }
  const Tensor g = broadcast_to(c.gout().reshaped(keep), xs);
  const float* gp = g.data<float>();
  const float* xp = x.data<float>();
  Tensor dx(DType::F32, xs);
  float* o = dx.data<float>();
  const int64_t n = x.numel();
  if constexpr (K == Kind::Sum) {
    for (int64_t i = 0; i < n; ++i) o[i] = gp[i];
  } else if constexpr (K == Kind::Mean) {
    const float inv = count > 0 ? 1.0f / static_cast<float>(count) : 0.0f;
    for (int64_t i = 0; i < n; ++i) o[i] = gp[i] * inv;
  } else if constexpr (K == Kind::SumSquare) {
    for (int64_t i = 0; i < n; ++i) o[i] = 2.0f * xp[i] * gp[i];
  } else {
    const Tensor y = broadcast_to(c.outputs[0].reshaped(keep), xs);
    const float* yp = y.data<float>();
    for (int64_t i = 0; i < n; ++i) o[i] = yp[i] > 0.0f ? gp[i] * xp[i] / yp[i] : 0.0f;
  }
  c.input_grads[0] = std::move(dx);
}

}  // namespace

ETCH_REGISTER_GRAD("ReduceSum", {reduce_grad<Kind::Sum>, nullptr, {0}});
ETCH_REGISTER_GRAD("ReduceMean", {reduce_grad<Kind::Mean>, nullptr, {0}});
ETCH_REGISTER_GRAD("ReduceSumSquare", {reduce_grad<Kind::SumSquare>, nullptr, {0}});
ETCH_REGISTER_GRAD("ReduceL2", {reduce_grad<Kind::L2>, nullptr, {0}});

}  // namespace etch::train::grads
