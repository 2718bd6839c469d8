#include "etch/train/gradient.h"

#include <map>

namespace etch::train {
namespace {
std::map<std::string, GradRule>& table() {
  static std::map<std::string, GradRule> t;
  return t;
}
}  // namespace

void register_grad(const std::string& op_type, GradRule rule) { table()[op_type] = std::move(rule); }

const GradRule* find_grad(const std::string& op_type) {
  auto it = table().find(op_type);
  return it == table().end() ? nullptr : &it->second;
}

std::vector<std::string> registered_grads() {
  std::vector<std::string> out;
  for (const auto& [op, rule] : table()) out.push_back(op);
  return out;
}

Tensor reduce_to_shape(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  Tensor out(DType::F32, shape);
  const int r = grad.rank();
  const int off = r - static_cast<int>(shape.size());
  std::vector<int64_t> out_strides(r, 0);
  const auto ost = shape_strides(shape);
  for (int d = 0; d < r; ++d) {
    int sd = d - off;
    out_strides[d] = (sd >= 0 && shape[sd] != 1) ? ost[sd] : 0;
  }
  const float* g = grad.data<float>();
  float* o = out.data<float>();
  std::vector<int64_t> idx(r, 0);
  const Shape& gs = grad.shape();
  int64_t opos = 0;
  for (int64_t i = 0; i < grad.numel(); ++i) {
    o[opos] += g[i];
    for (int d = r - 1; d >= 0; --d) {
      if (++idx[d] < gs[d]) {
        opos += out_strides[d];
        break;
      }
      opos -= out_strides[d] * (gs[d] - 1);
      idx[d] = 0;
    }
  }
  return out;
}

}  // namespace etch::train
