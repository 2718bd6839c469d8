// Schemas of etch's integer ops (domain ai.etch), the quantized graph's
// vocabulary; docs/quantization.md defines their arithmetic. Shape inference
// also parses the integer attributes (qint_params.h), so a malformed quantized
// graph fails at import or verification, naming the node and the attribute,
// rather than inside a kernel.
#include "etch/ir/ops/qint_ops.h"

#include <string>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/ir/ops/qint_params.h"
#include "etch/ir/ops/quant_conv_geometry.h"

namespace etch::ir {
namespace {

void require_dtype(InferContext& c, size_t i, DType want, const char* what) {
  if (c.dtype(i) != want)
    c.fail(std::string(what) + " must be " + dtype_name(want) + ", got " + dtype_name(c.dtype(i)));
}

void require_weight(InferContext& c, size_t i) {
  if (c.dtype(i) != DType::I8 && c.dtype(i) != DType::I4)
    c.fail(std::string("weight must be int8 or int4, got ") + dtype_name(c.dtype(i)));
}

void require_attr(InferContext& c, const char* name) {
  if (!c.node().has_attr(name)) c.fail(std::string("attribute '") + name + "' is required");
}

void require_bias(InferContext& c, size_t i, int64_t channels) {
  if (!c.has_input(i)) return;
  require_dtype(c, i, DType::I32, "bias");
  const Shape& b = c.shape(i);
  if (b.size() != 1 || (b[0] >= 0 && channels >= 0 && b[0] != channels))
    c.fail("bias has shape " + shape_str(b) + "; expected [" + std::to_string(channels) + "]");
}

void infer_qconv(InferContext& c) {
  require_dtype(c, 0, DType::I8, "input x");
  require_weight(c, 1);
  const ConvGeometry g = resolve_conv_geometry(c.node(), c.shape(0), c.shape(1));
  require_bias(c, 2, g.out_channels);
  qconv_params(c.node(), g.out_channels);
  c.set_output(0, DType::I8, g.output_shape);
}

void infer_qgemm(InferContext& c) {
  require_dtype(c, 0, DType::I8, "input x");
  require_weight(c, 1);
  const Shape &x = c.shape(0), &w = c.shape(1);
  if (x.size() != 2 || w.size() != 2) c.fail("x and w must be 2-D, got " + shape_str(x) + " and " + shape_str(w));
  if (x[1] >= 0 && w[1] >= 0 && x[1] != w[1])
    c.fail("x has K = " + std::to_string(x[1]) + " but w (output channel first) has K = " + std::to_string(w[1]));
  require_bias(c, 2, w[0]);
  qconv_params(c.node(), w[0]);
  c.set_output(0, DType::I8, {x[0], w[0]});
}

void infer_qadd(InferContext& c) {
  require_dtype(c, 0, DType::I8, "input a");
  require_dtype(c, 1, DType::I8, "input b");
  qadd_params(c.node());
  c.set_output(0, DType::I8, broadcast_shapes(c.shape(0), c.shape(1)));
}

void infer_qaverage_pool(InferContext& c) {
  require_dtype(c, 0, DType::I8, "input x");
  const Shape& x = c.shape(0);
  if (x.size() < 3) c.fail("input must have rank >= 3 (N, C, spatial...), got shape " + shape_str(x));
  require_attr(c, "kernel_shape");
  qpool_params(c.node());
  const Window w =
      resolve_window(c.node(), std::vector<int64_t>(x.begin() + 2, x.end()), c.node().attr_ints("kernel_shape"), false);
  Shape out{x[0], x[1]};
  out.insert(out.end(), w.out.begin(), w.out.end());
  c.set_output(0, DType::I8, out);
}

void infer_qlut(InferContext& c) {
  require_dtype(c, 0, DType::I8, "input x");
  require_dtype(c, 1, DType::I8, "table");
  if (shape_numel(c.shape(1)) != 256) c.fail("table must hold 256 entries, got shape " + shape_str(c.shape(1)));
  c.set_output(0, DType::I8, c.shape(0));
}

}  // namespace

ETCH_REGISTER_OP({"QConv", kEtchDomain, 2, 3, 1, 1, infer_qconv, OpTrait::kIntegerOp, MacForm{MacForm::kConv, 0, 1}});
ETCH_REGISTER_OP({"QGemm", kEtchDomain, 2, 3, 1, 1, infer_qgemm, OpTrait::kIntegerOp, MacForm{MacForm::kGemm, 0, 1}});
ETCH_REGISTER_OP({"QAdd", kEtchDomain, 2, 2, 1, 1, infer_qadd, OpTrait::kIntegerOp});
ETCH_REGISTER_OP({"QAveragePool", kEtchDomain, 1, 1, 1, 1, infer_qaverage_pool, OpTrait::kIntegerOp});
ETCH_REGISTER_OP({"QLut", kEtchDomain, 2, 2, 1, 1, infer_qlut, OpTrait::kIntegerOp});

}  // namespace etch::ir
