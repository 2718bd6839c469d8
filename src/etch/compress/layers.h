// The layers pruning works on: Conv, Gemm and MatMul nodes whose weight is a
// float constant. Describes where the output and input channels sit in the
// weight tensor, so criteria, masks and surgery never special-case op types.
#pragma once
#include <string>
#include <vector>

#include "etch/ir/graph.h"
#include "etch/ir/op_registry.h"

namespace etch::compress {

struct Layer {
  ir::NodeId node = -1;
  std::string name;  // node name (or its output's name when the node has none)
  std::string op;    // its op type, for messages
  // The product it computes (ir::MacForm): each form has its own weight layout.
  ir::MacForm::Kind form = ir::MacForm::kConv;
  ir::ValueId weight = ir::kNoValue;
  ir::ValueId bias = ir::kNoValue;  // per-output-channel bias, if any
  int out_axis = 0;                 // weight axis of output channels
  int in_axis = 1;                  // weight axis of input channels (per group for Conv)
  int64_t group = 1;
  int64_t out_channels = 0, in_channels = 0;  // along out_axis / in_axis of the weight
  ir::NodeId batchnorm = -1;                  // BatchNormalization that is the output's only consumer
  bool depthwise() const { return form == ir::MacForm::kConv && group > 1 && in_channels == 1; }
};

// Every weighted op (ir::OpTrait::kWeighted: Conv, Gemm, MatMul) with a constant
// float weight as input 1, in graph order.
// Gemm with transA=1 or a non-constant B is left out (it has no fixed weight).
std::vector<Layer> find_layers(const ir::Graph& g);

// Deep copy: constants get their own storage (Graph copies share tensors).
ir::Graph clone_graph(const ir::Graph& g);

// Index helpers over a weight: for element i, its output / input channel.
struct WeightLayout {
  explicit WeightLayout(const Tensor& w, const Layer& l);
  int64_t out_of(int64_t i) const { return (i / out_stride) % out_dim; }
  int64_t in_of(int64_t i) const { return (i / in_stride) % in_dim; }
  int64_t out_stride = 1, out_dim = 1, in_stride = 1, in_dim = 1;
};

}  // namespace etch::compress
