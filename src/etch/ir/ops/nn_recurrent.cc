// Schemas of the recurrent layers LSTM (4 gates) and GRU (3 gates): shapes of
// the weights checked against X, hidden_size and direction; outputs Y, Y_h
// (and Y_c for LSTM) in the layout the `layout` attribute names.
#include <string>

#include "etch/ir/op_registry.h"

namespace etch::ir {
namespace {

void expect_shape(InferContext& c, size_t i, const char* what, const Shape& want) {
  if (!c.has_input(i)) return;
  const Shape& s = c.shape(i);
  bool ok = s.size() == want.size();
  for (size_t d = 0; ok && d < s.size(); ++d) ok = s[d] < 0 || want[d] < 0 || s[d] == want[d];
  if (!ok) c.fail(std::string(what) + " has shape " + shape_str(s) + ", expected " + shape_str(want));
}

void infer_recurrent(InferContext& c, int64_t gates) {
  const Node& n = c.node();
  const Shape& x = c.shape(0);
  if (x.size() != 3) c.fail("X must be 3-D, got shape " + shape_str(x));
  const std::string dir = n.attr_string("direction", "forward");
  if (dir != "forward" && dir != "reverse" && dir != "bidirectional")
    c.fail("direction must be forward, reverse or bidirectional, got '" + dir + "'");
  const int64_t dirs = dir == "bidirectional" ? 2 : 1;
  const int64_t layout = n.attr_int("layout", 0);
  if (layout != 0 && layout != 1) c.fail("layout must be 0 or 1, got " + std::to_string(layout));
  const int64_t seq = layout == 0 ? x[0] : x[1], batch = layout == 0 ? x[1] : x[0];
  const int64_t hidden = n.attr_int("hidden_size", c.shape(2).size() == 3 ? c.shape(2)[2] : -1);
  if (!n.has_attr("hidden_size") && hidden < 0) c.fail("attribute 'hidden_size' is required");
  expect_shape(c, 1, "W", {dirs, gates * hidden, x[2]});
  expect_shape(c, 2, "R", {dirs, gates * hidden, hidden});
  expect_shape(c, 3, "B", {dirs, 2 * gates * hidden});
  expect_shape(c, 4, "sequence_lens", {batch});
  expect_shape(c, 5, "initial_h", layout == 0 ? Shape{dirs, batch, hidden} : Shape{batch, dirs, hidden});
  if (gates == 4) {
    expect_shape(c, 6, "initial_c", layout == 0 ? Shape{dirs, batch, hidden} : Shape{batch, dirs, hidden});
    expect_shape(c, 7, "P", {dirs, 3 * hidden});
  }
  if (c.has_input(4) && c.dtype(4) != DType::I32)
    c.fail(std::string("sequence_lens must be int32, got ") + dtype_name(c.dtype(4)));
  c.set_output(0, c.dtype(0), layout == 0 ? Shape{seq, dirs, batch, hidden} : Shape{batch, seq, dirs, hidden});
  for (size_t i = 1; i < c.num_outputs(); ++i)
    c.set_output(i, c.dtype(0), layout == 0 ? Shape{dirs, batch, hidden} : Shape{batch, dirs, hidden});
}

}  // namespace

ETCH_REGISTER_OP({"LSTM", "", 3, 8, 1, 3, [](InferContext& c) { infer_recurrent(c, 4); }});
ETCH_REGISTER_OP({"GRU", "", 3, 6, 1, 2, [](InferContext& c) { infer_recurrent(c, 3); }});

}  // namespace etch::ir
