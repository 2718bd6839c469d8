// Gemm and MatMul schemas.
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

bool dims_conflict(int64_t a, int64_t b) { return a >= 0 && b >= 0 && a != b; }

void infer_gemm(InferContext& c) {
  const Shape& a = c.shape(0);
  const Shape& b = c.shape(1);
  if (a.size() != 2 || b.size() != 2) c.fail("A and B must be 2-D, got " + shape_str(a) + " and " + shape_str(b));
  const bool ta = c.node().attr_int("transA", 0) != 0, tb = c.node().attr_int("transB", 0) != 0;
  const int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
  const int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (dims_conflict(ka, kb))
    c.fail("inner dimensions differ: A" + std::string(ta ? "ᵀ" : "") + " is " + shape_str(a) + ", B" +
           std::string(tb ? "ᵀ" : "") + " is " + shape_str(b));
  if (c.dtype(1) != c.dtype(0)) c.fail("A and B have different dtypes");
  if (c.has_input(2)) {
    const Shape& cs = c.shape(2);
    if (cs.size() > 2) c.fail("C must have rank <= 2, got " + shape_str(cs));
    const Shape target{m, n};
    for (size_t i = 0; i < cs.size(); ++i) {
      int64_t t = target[2 - cs.size() + i];
      if (cs[i] != 1 && dims_conflict(cs[i], t))
        c.fail("C of shape " + shape_str(cs) + " cannot be broadcast to " + shape_str(target));
    }
  }
  c.set_output(0, c.dtype(0), {m, n});
}

void infer_matmul(InferContext& c) {
  Shape a = c.shape(0), b = c.shape(1);
  if (a.empty() || b.empty()) c.fail("operands must have rank >= 1");
  if (c.dtype(1) != c.dtype(0)) c.fail("operands have different dtypes");
  const bool a1 = a.size() == 1, b1 = b.size() == 1;
  if (a1) a.insert(a.begin(), 1);
  if (b1) b.push_back(1);
  if (dims_conflict(a.back(), b[b.size() - 2]))
    c.fail("inner dimensions differ: " + shape_str(c.shape(0)) + " × " + shape_str(c.shape(1)));
  Shape batch;
  try {
    batch = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
  } catch (const Error& e) {
    c.fail(std::string("batch dimensions: ") + e.what());
  }
  Shape out = batch;
  if (!a1) out.push_back(a[a.size() - 2]);
  if (!b1) out.push_back(b.back());
  c.set_output(0, c.dtype(0), out);
}

}  // namespace

ETCH_REGISTER_OP({"Gemm", "", 2, 3, 1, 1, infer_gemm, OpTrait::kWeighted | OpTrait::kFusesActivation,
                  MacForm{MacForm::kGemm, 0, 1}});
ETCH_REGISTER_OP({"MatMul", "", 2, 2, 1, 1, infer_matmul, OpTrait::kWeighted, MacForm{MacForm::kMatMul, 0, 1}});

}  // namespace etch::ir
