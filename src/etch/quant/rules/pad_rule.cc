// Pad that only moves data: edge, reflect or wrap mode, or constant mode with
// the value 0, which is exactly the quantized tensor's zero point. On int8 it
// pads with that zero point and its output keeps the input's parameters:
//   DQ(x) -> Pad(0) -> Q, same parameters  =>  Pad(x, zero point) on int8
// so a padded tensor is not dequantized, padded in float and quantized again
// (M-LSD pads 96 x 256 x 256 activations before its strided depthwise convs).
#include <algorithm>

#include "etch/quant/qdq_lowering.h"
#include "etch/quant/quant_rule.h"

namespace etch::quant {
namespace {

std::string pad_why_not(const ir::Graph& g, const ir::Node& n, const ir::Value&) {
  if (n.attr_string("mode", "constant") != "constant") return "";
  if (n.has_input(2)) {
    const ir::Value& v = g.value(n.inputs[2]);
    if (!v.data) return "its constant_value is not a constant";
    if (v.data->numel() > 0 && v.data->get_as_double(0) != 0.0) return "it pads with a value other than 0";
  }
  if (!n.has_input(1)) return "its pads are attributes (opset < 11): the value cannot be the zero point";
  return "";
}

// Input 2 of the int8 Pad: the zero point (constant mode), of x's type.
void pad_int8_inputs(QdqLowering& l, const ir::Node& p, const Dq& x, std::vector<ir::ValueId>& inputs) {
  if (p.attr_string("mode", "constant") != "constant") return;
  const DType t = l.graph().value(x.q).dtype;
  Tensor zp(t, {});
  if (t == DType::U8)
    zp.data<uint8_t>()[0] = static_cast<uint8_t>(x.p.zero_points[0]);
  else
    zp.data<int8_t>()[0] = static_cast<int8_t>(x.p.zero_points[0]);
  inputs.resize(std::max<size_t>(inputs.size(), 3), ir::kNoValue);
  inputs[2] = l.constant(p.name.empty() ? "pad_zero_point" : p.name + "_zero_point", std::move(zp));
}

}  // namespace

ETCH_REGISTER_QUANT_RULE({.name = "pad",
                          .op_types = {"Pad"},
                          .kind = RuleKind::kDataMovement,
                          .why_not = pad_why_not,
                          .lower = lower_data_movement,
                          .int8_inputs = pad_int8_inputs});

}  // namespace etch::quant
