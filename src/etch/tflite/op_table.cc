#include "etch/tflite/op_table.h"

#include <algorithm>

namespace etch::tflite {

const OpTable& op_table() {
  static const OpTable table = [] {
    OpTable t;
    register_conv_ops(t);
    register_pool_ops(t);
    register_elementwise_ops(t);
    register_shape_ops(t);
    register_quant_ops(t);
    return t;
  }();
  return table;
}

std::pair<int64_t, int64_t> same_padding(bool same, int64_t in, int64_t kernel, int64_t stride, int64_t dilation) {
  if (!same) return {0, 0};
  const int64_t out = (in + stride - 1) / stride;
  const int64_t effective = (kernel - 1) * dilation + 1;
  const int64_t total = std::max<int64_t>((out - 1) * stride + effective - in, 0);
  return {total / 2, total - total / 2};
}

}  // namespace etch::tflite
