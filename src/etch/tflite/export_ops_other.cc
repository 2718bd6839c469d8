// Writers of the int8 ops around the weighted ones: QAdd → ADD, QMul → MUL,
// QLut → LOGISTIC / TANH / HARD_SWISH (or GATHER from etch's table), MaxPool →
// MAX_POOL_2D, Concat → CONCATENATION, Reshape / Flatten → RESHAPE (with a
// TRANSPOSE to etch's NCHW order around it when the element order differs),
// Transpose, Pad → PADV2, Identity.
#include "etch/core/error.h"
#include "etch/ir/ops/nn_window.h"
#include "etch/ir/ops/qint_mul.h"
#include "etch/tflite/export_ops.h"

namespace etch::tflite {

namespace {

// NCHW and NHWC hold a 4-D tensor's elements in the same order.
bool same_order(const Shape& nchw) { return nchw[1] == 1 || nchw[2] * nchw[3] == 1; }

int transpose(ExportWriter& w, int x, const std::vector<int>& perm, int out) {
  const int p = w.add_int32s("perm", std::vector<int32_t>(perm.begin(), perm.end()));
  w.add_op(fb::BuiltinOperator_TRANSPOSE, 2, {x, p}, {out}, fb::BuiltinOptions_TransposeOptions,
           fb::CreateTransposeOptions(w.fbb()).Union());
  return out;
}

int reshape(ExportWriter& w, int x, const Shape& shape, int out) {
  const std::vector<int32_t> s(shape.begin(), shape.end());
  const int st = w.add_int32s("shape", s);
  w.add_op(fb::BuiltinOperator_RESHAPE, 1, {x, st}, {out}, fb::BuiltinOptions_ReshapeOptions,
           fb::CreateReshapeOptionsDirect(w.fbb(), &s).Union());
  return out;
}

// Output params = the input's (ops that only move int8 data).
const QuantParams* pass_params(ExportWriter& w, const ir::Node& n) {
  if (w.graph().value(n.inputs[0]).dtype != DType::I8) return nullptr;
  w.set_params(n.outputs[0], w.params(n.inputs[0]));
  return &w.params(n.outputs[0]);
}

std::string check_reshape(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs.at(0));
  if (x.dtype != DType::I8 && x.dtype != DType::F32) return std::string("input is ") + dtype_name(x.dtype);
  if (!x.has_shape || !g.value(n.outputs[0]).has_shape) return "shapes are not known";
  return "";
}

void emit_reshape(ExportWriter& w, const ir::Node& n) {
  const ir::ValueId in = n.inputs[0], out = n.outputs[0];
  const QuantParams* q = pass_params(w, n);
  const DType dt = w.graph().value(in).dtype;
  const Shape is = w.etch_shape(in), os = w.etch_shape(out);
  int x = w.tensor(in);
  if (is.size() == 4 && !same_order(is))
    x = transpose(w, x, kNhwcToNchw, w.add_tensor(w.graph().value(in).name + "/nchw", dt, is, q));
  if (os.size() == 4 && !same_order(os)) {
    const int flat = reshape(w, x, os, w.add_tensor(w.graph().value(out).name + "/nchw", dt, os, q));
    transpose(w, flat, kNchwToNhwc, w.define(out));
  } else {
    reshape(w, x, w.shape_of(out), w.define(out));
  }
}

void emit_identity(ExportWriter& w, const ir::Node& n) {
  pass_params(w, n);
  w.alias(n.outputs[0], w.tensor(n.inputs[0]));
}

std::string check_maxpool(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs.at(0));
  if (x.dtype != DType::I8 && x.dtype != DType::F32) return std::string("input is ") + dtype_name(x.dtype);
  if (!x.has_shape || x.shape.size() != 4) return "input is not 4-D";
  if (n.outputs.size() > 1) return "the indices output is not written";
  const std::vector<int64_t> k = n.attr_ints("kernel_shape");
  if (k.size() != 2) return "kernel_shape is not 2-D";
  const ir::Window win = ir::resolve_window(n, {x.shape[2], x.shape[3]}, k, n.attr_int("ceil_mode", 0) != 0);
  if (win.dilations[0] != 1 || win.dilations[1] != 1) return "dilated max pooling has no TFLite op";
  const TflitePadding p = tflite_padding(win.in, k, win.strides, win.dilations, win.pad_begin, win.pad_end);
  if (p.needs_pad) return "pads that are neither VALID nor TFLite's SAME";
  return "";
}

void emit_maxpool(ExportWriter& w, const ir::Node& n) {
  const QuantParams* q = pass_params(w, n);
  (void)q;
  const Shape is = w.etch_shape(n.inputs[0]);
  const std::vector<int64_t> k = n.attr_ints("kernel_shape");
  const ir::Window win = ir::resolve_window(n, {is[2], is[3]}, k, n.attr_int("ceil_mode", 0) != 0);
  const TflitePadding p = tflite_padding(win.in, k, win.strides, win.dilations, win.pad_begin, win.pad_end);
  const int x = w.tensor(n.inputs[0]);
  w.add_op(fb::BuiltinOperator_MAX_POOL_2D, 2, {x}, {w.define(n.outputs[0])}, fb::BuiltinOptions_Pool2DOptions,
           fb::CreatePool2DOptions(w.fbb(), p.padding, static_cast<int>(win.strides[1]),
                                   static_cast<int>(win.strides[0]), static_cast<int>(k[1]), static_cast<int>(k[0]))
               .Union());
}

std::string check_concat(const ir::Graph& g, const ir::Node& n) {
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::Value& v = g.value(n.inputs[i]);
    if (v.dtype != g.value(n.inputs[0]).dtype || (v.dtype != DType::I8 && v.dtype != DType::F32))
      return "inputs are not all int8 or all float";
    if (!v.has_shape) return "input shapes are not known";
  }
  return "";
}

void emit_concat(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  // The grid of the first computed input (constants were quantized onto it).
  const QuantParams* q = nullptr;
  for (ir::ValueId v : n.inputs)
    if (!g.value(v).is_constant() && g.value(v).dtype == DType::I8) {
      w.set_params(n.outputs[0], w.params(v));
      q = &w.params(n.outputs[0]);
      break;
    }
  std::vector<int> ins;
  for (ir::ValueId v : n.inputs) {
    if (q && g.value(v).is_constant() && !w.has_params(v)) w.set_params(v, *q);
    ETCH_REQUIRE(!q || w.params(v) == *q, Unsupported)
        << "TFLite export: " << n.describe() << ": int8 inputs with different scales or zero points";
    ins.push_back(w.tensor(v));
  }
  const int rank = static_cast<int>(w.etch_shape(n.outputs[0]).size());
  int axis = static_cast<int>(n.attr_int("axis", 0));
  if (axis < 0) axis += rank;
  if (rank == 4) axis = std::vector<int>{0, 3, 1, 2}[axis];
  w.add_op(fb::BuiltinOperator_CONCATENATION, 2, ins, {w.define(n.outputs[0])}, fb::BuiltinOptions_ConcatenationOptions,
           fb::CreateConcatenationOptions(w.fbb(), axis).Union());
}

std::string check_transpose(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs.at(0));
  if (x.dtype != DType::I8 && x.dtype != DType::F32) return std::string("input is ") + dtype_name(x.dtype);
  if (!x.has_shape) return "input shape is not known";
  return "";
}

// etch's perm p on NCHW values whose TFLite tensors are NHWC: output TFLite
// dim j is etch output dim kNchwToNhwc[j], i.e. etch input dim
// p[kNchwToNhwc[j]], which is TFLite input dim kNhwcToNchw of that.
void emit_transpose(ExportWriter& w, const ir::Node& n) {
  pass_params(w, n);
  const size_t rank = w.etch_shape(n.inputs[0]).size();
  std::vector<int64_t> p = n.attr_ints("perm");
  if (p.empty())
    for (size_t i = 0; i < rank; ++i) p.insert(p.begin(), static_cast<int64_t>(i));
  std::vector<int> perm(p.begin(), p.end());
  if (rank == 4)
    for (size_t j = 0; j < 4; ++j) perm[j] = kNhwcToNchw[p[kNchwToNhwc[j]]];
  transpose(w, w.tensor(n.inputs[0]), perm, w.define(n.outputs[0]));
}

std::string check_pad(const ir::Graph& g, const ir::Node& n) {
  const ir::Value& x = g.value(n.inputs.at(0));
  if (x.dtype != DType::I8 && x.dtype != DType::F32) return std::string("input is ") + dtype_name(x.dtype);
  if (!x.has_shape) return "input shape is not known";
  if (n.attr_string("mode", "constant") != "constant") return "only constant padding has a TFLite op (PADV2)";
  if (!n.has_input(1) || !g.value(n.inputs[1]).is_constant()) return "pads are not a constant";
  if (n.has_input(2) && !g.value(n.inputs[2]).is_constant()) return "the pad value is not a constant";
  if (n.has_input(3)) return "padding selected axes is not written";
  return "";
}

// PADV2 with the pad value as stored (int8 or float), pads in NHWC order.
void emit_pad(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const QuantParams* q = pass_params(w, n);
  const std::vector<int64_t> pads = g.value(n.inputs[1]).data->to_int64_vector();
  const size_t rank = w.etch_shape(n.inputs[0]).size();
  ETCH_REQUIRE(pads.size() == 2 * rank, InvalidInput) << n.describe() << ": pads must have " << 2 * rank << " values";
  std::vector<int32_t> flat;
  for (size_t j = 0; j < rank; ++j) {
    const size_t d = rank == 4 ? static_cast<size_t>(kNchwToNhwc[j]) : j;
    flat.push_back(static_cast<int32_t>(pads[d]));
    flat.push_back(static_cast<int32_t>(pads[d + rank]));
  }
  const int pt =
      w.add_constant(n.name + "/paddings", Tensor::from_vector<int32_t>({static_cast<int64_t>(rank), 2}, flat));
  Tensor value = q ? Tensor::from_vector<int8_t>({1}, {0}) : Tensor::from_vector<float>({1}, {0.0f});
  if (n.has_input(2)) value = g.value(n.inputs[2]).data->reshaped({1});
  const int vt = w.add_constant(n.name + "/pad_value", value, q);
  w.add_op(fb::BuiltinOperator_PADV2, q ? 2 : 1, {w.tensor(n.inputs[0]), pt, vt}, {w.define(n.outputs[0])},
           fb::BuiltinOptions_PadV2Options, fb::CreatePadV2Options(w.fbb()).Union());
}

// --- integer element-wise ---

std::string check_int8_binary(const ir::Graph& g, const ir::Node& n) {
  for (size_t i = 0; i < 2; ++i)
    if (auto why = input_of_type(g, n, i, DType::I8); !why.empty()) return why;
  if (g.value(n.inputs[0]).shape.size() != g.value(n.inputs[1]).shape.size()) return "inputs of different rank";
  return "";
}

void check_zero_point(ExportWriter& w, const ir::Node& n, ir::ValueId v, int32_t zp) {
  ETCH_REQUIRE(w.params(v).zero_points[0] == zp, Internal)
      << n.describe() << ": zero point " << zp << " differs from its input's " << w.params(v).zero_points[0];
}

void emit_qadd(ExportWriter& w, const ir::Node& n) {
  const ir::QAddParams p = ir::qadd_params(n);
  check_zero_point(w, n, n.inputs[0], p.a_zero_point);
  check_zero_point(w, n, n.inputs[1], p.b_zero_point);
  ETCH_REQUIRE(p.left_shift == 20, Unsupported)
      << "TFLite export: " << n.describe() << " has left_shift " << p.left_shift << "; TFLite's int8 ADD uses 20";
  const float sa = w.params(n.inputs[0]).scales[0], sb = w.params(n.inputs[1]).scales[0];
  const float sy = n.attr_float("y_scale", 0.0f);
  ETCH_REQUIRE(sy > 0, InvalidInput) << n.describe() << ": attribute y_scale is missing";
  w.set_params(n.outputs[0], QuantParams{{sy}, {p.y.zero_point}, -1});
  // TFLite's add.cc Prepare, in its own precision.
  const double twice = 2 * std::max(sa, sb);
  w.check_multiplier(sa / twice, p.a, "node '" + n.name + "' input a");
  w.check_multiplier(sb / twice, p.b, "node '" + n.name + "' input b");
  w.check_multiplier(twice / ((1 << 20) * sy), p.y_requant, "node '" + n.name + "' output");
  const std::vector<int> ins{w.tensor(n.inputs[0]), w.tensor(n.inputs[1])};
  const OutputClamp out = begin_output(w, n.outputs[0], p.y.act_min, p.y.act_max);
  w.add_op(fb::BuiltinOperator_ADD, 2, ins, {out.core_out}, fb::BuiltinOptions_AddOptions,
           fb::CreateAddOptions(w.fbb(), static_cast<fb::ActivationFunctionType>(out.fused)).Union());
  end_output(w, n.outputs[0], out);
}

void emit_qmul(ExportWriter& w, const ir::Node& n) {
  const ir::QMulParams p = ir::qmul_params(n);
  check_zero_point(w, n, n.inputs[0], p.a_zero_point);
  check_zero_point(w, n, n.inputs[1], p.b_zero_point);
  const float sa = w.params(n.inputs[0]).scales[0], sb = w.params(n.inputs[1]).scales[0];
  const float sy = n.attr_float("y_scale", 0.0f);
  ETCH_REQUIRE(sy > 0, InvalidInput) << n.describe() << ": attribute y_scale is missing";
  w.set_params(n.outputs[0], QuantParams{{sy}, {p.y.zero_point}, -1});
  w.check_multiplier(static_cast<double>(sa) * sb / sy, p.requant, "node '" + n.name + "'");
  const std::vector<int> ins{w.tensor(n.inputs[0]), w.tensor(n.inputs[1])};
  const OutputClamp out = begin_output(w, n.outputs[0], p.y.act_min, p.y.act_max);
  w.add_op(fb::BuiltinOperator_MUL, 2, ins, {out.core_out}, fb::BuiltinOptions_MulOptions,
           fb::CreateMulOptions(w.fbb(), static_cast<fb::ActivationFunctionType>(out.fused)).Union());
  end_output(w, n.outputs[0], out);
}

std::string check_qlut(const ir::Graph& g, const ir::Node& n) {
  if (auto why = input_of_type(g, n, 0, DType::I8); !why.empty()) return why;
  const ir::Value& table = g.value(n.inputs.at(1));
  if (!table.is_constant() || table.dtype != DType::I8 || table.data->numel() != 256)
    return "the table is not a constant of 256 int8 values";
  return "";
}

// etch's table itself: GATHER(table, CAST(x → int32) + 128). TFLite's int8
// LOGISTIC / TANH / HARD_SWISH compute their own approximations, which differ
// from etch's correctly rounded table by a step here and there.
void emit_table(ExportWriter& w, const ir::Node& n, const QuantParams& q) {
  const ir::Graph& g = w.graph();
  const Shape shape = w.shape_of(n.inputs[0]);
  const std::string base = g.value(n.outputs[0]).name;
  const int wide = w.add_tensor(base + "/index_i32", DType::I32, shape);
  w.add_op(fb::BuiltinOperator_CAST, 1, {w.tensor(n.inputs[0])}, {wide}, fb::BuiltinOptions_CastOptions,
           fb::CreateCastOptions(w.fbb()).Union());
  const int offset = w.add_int32s(base + "/table_offset", {128});
  const int index = w.add_tensor(base + "/index", DType::I32, shape);
  w.add_op(fb::BuiltinOperator_ADD, 1, {wide, offset}, {index}, fb::BuiltinOptions_AddOptions,
           fb::CreateAddOptions(w.fbb()).Union());
  const int table = w.add_constant(base + "/table", g.value(n.inputs[1]).data->reshaped({256}), &q);
  w.add_op(fb::BuiltinOperator_GATHER, 2, {table, index}, {w.define(n.outputs[0])}, fb::BuiltinOptions_GatherOptions,
           fb::CreateGatherOptions(w.fbb()).Union());
}

void emit_qlut(ExportWriter& w, const ir::Node& n) {
  const ir::Graph& g = w.graph();
  const std::string& name = g.value(n.outputs[0]).name;
  // Its output's grid: named by the table when the lowering made it (the QDQ
  // graph has no tensor of that name), else set by name from the QDQ model's
  // activation parameters before any op was written (export_tflite).
  if (n.has_attr("y_scale"))
    w.set_params(
        n.outputs[0],
        QuantParams{{n.attr_float("y_scale", 1.0f)}, {static_cast<int32_t>(n.attr_int("y_zero_point", 0))}, -1});
  ETCH_REQUIRE(w.has_params(n.outputs[0]), InvalidInput)
      << "TFLite export: " << n.describe() << ": the scale and zero point of its output '" << name
      << "' are not known (give the QDQ model's activation parameters)";
  const QuantParams q = w.params(n.outputs[0]);
  const std::string f = n.attr_string("function", "");
  fb::BuiltinOperator code = fb::BuiltinOperator_HARD_SWISH;
  int version = 1;
  if (f == "Sigmoid" && q.scales[0] == 1.0f / 256 && q.zero_points[0] == -128) {
    code = fb::BuiltinOperator_LOGISTIC;
    version = 2;
  } else if (f == "Tanh" && q.scales[0] == 1.0f / 128 && q.zero_points[0] == 0) {
    code = fb::BuiltinOperator_TANH;
    version = 2;
  } else if (f == "Requantize") {  // a move between grids (the concat rule's): TFLite's int8 -> int8 QUANTIZE
    code = fb::BuiltinOperator_QUANTIZE;
    version = 2;
  } else if (f != "HardSwish") {
    emit_table(w, n, q);
    return;
  }
  if (w.options().exact_lookup_tables) {
    emit_table(w, n, q);
    return;
  }
  w.add_op(code, version, {w.tensor(n.inputs[0])}, {w.define(n.outputs[0])});
}

std::string ok(const ir::Graph&, const ir::Node&) { return ""; }

}  // namespace

void register_export_other_ops(ExportTable& t) {
  register_export_float_ops(t);
  t["QAdd"] = {check_int8_binary, emit_qadd};
  t["QMul"] = {check_int8_binary, emit_qmul};
  t["QLut"] = {check_qlut, emit_qlut};
  t["MaxPool"] = {check_maxpool, emit_maxpool};
  t["Concat"] = {check_concat, emit_concat};
  t["Reshape"] = {check_reshape, emit_reshape};
  t["Flatten"] = {check_reshape, emit_reshape};
  t["Identity"] = {ok, emit_identity};
  t["Transpose"] = {check_transpose, emit_transpose};
  t["Pad"] = {check_pad, emit_pad};
}

}  // namespace etch::tflite
