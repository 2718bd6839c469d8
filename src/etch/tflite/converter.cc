#include "etch/tflite/converter.h"

#include <cstring>

#include "etch/ir/op_registry.h"
#include "etch/tflite/op_table.h"

namespace etch::tflite {

namespace {

// Transposed copy of t (any dtype with whole-byte elements).
Tensor permute(const Tensor& t, const std::vector<int>& perm) {
  Shape out_shape;
  for (int p : perm) out_shape.push_back(t.dim(p));
  Tensor out(t.dtype(), out_shape);
  const size_t esz = dtype_size(t.dtype());
  const auto in_strides = shape_strides(t.shape());
  const int rank = t.rank();
  std::vector<int64_t> idx(rank, 0);
  for (int64_t o = 0; o < out.numel(); ++o) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src += idx[d] * in_strides[perm[d]];
    std::memcpy(out.raw() + o * esz, t.raw() + src * esz, esz);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
  out.set_quant(t.quant());
  return out;
}

bool is_identity(const std::vector<int>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int>(i)) return false;
  return true;
}

Shape permuted(const Shape& s, const std::vector<int>& perm) {
  Shape out;
  for (int p : perm) out.push_back(s[p]);
  return out;
}

Tensor scale_tensor(const QuantParams& p) {
  if (!p.per_channel()) return Tensor::scalar<float>(p.scales[0]);
  return Tensor::from_vector<float>({static_cast<int64_t>(p.scales.size())}, p.scales);
}

Tensor zero_point_tensor(const QuantParams& p, DType dt) {
  const int64_t n = static_cast<int64_t>(p.zero_points.size());
  Tensor z = p.per_channel() ? Tensor(dt, {n}) : Tensor(dt, {});
  for (int64_t i = 0; i < (p.per_channel() ? n : 1); ++i) z.set_from_double(i, p.zero_points[i]);
  return z;
}

}  // namespace

int nchw_axis(int a) { return kToNhwc[a]; }

Converter::Converter(const ModelReader& r) : r_(r), infos_(r.tensors()), slots_(r.tensors().size()) {}

int Converter::num_inputs() const { return op_->inputs() ? static_cast<int>(op_->inputs()->size()) : 0; }
int Converter::num_outputs() const { return op_->outputs() ? static_cast<int>(op_->outputs()->size()) : 0; }
int Converter::input(int i) const { return i < num_inputs() ? op_->inputs()->Get(i) : -1; }
int Converter::output(int i) const { return op_->outputs()->Get(i); }

std::string Converter::where() const {
  return op_index_ < 0 ? r_.label() : r_.label() + ": " + r_.describe_op(op_index_);
}

void Converter::require_arity(int min_in, int outs) const {
  ETCH_REQUIRE(num_inputs() >= min_in, InvalidInput)
      << where() << " has " << num_inputs() << " inputs, expected at least " << min_in;
  for (int i = 0; i < min_in; ++i)
    ETCH_REQUIRE(input(i) >= 0, InvalidInput) << where() << ": input " << i << " is required but omitted";
  ETCH_REQUIRE(num_outputs() == outs, InvalidInput)
      << where() << " has " << num_outputs() << " outputs, expected " << outs;
}

std::string Converter::name(const std::string& base) {
  std::string n = base;
  for (int i = 1; names_.count(n); ++i) n = base + "_" + std::to_string(i);
  names_.insert(n);
  return n;
}

bool Converter::held_nchw(int t) const { return !info(t).data && slots_.at(t).nchw; }

ir::ValueId Converter::add_const(const std::string& base, Tensor t) {
  return g_.add_constant(name(base), std::move(t));
}

ir::ValueId Converter::add_ints(const std::string& base, const std::vector<int64_t>& v) {
  return add_const(base, Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v));
}

std::vector<ir::ValueId> Converter::add_node_n(const std::string& op_type, const std::vector<ir::ValueId>& ins,
                                               int outs, std::map<std::string, ir::Attribute> attrs) {
  const std::string base = op_index_ >= 0 ? info(output(0)).name : "graph";
  std::vector<ir::ValueId> out;
  for (int i = 0; i < outs; ++i) out.push_back(g_.add_value(name(base + "/" + op_type), DType::F32, {}, false));
  const ir::NodeId id = g_.add_node(op_type, ins, out, name(base + "/" + op_type + "_node"), std::move(attrs));
  ir::infer_node(g_, *g_.find_node(id));
  return out;
}

ir::ValueId Converter::add_node(const std::string& op_type, const std::vector<ir::ValueId>& ins,
                                std::map<std::string, ir::Attribute> attrs, const std::string&) {
  return add_node_n(op_type, ins, 1, std::move(attrs))[0];
}

ir::ValueId Converter::transpose(ir::ValueId v, const std::vector<int>& perm) {
  return add_node("Transpose", {v}, {{"perm", std::vector<int64_t>(perm.begin(), perm.end())}});
}

ir::ValueId Converter::reshape(ir::ValueId v, const Shape& shape) {
  return add_node("Reshape", {v, add_ints("shape", shape)});
}

ir::ValueId Converter::dequantize(ir::ValueId q, const QuantParams& p, const std::string& base) {
  const DType dt = g_.value(q).dtype;
  std::map<std::string, ir::Attribute> attrs;
  if (p.per_channel()) attrs["axis"] = int64_t{p.axis};
  const ir::ValueId s = add_const(base + "_scale", scale_tensor(p));
  const ir::ValueId z = add_const(base + "_zero_point", zero_point_tensor(p, dt));
  return add_node("DequantizeLinear", {q, s, z}, std::move(attrs));
}

ir::ValueId Converter::constant(int t, const std::vector<int>& perm) {
  const TensorInfo& ti = info(t);
  ETCH_CHECK(ti.data.has_value()) << "tensor " << t << " is not constant";
  Tensor data = perm.empty() || is_identity(perm) ? *ti.data : permute(*ti.data, perm);
  std::optional<QuantParams> p = ti.quant;
  const bool integer = data.dtype() != DType::F32;
  if (!p || !integer) {
    data.set_quant(std::nullopt);
    return add_const(ti.name, std::move(data));
  }
  if (p->per_channel() && !perm.empty())
    for (size_t j = 0; j < perm.size(); ++j)
      if (perm[j] == p->axis) {
        p->axis = static_cast<int>(j);
        break;
      }
  data.set_quant(p);
  const ir::ValueId q = add_const(ti.name, std::move(data));
  return dequantize(q, *p, ti.name);
}

ir::ValueId Converter::get(int t, bool nchw) {
  if (t < 0) return ir::kNoValue;
  const TensorInfo& ti = info(t);
  if (ti.data) {
    auto key = std::make_pair(t, nchw);
    if (auto it = const_cache_.find(key); it != const_cache_.end()) return it->second;
    // Only rank-4 tensors have an NCHW form; an operator that mixes a rank-4
    // input with one of another rank (a malformed file) asks for one.
    ETCH_REQUIRE(!nchw || ti.shape.size() == 4, InvalidInput)
        << where() << ": constant tensor " << t << " '" << ti.name << "' has rank " << ti.shape.size()
        << " where the operator's other inputs have rank 4";
    return const_cache_[key] = constant(t, nchw ? kToNchw : std::vector<int>{});
  }
  Slot& s = slots_.at(t);
  ETCH_REQUIRE(s.value != ir::kNoValue, InvalidInput)
      << where() << " reads tensor " << t << " '" << ti.name << "', which no earlier operator produces";
  if (s.nchw == nchw) return s.value;
  ETCH_REQUIRE(ti.shape.size() == 4, InvalidInput)
      << where() << ": tensor " << t << " '" << ti.name << "' has rank " << ti.shape.size()
      << " where the operator's other inputs have rank 4";
  if (s.other == ir::kNoValue) s.other = transpose(s.value, nchw ? kToNchw : kToNhwc);
  return s.other;
}

ir::ValueId Converter::get_broadcast(int t, bool nchw) {
  const TensorInfo& ti = info(t);
  if (!nchw || ti.shape.size() == 4) return get(t, nchw);
  ETCH_REQUIRE(ti.shape.size() < 4, InvalidInput)
      << where() << ": tensor '" << ti.name << "' of rank " << ti.shape.size() << " broadcast against rank 4";
  Shape four(4 - ti.shape.size(), 1);
  four.insert(four.end(), ti.shape.begin(), ti.shape.end());
  if (ti.data && !ti.quant) {
    Tensor d = permute(ti.data->reshaped(four), kToNchw);
    return add_const(ti.name + "_nchw", std::move(d));
  }
  return transpose(reshape(get(t, false), four), kToNchw);
}

const Tensor& Converter::const_data(int t, const std::string& role) const {
  ETCH_REQUIRE(t >= 0 && info(t).data.has_value(), Unsupported)
      << where() << ": the " << role << " must be a constant tensor";
  return *info(t).data;
}

std::vector<int64_t> Converter::const_ints(int t, const std::string& role) const {
  const Tensor& d = const_data(t, role);
  ETCH_REQUIRE(dtype_is_integer(d.dtype()), InvalidInput) << where() << ": the " << role << " must be integer";
  return d.to_int64_vector();
}

ir::ValueId Converter::activation(ir::ValueId v, int fused) {
  auto clip = [&](float lo, float hi) {
    return add_node("Clip", {v, add_const("clip_min", Tensor::scalar<float>(lo)),
                             add_const("clip_max", Tensor::scalar<float>(hi))});
  };
  switch (fused) {
    case fb::ActivationFunctionType_NONE:
      return v;
    case fb::ActivationFunctionType_RELU:
      return add_node("Relu", {v});
    case fb::ActivationFunctionType_RELU_N1_TO_1:
      return clip(-1.0f, 1.0f);
    case fb::ActivationFunctionType_RELU6:
      return clip(0.0f, 6.0f);
    default:
      // TANH and SIGN_BIT: TFLite's own kernels do not apply them when fused
      // (they clamp for the RELU family only), so there is no behaviour to
      // reproduce; such models come from no converter.
      ETCH_FAIL(Unsupported) << where() << ": fused activation "
                             << fb::EnumNameActivationFunctionType(static_cast<fb::ActivationFunctionType>(fused))
                             << " (" << fused << ") is not supported";
  }
}

void Converter::rename(ir::ValueId v, const std::string& wanted) {
  ir::Value& val = g_.value(v);
  if (val.producer < 0 || names_.count(wanted)) return;  // graph inputs and constants keep theirs
  names_.erase(val.name);
  val.name = wanted;
  names_.insert(wanted);
}

void Converter::set_output(int t, ir::ValueId v, bool nchw, int fused) {
  const TensorInfo& ti = info(t);
  ETCH_REQUIRE(!ti.data, InvalidInput) << where() << " writes tensor '" << ti.name << "', which is a constant";
  ETCH_REQUIRE(slots_[t].value == ir::kNoValue, InvalidInput)
      << where() << " writes tensor '" << ti.name << "', which an earlier operator or the input already defines";
  v = activation(v, fused);
  const ir::Value& val = g_.value(v);
  const bool four = ti.shape.size() == 4 && val.shape.size() == 4;
  const Shape want = nchw && four ? permuted(ti.shape, kToNchw) : ti.shape;
  ETCH_REQUIRE((!nchw || four || !val.has_shape) && (!val.has_shape || val.shape == want), InvalidInput)
      << where() << ": output '" << ti.name << "' has shape " << shape_str(ti.shape) << " in the model, but the op on "
      << "its inputs gives " << shape_str(nchw && four ? permuted(val.shape, kToNhwc) : val.shape);
  ETCH_REQUIRE(!nchw || ti.shape.size() == 4, InvalidInput)
      << where() << ": output '" << ti.name << "' has shape " << shape_str(ti.shape) << ", expected rank 4";
  Slot& s = slots_[t];
  s.nchw = nchw;
  if (ti.quantized()) {
    const QuantParams& p = *ti.quant;
    ETCH_REQUIRE(!p.per_channel(), Unsupported)
        << where() << ": output '" << ti.name << "' is quantized per channel; activations must be per tensor";
    const ir::ValueId sc = add_const(ti.name + "_scale", scale_tensor(p));
    const ir::ValueId z = add_const(ti.name + "_zero_point", zero_point_tensor(p, ti.dtype));
    s.q = add_node("QuantizeLinear", {v, sc, z});
    s.value = add_node("DequantizeLinear", {s.q, sc, z});
    rename(s.q, nchw ? ti.name + "_nchw" : ti.name);
  } else {
    s.value = v;
    rename(v, nchw ? ti.name + "_nchw" : ti.name);
  }
}

void Converter::alias(int t, int from) {
  ETCH_REQUIRE(slots_[t].value == ir::kNoValue && !info(t).data, InvalidInput)
      << where() << " writes tensor '" << info(t).name << "', which is already defined";
  if (info(from).data) {
    TensorInfo& to = infos_[t];
    to.data = info(from).data;
    to.quant = info(from).quant;
    to.dtype = info(from).dtype;
    return;
  }
  slots_[t] = slots_.at(from);
  ETCH_REQUIRE(slots_[t].value != ir::kNoValue, InvalidInput)
      << where() << " reads tensor '" << info(from).name << "', which no earlier operator produces";
}

void Converter::check_supported() const {
  const fb::SubGraph& sg = r_.main_graph();
  if (!sg.operators()) return;
  const OpTable& table = op_table();
  std::vector<std::string> bad;
  for (uint32_t i = 0; i < sg.operators()->size(); ++i) {
    const OpCode& code = r_.opcodes()[sg.operators()->Get(i)->opcode_index()];
    const bool ok = code.builtin == fb::BuiltinOperator_CUSTOM ? table.custom.count(code.custom) != 0
                                                               : table.builtin.count(code.builtin) != 0;
    if (!ok) bad.push_back(r_.describe_op(static_cast<int>(i)));
  }
  if (bad.empty()) return;
  std::string list;
  for (size_t i = 0; i < bad.size(); ++i) list += (i ? ", " : "") + bad[i];
  ETCH_FAIL(Unsupported) << r_.label() << ": " << bad.size() << " operator(s) use ops etch does not support: " << list;
}

void Converter::add_inputs() {
  const fb::SubGraph& sg = r_.main_graph();
  if (!sg.inputs()) return;
  for (int32_t t : *sg.inputs()) {
    const TensorInfo& ti = info(t);
    if (ti.data) continue;
    ETCH_REQUIRE(ti.type == fb::TensorType_FLOAT32 || ti.type == fb::TensorType_INT8 ||
                     ti.type == fb::TensorType_UINT8 || ti.type == fb::TensorType_INT32 ||
                     ti.type == fb::TensorType_INT64 || ti.type == fb::TensorType_BOOL,
                 Unsupported)
        << r_.label() << ": model input '" << ti.name << "' has type " << fb::EnumNameTensorType(ti.type)
        << ", which etch does not support";
    ETCH_REQUIRE(slots_[t].value == ir::kNoValue, InvalidInput)
        << r_.label() << ": tensor '" << ti.name << "' is listed twice as a model input";
    const ir::ValueId in = g_.add_input(name(ti.name), ti.dtype, ti.shape);
    if (ti.quantized()) {
      slots_[t].q = in;
      slots_[t].value = dequantize(in, *ti.quant, ti.name);
    } else {
      slots_[t].value = in;
    }
  }
}

void Converter::set_outputs() {
  const fb::SubGraph& sg = r_.main_graph();
  ETCH_REQUIRE(sg.outputs() && sg.outputs()->size() > 0, InvalidInput) << r_.label() << ": the model has no output";
  for (int32_t t : *sg.outputs()) {
    const TensorInfo& ti = info(t);
    ir::ValueId v;
    if (!ti.data && ti.quantized() && slots_[t].q != ir::kNoValue) {
      v = slots_[t].q;
      if (slots_[t].nchw) v = transpose(v, kToNhwc);
    } else {
      v = get(t, false);
    }
    rename(v, ti.name);
    g_.outputs.push_back(v);
  }
}

ir::Graph Converter::run() {
  check_supported();
  g_.opset = 17;
  g_.producer = "tflite";
  if (r_.model().description()) g_.metadata["tflite_description"] = r_.model().description()->str();
  add_inputs();
  const fb::SubGraph& sg = r_.main_graph();
  if (sg.name() && sg.name()->size()) g_.name = sg.name()->str();
  const OpTable& table = op_table();
  const int n = sg.operators() ? static_cast<int>(sg.operators()->size()) : 0;
  for (op_index_ = 0; op_index_ < n; ++op_index_) {
    op_ = sg.operators()->Get(op_index_);
    ETCH_REQUIRE(num_outputs() > 0, InvalidInput) << where() << " has no output";
    const OpCode& code = r_.opcodes()[op_->opcode_index()];
    const OpConverter fn =
        code.builtin == fb::BuiltinOperator_CUSTOM ? table.custom.at(code.custom) : table.builtin.at(code.builtin);
    fn(*this);
    for (int i = 0; i < num_outputs(); ++i)
      ETCH_CHECK(slots_[output(i)].value != ir::kNoValue || infos_[output(i)].data)
          << where() << " left output " << i << " undefined";
  }
  op_index_ = -1;
  set_outputs();
  return std::move(g_);
}

}  // namespace etch::tflite
