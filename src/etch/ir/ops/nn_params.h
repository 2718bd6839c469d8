// Attribute/input resolution shared by the schemas and kernels of the
// reduction, Pad and Resize ops, so that inference and execution agree.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/graph.h"

namespace etch::ir {

// Reductions (ReduceX, ArgMax/ArgMin use their own single axis). `axes_input`
// is the value of input 1 when the node has one (nullptr when unknown: then
// `known` is false). reduced[d] says whether dim d is reduced.
struct ReduceSpec {
  bool known = true;
  bool keepdims = true;
  std::vector<bool> reduced;
  Shape out_shape(const Shape& in) const;
};
ReduceSpec resolve_reduce(const Node& n, int64_t rank, const Tensor* axes_input);

// Pad: per-dim begin/end amounts (may be negative = crop), mode and constant.
struct PadSpec {
  bool known = true;
  std::vector<int64_t> begin, end;
  std::string mode = "constant";
};
// `pads_input` / `axes_input`: values of inputs 1 / 3 when present (nullptr if unknown).
PadSpec resolve_pad(const Node& n, int64_t rank, const Tensor* pads_input, const Tensor* axes_input);

// Resize / Upsample: scale per dim and output dims.
struct ResizeSpec {
  bool known = true;
  std::vector<double> scales;
  Shape out;
  std::vector<float> roi;  // 2*rank (starts, ends); empty when not given
};
// `inputs[i]` is the value of node input i (nullptr when absent or unknown).
ResizeSpec resolve_resize(const Node& n, const Shape& in, const std::vector<const Tensor*>& inputs,
                          const std::vector<bool>& present);

}  // namespace etch::ir
