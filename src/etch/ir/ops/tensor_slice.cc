// Schemas of the ops that select or join parts of tensors: Concat, Split,
// Slice, Gather.
#include <algorithm>
#include <limits>
#include <optional>

#include "etch/ir/op_registry.h"
#include "etch/ir/ops/tensor_slice_params.h"

namespace etch::ir {
namespace {

void infer_concat(InferContext& c) {
  if (!c.node().has_attr("axis")) c.fail("attribute 'axis' is required");
  const Shape& first = c.shape(0);
  const int64_t rank = static_cast<int64_t>(first.size());
  const int64_t axis = normalize_axis(c.node().attr_int("axis", 0), rank, c.node());
  Shape out = first;
  for (size_t i = 1; i < c.num_inputs(); ++i) {
    const Shape& s = c.shape(i);
    if (c.dtype(i) != c.dtype(0))
      c.fail("input " + std::to_string(i) + " is " + dtype_name(c.dtype(i)) + ", input 0 is " + dtype_name(c.dtype(0)));
    if (static_cast<int64_t>(s.size()) != rank)
      c.fail("input " + std::to_string(i) + " has shape " + shape_str(s) + ", not of rank " + std::to_string(rank) +
             " like input 0 " + shape_str(first));
    for (int64_t d = 0; d < rank; ++d) {
      if (d == axis) {
        out[d] = (out[d] < 0 || s[d] < 0) ? -1 : out[d] + s[d];
      } else if (s[d] >= 0 && out[d] >= 0 && s[d] != out[d]) {
        c.fail("input " + std::to_string(i) + " has shape " + shape_str(s) + ", which differs from " +
               shape_str(first) + " outside axis " + std::to_string(axis));
      } else if (out[d] < 0) {
        out[d] = s[d];
      }
    }
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_split(InferContext& c) {
  const Shape& in = c.shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  const int64_t axis = normalize_axis(c.node().attr_int("axis", 0), rank, c.node());
  const int64_t n = static_cast<int64_t>(c.num_outputs());
  const int64_t dim = in[axis];
  std::vector<int64_t> sizes;
  bool explicit_split = false;
  if (c.has_input(1)) {
    if (!c.value(1)) {
      for (int64_t i = 0; i < n; ++i) {
        Shape s = in;
        s[axis] = -1;
        c.set_output(i, c.dtype(0), s);
      }
      return;
    }
    sizes = c.value(1)->to_int64_vector();
    explicit_split = true;
  } else if (c.node().has_attr("split")) {
    sizes = c.node().attr_ints("split");
    explicit_split = true;
  }
  if (explicit_split) {
    if (static_cast<int64_t>(sizes.size()) != n)
      c.fail("split has " + std::to_string(sizes.size()) + " entries but the node has " + std::to_string(n) +
             " outputs");
    int64_t total = 0;
    for (int64_t s : sizes) {
      if (s < 0) c.fail("split sizes must not be negative");
      total += s;
    }
    if (dim >= 0 && total != dim)
      c.fail("split sizes add up to " + std::to_string(total) + " but axis " + std::to_string(axis) + " of " +
             shape_str(in) + " has " + std::to_string(dim));
  } else if (dim < 0) {
    sizes.assign(n, -1);
  } else if (dim % n == 0) {
    sizes.assign(n, dim / n);
  } else if (c.node().has_attr("num_outputs")) {
    // Opset 18: ceil-sized chunks, the last one smaller.
    const int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i) sizes.push_back(std::clamp<int64_t>(dim - i * chunk, 0, chunk));
  } else {
    c.fail("axis " + std::to_string(axis) + " of " + shape_str(in) + " (size " + std::to_string(dim) +
           ") cannot be split evenly into " + std::to_string(n) + " outputs");
  }
  for (int64_t i = 0; i < n; ++i) {
    Shape s = in;
    s[axis] = sizes[i];
    c.set_output(i, c.dtype(0), s);
  }
}

void infer_slice(InferContext& c) {
  const Shape& in = c.shape(0);
  std::vector<const Tensor*> values;
  for (size_t i = 0; i < c.num_inputs(); ++i) values.push_back(c.value(i));
  for (size_t i = 1; i < c.num_inputs(); ++i)
    if (c.has_input(i) && c.dtype(i) != DType::I64 && c.dtype(i) != DType::I32)
      c.fail("input " + std::to_string(i) + " must be int32 or int64, got " + dtype_name(c.dtype(i)));
  auto axes = resolve_slice(c.node(), in, values);
  if (!axes) return c.set_output(0, c.dtype(0), Shape(in.size(), -1));
  Shape out(in.size());
  for (size_t d = 0; d < in.size(); ++d) out[d] = (*axes)[d].length;
  c.set_output(0, c.dtype(0), out);
}

void infer_gather(InferContext& c) {
  const Shape& data = c.shape(0);
  const int64_t rank = static_cast<int64_t>(data.size());
  if (rank == 0) c.fail("data must have rank >= 1");
  const int64_t axis = normalize_axis(c.node().attr_int("axis", 0), rank, c.node());
  if (c.dtype(1) != DType::I64 && c.dtype(1) != DType::I32)
    c.fail(std::string("indices must be int32 or int64, got ") + dtype_name(c.dtype(1)));
  if (c.value(1) && data[axis] >= 0) {
    const int64_t dim = data[axis];
    for (int64_t idx : c.value(1)->to_int64_vector())
      if (idx < -dim || idx >= dim)
        c.fail("index " + std::to_string(idx) + " is out of range for axis " + std::to_string(axis) + " of size " +
               std::to_string(dim));
  }
  Shape out(data.begin(), data.begin() + axis);
  out.insert(out.end(), c.shape(1).begin(), c.shape(1).end());
  out.insert(out.end(), data.begin() + axis + 1, data.end());
  c.set_output(0, c.dtype(0), out);
}

constexpr int kVariadic = std::numeric_limits<int>::max();

}  // namespace

ETCH_REGISTER_OP({"Concat", "", 1, kVariadic, 1, 1, infer_concat, OpTrait::kConcatenation});
ETCH_REGISTER_OP({"Split", "", 1, 2, 1, kVariadic, infer_split});
ETCH_REGISTER_OP({"Slice", "", 1, 5, 1, 1, infer_slice});
ETCH_REGISTER_OP({"Gather", "", 2, 2, 1, 1, infer_gather});

}  // namespace etch::ir
