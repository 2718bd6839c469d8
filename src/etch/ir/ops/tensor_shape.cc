// Schemas of the ops that only change how data is laid out or report shapes:
// Reshape, Flatten, Squeeze, Unsqueeze, Transpose, Expand, Tile, Shape, Size.
// Where the output shape depends on an input's value that is not known on the
// graph, the rank is kept when it can be and the dims are left unknown (-1).
#include <algorithm>
#include <optional>
#include <set>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

std::optional<std::vector<int64_t>> input_ints(const InferContext& c, size_t i) {
  if (!c.has_input(i) || !c.value(i)) return std::nullopt;
  return c.value(i)->to_int64_vector();
}

// Output of unknown dims whose count is the length of 1-D input i, if static.
void set_unknown_from_length(InferContext& c, size_t i, DType dtype, int64_t extra_rank = 0) {
  const Shape& s = c.shape(i);
  if (s.size() == 1 && s[0] >= 0)
    c.set_output(0, dtype, Shape(s[0] + extra_rank, -1));
  else
    c.set_output(0, dtype, {}, false);
}

std::string ints_str(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) s += ',';
    s += std::to_string(v[i]);
  }
  s += ']';
  return s;
}

void infer_reshape(InferContext& c) {
  const Shape& in = c.shape(0);
  std::vector<int64_t> target;
  if (c.has_input(1)) {
    auto v = input_ints(c, 1);
    if (!v) return set_unknown_from_length(c, 1, c.dtype(0));
    target = *v;
  } else if (c.node().has_attr("shape")) {
    target = c.node().attr_ints("shape");  // Reshape-1
  } else {
    c.fail("needs a 'shape' input");
  }
  const bool allowzero = c.node().attr_int("allowzero", 0) != 0;
  auto fail = [&](const std::string& why) {
    c.fail("cannot reshape " + shape_str(in) + " into " + ints_str(target) + ": " + why);
  };
  Shape out(target.size());
  std::vector<bool> copied(target.size(), false);
  int infer_at = -1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allowzero) {
      if (i >= in.size()) fail("0 at position " + std::to_string(i) + " has no input dim to copy");
      out[i] = in[i];
      copied[i] = true;
    } else if (target[i] == -1) {
      if (infer_at >= 0) fail("more than one -1");
      infer_at = static_cast<int>(i);
    } else if (target[i] < -1) {
      fail("dim " + std::to_string(target[i]) + " is invalid");
    } else {
      out[i] = target[i];
    }
  }
  if (allowzero && infer_at >= 0 && std::count(target.begin(), target.end(), 0) > 0)
    fail("-1 cannot be combined with 0 when allowzero=1");
  // Dims copied from the input cancel against the same input dims, so an
  // unknown batch dim copied by 0 does not hide the -1.
  int64_t in_rest = 1, out_rest = 1;
  bool known = true;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i < copied.size() && copied[i]) continue;
    if (in[i] < 0)
      known = false;
    else if (__builtin_mul_overflow(in_rest, in[i], &in_rest))
      fail("the input has more elements than int64 holds");
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (copied[i] || static_cast<int>(i) == infer_at) continue;
    // A target such as [3e18, 100] would overflow int64 (found by fuzzing).
    if (__builtin_mul_overflow(out_rest, out[i], &out_rest)) fail("the target has more elements than int64 holds");
  }
  if (infer_at >= 0) {
    if (!known) {
      out[infer_at] = -1;
    } else if (out_rest == 0) {
      if (in_rest != 0) fail("the -1 dim is ambiguous next to a 0-sized dim");
      out[infer_at] = 0;
    } else {
      if (in_rest % out_rest != 0)
        fail(std::to_string(in_rest) + " elements do not divide into " + std::to_string(out_rest));
      out[infer_at] = in_rest / out_rest;
    }
  } else if (known && in_rest != out_rest) {
    fail(std::to_string(shape_numel(in) < 0 ? in_rest : shape_numel(in)) + " elements cannot become " +
         std::to_string(shape_numel(out) < 0 ? out_rest : shape_numel(out)));
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_flatten(InferContext& c) {
  const Shape& in = c.shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  int64_t axis = c.node().attr_int("axis", 1);
  if (axis < -rank || axis > rank)
    c.fail("axis " + std::to_string(axis) + " is out of range for rank " + std::to_string(rank));
  if (axis < 0) axis += rank;
  Shape lo(in.begin(), in.begin() + axis), hi(in.begin() + axis, in.end());
  c.set_output(0, c.dtype(0), {shape_numel(lo), shape_numel(hi)});
}

std::optional<std::vector<int64_t>> axes_of(InferContext& c, bool* missing) {
  *missing = false;
  if (c.has_input(1)) return input_ints(c, 1);
  if (c.node().has_attr("axes")) return c.node().attr_ints("axes");
  *missing = true;
  return std::vector<int64_t>{};
}

void infer_squeeze(InferContext& c) {
  const Shape& in = c.shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  bool none = false;
  auto axes = axes_of(c, &none);
  if (!axes) return c.set_output(0, c.dtype(0), {}, false);
  Shape out;
  if (none || axes->empty()) {  // an empty axes input means "all unit dims", as when omitted
    for (int64_t d : in) {
      if (d < 0) return c.set_output(0, c.dtype(0), {}, false);
      if (d != 1) out.push_back(d);
    }
    return c.set_output(0, c.dtype(0), out);
  }
  std::set<int64_t> drop;
  for (int64_t a : *axes) {
    const int64_t ax = normalize_axis(a, rank, c.node());
    if (in[ax] > 1 || in[ax] == 0)
      c.fail("cannot squeeze axis " + std::to_string(a) + " of shape " + shape_str(in) + ": its size is " +
             std::to_string(in[ax]) + ", not 1");
    drop.insert(ax);
  }
  for (int64_t d = 0; d < rank; ++d)
    if (!drop.count(d)) out.push_back(in[d]);
  c.set_output(0, c.dtype(0), out);
}

void infer_unsqueeze(InferContext& c) {
  const Shape& in = c.shape(0);
  bool none = false;
  auto axes = axes_of(c, &none);
  if (none) c.fail("needs axes (attribute before opset 13, input after)");
  if (!axes) {
    if (c.shape(1).size() == 1 && c.shape(1)[0] >= 0)
      return c.set_output(0, c.dtype(0), Shape(in.size() + c.shape(1)[0], -1));
    return c.set_output(0, c.dtype(0), {}, false);
  }
  const int64_t out_rank = static_cast<int64_t>(in.size() + axes->size());
  std::vector<bool> inserted(out_rank, false);
  for (int64_t a : *axes) {
    const int64_t ax = normalize_axis(a, out_rank, c.node());
    if (inserted[ax]) c.fail("axis " + std::to_string(a) + " is repeated");
    inserted[ax] = true;
  }
  Shape out(out_rank);
  size_t j = 0;
  for (int64_t d = 0; d < out_rank; ++d) out[d] = inserted[d] ? 1 : in[j++];
  c.set_output(0, c.dtype(0), out);
}

void infer_transpose(InferContext& c) {
  const Shape& in = c.shape(0);
  const int64_t rank = static_cast<int64_t>(in.size());
  std::vector<int64_t> perm = c.node().attr_ints("perm");
  if (perm.empty())
    for (int64_t d = rank - 1; d >= 0; --d) perm.push_back(d);
  if (static_cast<int64_t>(perm.size()) != rank)
    c.fail("perm " + ints_str(perm) + " has " + std::to_string(perm.size()) + " entries for rank " +
           std::to_string(rank));
  std::vector<bool> used(rank, false);
  Shape out(rank);
  for (int64_t d = 0; d < rank; ++d) {
    int64_t p = perm[d] < 0 ? perm[d] + rank : perm[d];
    if (p < 0 || p >= rank || used[p])
      c.fail("perm " + ints_str(perm) + " is not a permutation of 0.." + std::to_string(rank - 1));
    used[p] = true;
    out[d] = in[p];
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_expand(InferContext& c) {
  auto target = input_ints(c, 1);
  if (!target) {
    const Shape& s = c.shape(1);
    if (s.size() == 1 && s[0] >= 0)
      return c.set_output(0, c.dtype(0), Shape(std::max<int64_t>(s[0], c.shape(0).size()), -1));
    return c.set_output(0, c.dtype(0), {}, false);
  }
  for (int64_t d : *target)
    if (d < 0) c.fail("shape " + ints_str(*target) + " has a negative dim");
  try {
    c.set_output(0, c.dtype(0), broadcast_shapes(c.shape(0), *target));
  } catch (const Error&) {
    c.fail("cannot expand " + shape_str(c.shape(0)) + " to " + ints_str(*target));
  }
}

void infer_tile(InferContext& c) {
  const Shape& in = c.shape(0);
  auto reps = input_ints(c, 1);
  if (!reps) return c.set_output(0, c.dtype(0), Shape(in.size(), -1));
  if (reps->size() != in.size())
    c.fail("repeats " + ints_str(*reps) + " has " + std::to_string(reps->size()) + " entries for input rank " +
           std::to_string(in.size()));
  Shape out(in.size());
  for (size_t d = 0; d < in.size(); ++d) {
    if ((*reps)[d] < 0) c.fail("repeats " + ints_str(*reps) + " has a negative entry");
    out[d] = in[d] < 0 ? -1 : in[d] * (*reps)[d];
  }
  c.set_output(0, c.dtype(0), out);
}

void infer_shape(InferContext& c) {
  const int64_t rank = static_cast<int64_t>(c.shape(0).size());
  int64_t start = c.node().attr_int("start", 0), end = c.node().attr_int("end", rank);
  if (start < 0) start += rank;
  if (end < 0) end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, 0, rank);
  c.set_output(0, DType::I64, {std::max<int64_t>(0, end - start)});
}

void infer_size(InferContext& c) { c.set_output(0, DType::I64, {}); }

}  // namespace

ETCH_REGISTER_OP({"Reshape", "", 1, 2, 1, 1, infer_reshape, OpTrait::kDataMovement});
ETCH_REGISTER_OP({"Flatten", "", 1, 1, 1, 1, infer_flatten, OpTrait::kDataMovement});
ETCH_REGISTER_OP({"Squeeze", "", 1, 2, 1, 1, infer_squeeze, OpTrait::kDataMovement});
ETCH_REGISTER_OP({"Unsqueeze", "", 1, 2, 1, 1, infer_unsqueeze, OpTrait::kDataMovement});
ETCH_REGISTER_OP({"Transpose", "", 1, 1, 1, 1, infer_transpose, OpTrait::kDataMovement});
ETCH_REGISTER_OP({"Expand", "", 2, 2, 1, 1, infer_expand});
ETCH_REGISTER_OP({"Tile", "", 2, 2, 1, 1, infer_tile});
ETCH_REGISTER_OP({"Shape", "", 1, 1, 1, 1, infer_shape, OpTrait::kShapeOnly});
ETCH_REGISTER_OP({"Size", "", 1, 1, 1, 1, infer_size, OpTrait::kShapeOnly});

}  // namespace etch::ir
