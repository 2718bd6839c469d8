// The state and helpers the lowering actions of quantization rules
// (quant_rule.h, rules/*.cc) share: reading int8 values through their
// DequantizeLinear, requantization and activation attributes, new constants.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/ir/attribute.h"
#include "etch/ir/graph.h"

namespace etch::quant {

using IntegerOpAttrs = std::map<std::string, ir::Attribute>;

// An int8 (or int32/int4 constant) value seen through its DequantizeLinear.
struct Dq {
  ir::ValueId q = ir::kNoValue;  // the integer value
  QuantParams p;
};

std::optional<Dq> through_dq(const ir::Graph& g, ir::ValueId v);

// The real value of every int8 q = -128..127 (in that order) on the per-tensor
// grid p, computed in float as DequantizeLinear does: s * (q - z). What a
// 256-entry table maps from.
std::array<float, 256> grid_reals(const QuantParams& p);

// "multipliers"/"shifts" of the fixed-point encodings of `reals`.
void add_requant(IntegerOpAttrs& a, const std::vector<double>& reals);
// act_min/act_max (and "activation", its kind) of the fused Relu/Clip `act`
// (nullptr: none) on the output grid (sy, zy).
void add_activation(const ir::Graph& g, IntegerOpAttrs& a, const ir::Node* act, float sy, int32_t zy);
// The weight as the integer op takes it: int8 constant, or packed int4 when it
// is stored so (int4_storage.h); symmetric, per tensor or per channel on axis 0.
std::optional<std::pair<Tensor, QuantParams>> weight_of(const ir::Graph& g, ir::ValueId v);

class QdqLowering {
 public:
  explicit QdqLowering(ir::Graph& g) : g_(g) {}
  ir::Graph& graph() { return g_; }
  // A per-tensor int8 activation seen through DequantizeLinear, or through
  // data-moving ops on a dequantized tensor (PTQ writes no Q/DQ after those:
  // they keep the grid): then the op is repeated on the int8 tensor.
  std::optional<Dq> act_dq(ir::ValueId v);
  ir::ValueId constant(const std::string& base, Tensor t);

 private:
  ir::Graph& g_;
  std::map<ir::ValueId, Dq> moved_;  // float value -> its int8 twin behind data movement
};

}  // namespace etch::quant
