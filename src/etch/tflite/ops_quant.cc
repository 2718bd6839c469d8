// QUANTIZE, DEQUANTIZE and DENSIFY. In etch's graph every TFLite tensor is
// already its float (dequantized) value, so DEQUANTIZE and DENSIFY (whose
// input constant was densified on reading) pass the value through, and
// QUANTIZE gives it the output's QuantizeLinear/DequantizeLinear.
#include "etch/tflite/converter.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

void quantize(Converter& c) {
  c.require_arity(1, 1);
  ETCH_REQUIRE(c.info(c.output(0)).quantized(), InvalidInput)
      << c.where() << ": output '" << c.info(c.output(0)).name << "' has no quantization parameters";
  const bool nchw = c.held_nchw(c.input(0));
  c.set_output(c.output(0), c.get(c.input(0), nchw), nchw, 0);
}

void pass_through(Converter& c) {
  c.require_arity(1, 1);
  const int out = c.output(0);
  ETCH_REQUIRE(c.info(c.input(0)).shape == c.info(out).shape, InvalidInput)
      << c.where() << ": input " << shape_str(c.info(c.input(0)).shape) << " and output "
      << shape_str(c.info(out).shape) << " differ in shape";
  if (c.info(out).quantized() && !c.info(c.input(0)).data) {
    const bool nchw = c.held_nchw(c.input(0));
    c.set_output(out, c.get(c.input(0), nchw), nchw, 0);
    return;
  }
  c.alias(out, c.input(0));
}

}  // namespace

void register_quant_ops(OpTable& t) {
  t.builtin[fb::BuiltinOperator_QUANTIZE] = quantize;
  t.builtin[fb::BuiltinOperator_DEQUANTIZE] = pass_through;
  t.builtin[fb::BuiltinOperator_DENSIFY] = pass_through;
}

}  // namespace etch::tflite
