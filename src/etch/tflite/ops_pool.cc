// AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SUM, REDUCE_MAX, RESIZE_BILINEAR and
// RESIZE_NEAREST_NEIGHBOR, computed on NCHW.
#include <algorithm>

#include "etch/tflite/converter.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

using Attrs = std::map<std::string, ir::Attribute>;

void pool(Converter& c, const std::string& op_type) {
  c.require_arity(1, 1);
  const auto* o = c.op().builtin_options_as_Pool2DOptions();
  ETCH_REQUIRE(o, InvalidInput) << c.where() << " has no Pool2DOptions";
  const Shape& xs = c.info(c.input(0)).shape;
  ETCH_REQUIRE(xs.size() == 4, InvalidInput) << c.where() << ": input " << shape_str(xs) << " is not rank 4";
  const int64_t kh = o->filter_height(), kw = o->filter_width(), sh = o->stride_h(), sw = o->stride_w();
  ETCH_REQUIRE(kh > 0 && kw > 0 && sh > 0 && sw > 0, InvalidInput)
      << c.where() << ": filter and strides must be positive";
  const bool same = o->padding() == 0;
  const auto ph = same_padding(same, xs[1], kh, sh, 1), pw = same_padding(same, xs[2], kw, sw, 1);
  // TFLite's average pool divides by the number of pixels inside the input,
  // which is ONNX's count_include_pad = 0.
  Attrs a{{"kernel_shape", std::vector<int64_t>{kh, kw}},
          {"strides", std::vector<int64_t>{sh, sw}},
          {"pads", std::vector<int64_t>{ph.first, pw.first, ph.second, pw.second}}};
  const ir::ValueId y = c.add_node(op_type, {c.get(c.input(0), true)}, a);
  c.set_output(c.output(0), y, true, o->fused_activation_function());
}

void average_pool(Converter& c) { pool(c, "AveragePool"); }
void max_pool(Converter& c) { pool(c, "MaxPool"); }

// MEAN, SUM, REDUCE_MAX: axes as a constant input, keep_dims as an option.
// axes_input: the op takes axes as an input (ReduceSum from opset 13).
void reduce(Converter& c, const std::string& op_type, bool axes_input) {
  c.require_arity(2, 1);
  const auto* o = c.op().builtin_options_as_ReducerOptions();
  const bool keep = o && o->keep_dims();
  const int x = c.input(0);
  const int rank = static_cast<int>(c.info(x).shape.size());
  std::vector<int64_t> axes = c.const_ints(c.input(1), "axes");
  for (int64_t& a : axes) {
    ETCH_REQUIRE(a >= -rank && a < rank, InvalidInput)
        << c.where() << ": axis " << a << " is out of range for rank " << rank;
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  // On an NCHW tensor: reduce the mapped axes when the result keeps rank 4,
  // or when H and W go away and [N, C] is left (global pooling).
  const bool nchw = c.held_nchw(x) && rank == 4 && (keep || axes == std::vector<int64_t>{1, 2});
  std::vector<int64_t> mapped = axes;
  if (nchw)
    for (int64_t& a : mapped) a = nchw_axis(static_cast<int>(a));
  std::sort(mapped.begin(), mapped.end());
  std::map<std::string, ir::Attribute> attrs{{"keepdims", int64_t{keep ? 1 : 0}}};
  std::vector<ir::ValueId> ins{c.get(x, nchw)};
  if (axes_input)
    ins.push_back(c.add_ints("axes", mapped));
  else
    attrs["axes"] = mapped;
  const ir::ValueId y = c.add_node(op_type, ins, attrs);
  c.set_output(c.output(0), y, nchw && keep, 0);
}

void mean(Converter& c) { reduce(c, "ReduceMean", false); }
void sum(Converter& c) { reduce(c, "ReduceSum", true); }
void reduce_max(Converter& c) { reduce(c, "ReduceMax", false); }

void resize(Converter& c, bool bilinear) {
  c.require_arity(2, 1);
  const Shape& xs = c.info(c.input(0)).shape;
  ETCH_REQUIRE(xs.size() == 4, InvalidInput) << c.where() << ": input " << shape_str(xs) << " is not rank 4";
  const auto size = c.const_ints(c.input(1), "size");
  ETCH_REQUIRE(size.size() == 2 && size[0] > 0 && size[1] > 0, InvalidInput)
      << c.where() << ": size must be two positive values, got " << shape_str(size);
  bool align = false, half = false;
  if (bilinear) {
    if (const auto* o = c.op().builtin_options_as_ResizeBilinearOptions())
      align = o->align_corners(), half = o->half_pixel_centers();
  } else if (const auto* o = c.op().builtin_options_as_ResizeNearestNeighborOptions()) {
    align = o->align_corners(), half = o->half_pixel_centers();
  }
  Attrs a;
  if (bilinear) {
    a["mode"] = std::string("linear");
    a["coordinate_transformation_mode"] = std::string(align ? "align_corners" : half ? "half_pixel" : "asymmetric");
  } else {
    // TFLite: align_corners rounds half away from zero (coordinates are >= 0);
    // half_pixel_centers floors (x + 0.5)·scale; otherwise floors x·scale.
    a["mode"] = std::string("nearest");
    a["coordinate_transformation_mode"] = std::string(align  ? "align_corners"
                                                      : half ? "tf_half_pixel_for_nn"
                                                             : "asymmetric");
    a["nearest_mode"] = std::string(align ? "round_prefer_ceil" : "floor");
  }
  const ir::ValueId sizes = c.add_ints("sizes", {xs[0], xs[3], size[0], size[1]});
  const ir::ValueId y = c.add_node("Resize", {c.get(c.input(0), true), ir::kNoValue, ir::kNoValue, sizes}, a);
  c.set_output(c.output(0), y, true, 0);
}

void resize_bilinear(Converter& c) { resize(c, true); }
void resize_nearest(Converter& c) { resize(c, false); }

}  // namespace

void register_pool_ops(OpTable& t) {
  t.builtin[fb::BuiltinOperator_AVERAGE_POOL_2D] = average_pool;
  t.builtin[fb::BuiltinOperator_MAX_POOL_2D] = max_pool;
  t.builtin[fb::BuiltinOperator_MEAN] = mean;
  t.builtin[fb::BuiltinOperator_SUM] = sum;
  t.builtin[fb::BuiltinOperator_REDUCE_MAX] = reduce_max;
  t.builtin[fb::BuiltinOperator_RESIZE_BILINEAR] = resize_bilinear;
  t.builtin[fb::BuiltinOperator_RESIZE_NEAREST_NEIGHBOR] = resize_nearest;
}

}  // namespace etch::tflite
