// PAD, RESHAPE, SQUEEZE, EXPAND_DIMS, CONCATENATION, SPLIT, STRIDED_SLICE,
// TRANSPOSE and DEPTH_TO_SPACE. Ops that only reinterpret the element order (reshape family,
// transpose) work on TFLite's layout; the others follow the layout their
// input is held in and remap their axes.
#include <algorithm>
#include <limits>

#include "etch/tflite/converter.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

int64_t normalize(Converter& c, int64_t axis, int64_t rank) {
  ETCH_REQUIRE(axis >= -rank && axis < rank, InvalidInput)
      << c.where() << ": axis " << axis << " is out of range for rank " << rank;
  return axis < 0 ? axis + rank : axis;
}

void pad(Converter& c) {
  c.require_arity(2, 1);
  const int x = c.input(0);
  const int64_t rank = static_cast<int64_t>(c.info(x).shape.size());
  const auto p = c.const_ints(c.input(1), "paddings");
  ETCH_REQUIRE(static_cast<int64_t>(p.size()) == 2 * rank, InvalidInput)
      << c.where() << ": paddings hold " << p.size() << " values, expected " << 2 * rank;
  const bool nchw = c.held_nchw(x);
  std::vector<int64_t> pads(2 * rank);
  for (int64_t j = 0; j < rank; ++j) {
    const int64_t src = nchw ? kToNchw[j] : j;
    pads[j] = p[2 * src];
    pads[rank + j] = p[2 * src + 1];
  }
  const ir::ValueId y = c.add_node("Pad", {c.get(x, nchw), c.add_ints("pads", pads)});
  c.set_output(c.output(0), y, nchw, 0);
}

// RESHAPE, SQUEEZE, EXPAND_DIMS: the output tensor's shape says it all.
void reshape(Converter& c) {
  c.require_arity(1, 1);
  const int y = c.output(0);
  c.set_output(y, c.reshape(c.get(c.input(0), false), c.info(y).shape), false, 0);
}

void concatenation(Converter& c) {
  ETCH_REQUIRE(c.num_inputs() >= 1, InvalidInput) << c.where() << " has no input";
  c.require_arity(c.num_inputs(), 1);
  const auto* o = c.op().builtin_options_as_ConcatenationOptions();
  const int rank = static_cast<int>(c.info(c.output(0)).shape.size());
  int64_t axis = normalize(c, o ? o->axis() : 0, rank);
  bool nchw = false;
  for (int i = 0; i < c.num_inputs() && rank == 4; ++i) nchw = nchw || c.held_nchw(c.input(i));
  std::vector<ir::ValueId> ins;
  for (int i = 0; i < c.num_inputs(); ++i) ins.push_back(c.get(c.input(i), nchw));
  if (nchw) axis = nchw_axis(static_cast<int>(axis));
  c.set_output(c.output(0), c.add_node("Concat", ins, {{"axis", axis}}), nchw, o ? o->fused_activation_function() : 0);
}

void split(Converter& c) {
  // Inputs: axis, then the tensor.
  c.require_arity(2, c.num_outputs());
  const int x = c.input(1);
  const int rank = static_cast<int>(c.info(x).shape.size());
  const auto axes = c.const_ints(c.input(0), "axis");
  ETCH_REQUIRE(axes.size() == 1, InvalidInput) << c.where() << ": axis must be one value";
  int64_t axis = normalize(c, axes[0], rank);
  const int n = c.num_outputs();
  const int64_t dim = c.info(x).shape[axis];
  ETCH_REQUIRE(n > 0 && dim % n == 0, InvalidInput)
      << c.where() << ": dimension " << dim << " does not split into " << n << " equal parts";
  const bool nchw = c.held_nchw(x);
  if (nchw) axis = nchw_axis(static_cast<int>(axis));
  const auto outs = c.add_node_n("Split", {c.get(x, nchw), c.add_ints("split", std::vector<int64_t>(n, dim / n))}, n,
                                 {{"axis", axis}});
  for (int i = 0; i < n; ++i) c.set_output(c.output(i), outs[i], nchw, 0);
}

void strided_slice(Converter& c) {
  c.require_arity(4, 1);
  const auto* o = c.op().builtin_options_as_StridedSliceOptions();
  ETCH_REQUIRE(o, InvalidInput) << c.where() << " has no StridedSliceOptions";
  ETCH_REQUIRE(o->ellipsis_mask() == 0 && o->new_axis_mask() == 0, Unsupported)
      << c.where() << ": ellipsis_mask and new_axis_mask are not supported";
  const int x = c.input(0);
  const Shape& xs = c.info(x).shape;
  const int rank = static_cast<int>(xs.size());
  auto begin = c.const_ints(c.input(1), "begin");
  auto end = c.const_ints(c.input(2), "end");
  const auto strides = c.const_ints(c.input(3), "strides");
  ETCH_REQUIRE(begin.size() == end.size() && begin.size() == strides.size() && begin.size() <= xs.size(), InvalidInput)
      << c.where() << ": begin, end and strides must have one value per sliced axis (at most " << rank << ")";
  std::vector<int64_t> starts, ends, axes, steps;
  for (int i = 0; i < static_cast<int>(begin.size()); ++i) {
    const int64_t dim = xs[i], step = strides[i];
    ETCH_REQUIRE(step != 0, InvalidInput) << c.where() << ": stride of axis " << i << " is 0";
    const bool shrink = (o->shrink_axis_mask() >> i) & 1;
    int64_t b = begin[i], e = o->offset() ? begin[i] + end[i] : end[i];
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    // Resolved the way TFLite does: masks select the whole axis in the step's
    // direction; explicit bounds are clamped to the axis.
    if ((o->begin_mask() >> i) & 1 && !shrink) b = step > 0 ? 0 : dim - 1;
    b = step > 0 ? std::clamp<int64_t>(b, 0, dim) : std::clamp<int64_t>(b, -1, dim - 1);
    if (shrink) {
      e = b + 1;
    } else if ((o->end_mask() >> i) & 1) {
      e = step > 0 ? dim : -1;
    } else {
      e = step > 0 ? std::clamp<int64_t>(e, 0, dim) : std::clamp<int64_t>(e, -1, dim - 1);
    }
    starts.push_back(b);
    // ONNX reads a negative end as counted from the back; "before index 0"
    // for a negative step is the lowest int64.
    ends.push_back(e < 0 ? std::numeric_limits<int64_t>::min() : e);
    axes.push_back(i);
    steps.push_back(shrink ? 1 : step);
  }
  const bool nchw = c.held_nchw(x) && o->shrink_axis_mask() == 0;
  if (nchw)
    for (int64_t& a : axes) a = nchw_axis(static_cast<int>(a));
  ir::ValueId y = c.add_node("Slice", {c.get(x, nchw), c.add_ints("starts", starts), c.add_ints("ends", ends),
                                       c.add_ints("axes", axes), c.add_ints("steps", steps)});
  if (o->shrink_axis_mask()) y = c.reshape(y, c.info(c.output(0)).shape);
  c.set_output(c.output(0), y, nchw, 0);
}

// NHWC depth-to-space (DCR order: the channel splits as [block_h, block_w,
// C']) as Reshape → Transpose → Reshape on TFLite's layout.
void depth_to_space(Converter& c) {
  c.require_arity(1, 1);
  const auto* o = c.op().builtin_options_as_DepthToSpaceOptions();
  const int64_t b = o ? o->block_size() : 0;
  const Shape& xs = c.info(c.input(0)).shape;
  ETCH_REQUIRE(b > 0 && xs.size() == 4 && xs[3] % (b * b) == 0, InvalidInput)
      << c.where() << ": block size " << b << " does not divide the channels of " << shape_str(xs);
  const int64_t cout = xs[3] / (b * b);
  ir::ValueId v = c.reshape(c.get(c.input(0), false), {xs[0], xs[1], xs[2], b, b, cout});
  v = c.transpose(v, {0, 1, 3, 2, 4, 5});
  c.set_output(c.output(0), c.reshape(v, {xs[0], xs[1] * b, xs[2] * b, cout}), false, 0);
}

void transpose(Converter& c) {
  c.require_arity(2, 1);
  const auto perm = c.const_ints(c.input(1), "perm");
  const size_t rank = c.info(c.input(0)).shape.size();
  std::vector<bool> seen(rank, false);
  ETCH_REQUIRE(perm.size() == rank, InvalidInput)
      << c.where() << ": perm has " << perm.size() << " values for rank " << rank;
  for (int64_t p : perm) {
    ETCH_REQUIRE(p >= 0 && p < static_cast<int64_t>(rank) && !seen[p], InvalidInput)
        << c.where() << ": perm " << shape_str(perm) << " is not a permutation";
    seen[p] = true;
  }
  const ir::ValueId y = c.add_node("Transpose", {c.get(c.input(0), false)}, {{"perm", perm}});
  c.set_output(c.output(0), y, false, 0);
}

}  // namespace

void register_shape_ops(OpTable& t) {
  t.builtin[fb::BuiltinOperator_PAD] = pad;
  t.builtin[fb::BuiltinOperator_RESHAPE] = reshape;
  t.builtin[fb::BuiltinOperator_SQUEEZE] = reshape;
  t.builtin[fb::BuiltinOperator_EXPAND_DIMS] = reshape;
  t.builtin[fb::BuiltinOperator_CONCATENATION] = concatenation;
  t.builtin[fb::BuiltinOperator_SPLIT] = split;
  t.builtin[fb::BuiltinOperator_STRIDED_SLICE] = strided_slice;
  t.builtin[fb::BuiltinOperator_TRANSPOSE] = transpose;
  t.builtin[fb::BuiltinOperator_DEPTH_TO_SPACE] = depth_to_space;
}

}  // namespace etch::tflite
