#include "etch/train/grads/grad_util.h"

namespace etch::train::grads {

Tensor broadcast_to(const Tensor& t, const Shape& shape) {
  if (t.shape() == shape) return t;
  const int r = static_cast<int>(shape.size());
  const int off = r - t.rank();
  ETCH_CHECK(off >= 0) << "cannot broadcast " << shape_str(t.shape()) << " to " << shape_str(shape);
  std::vector<int64_t> in_strides(r, 0);
  const auto st = shape_strides(t.shape());
  for (int d = 0; d < r; ++d) {
    const int sd = d - off;
    if (sd < 0) continue;
    ETCH_CHECK(t.shape()[sd] == shape[d] || t.shape()[sd] == 1)
        << "cannot broadcast " << shape_str(t.shape()) << " to " << shape_str(shape);
    in_strides[d] = t.shape()[sd] == 1 ? 0 : st[sd];
  }
  Tensor out(DType::F32, shape);
  const float* src = t.data<float>();
  float* dst = out.data<float>();
  std::vector<int64_t> idx(r, 0);
  int64_t ipos = 0;
  const int64_t n = out.numel();
  for (int64_t i = 0; i < n; ++i) {
    dst[i] = src[ipos];
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < shape[d]) {
        ipos += in_strides[d];
        break;
      }
      ipos -= in_strides[d] * (shape[d] - 1);
      idx[d] = 0;
    }
  }
  return out;
}

Tensor to_f32(const Tensor& t) {
  if (t.dtype() == DType::F32) return t;
  Tensor out(DType::F32, t.shape());
  float* o = out.data<float>();
  for (int64_t i = 0; i < t.numel(); ++i) o[i] = static_cast<float>(t.get_as_double(i));
  return out;
}

std::vector<int> first_n(int n) {
  std::vector<int> v(n);
  for (int i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace etch::train::grads
