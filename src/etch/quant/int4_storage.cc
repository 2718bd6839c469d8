#include "etch/quant/int4_storage.h"

#include <cstring>

#include "etch/core/int4.h"
#include "etch/ir/op_registry.h"
#include "etch/ir/ops/qint_ops.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::quant {

namespace {
void infer_unpack_int4(ir::InferContext& c) {
  if (c.dtype(0) != DType::U8) c.fail(std::string("packed input must be uint8, got ") + dtype_name(c.dtype(0)));
  const Shape shape = c.node().attr_ints("shape");
  for (int64_t d : shape)
    if (d < 0) c.fail("attribute 'shape' must not hold negative dims");
  const Shape& in = c.shape(0);
  const int64_t want = (shape_numel(shape) + 1) / 2;
  if (in.size() != 1 || (in[0] >= 0 && in[0] != want))
    c.fail("packed input has shape " + shape_str(in) + "; expected [" + std::to_string(want) + "] for shape " +
           shape_str(shape));
  c.set_output(0, DType::I8, shape);
}

Tensor as_i4(const Tensor& packed, const Shape& shape) {
  Tensor t(DType::I4, shape);
  std::memcpy(t.raw(), packed.raw(), t.nbytes());
  return t;
}

void unpack_int4_kernel(runtime::KernelContext& c) {
  Tensor u = unpack_int4(as_i4(c.input(0), c.output(0).shape()));
  std::memcpy(c.output(0).raw(), u.raw(), u.nbytes());
}
}  // namespace

ETCH_REGISTER_OP({kUnpackInt4, ir::kEtchDomain, 1, 1, 1, 1, infer_unpack_int4});
ETCH_REGISTER_KERNEL(kUnpackInt4, ir::kEtchDomain, DType::U8, unpack_int4_kernel);

ir::ValueId add_packed_int4(ir::Graph& g, const Tensor& w, const std::string& name) {
  const Tensor p = pack_int4(w, name.c_str());
  Tensor bytes(DType::U8, {static_cast<int64_t>(p.nbytes())});
  std::memcpy(bytes.raw(), p.raw(), p.nbytes());
  const ir::ValueId packed = g.add_constant(g.unique_name(name + "p"), bytes);
  const ir::ValueId out = g.add_value(g.unique_name(name + "q"), DType::I8, w.shape());
  g.add_node(kUnpackInt4, {packed}, {out}, g.value(out).name, {{"shape", w.shape()}}, ir::kEtchDomain);
  return out;
}

Tensor packed_int4_source(const ir::Graph& g, ir::ValueId v) {
  const int p = g.value(v).producer;
  if (p < 0) return {};
  const ir::Node* n = g.find_node(p);
  if (!n || n->op_type != kUnpackInt4 || n->domain != ir::kEtchDomain) return {};
  const ir::Value& src = g.value(n->inputs[0]);
  if (!src.data) return {};
  return as_i4(*src.data, n->attr_ints("shape"));
}

}  // namespace etch::quant
