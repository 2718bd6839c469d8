#include "etch/tflite/export_writer.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "etch/core/error.h"

namespace etch::tflite {

Shape permute_shape(const Shape& s, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = s.at(perm[i]);
  return out;
}

Tensor permute_tensor(const Tensor& t, const std::vector<int>& perm) {
  const Shape& in = t.shape();
  const int rank = t.rank();
  ETCH_CHECK(static_cast<int>(perm.size()) == rank) << "permutation of rank " << perm.size() << " for rank " << rank;
  Tensor out(t.dtype(), permute_shape(in, perm));
  const size_t esz = dtype_size(t.dtype());
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = rank - 2; i >= 0; --i) in_strides[i] = in_strides[i + 1] * in[i + 1];
  std::vector<int64_t> idx(rank, 0);
  const int64_t n = t.numel();
  for (int64_t o = 0; o < n; ++o) {
    int64_t src = 0;
    for (int d = 0; d < rank; ++d) src += idx[d] * in_strides[perm[d]];
    std::memcpy(out.raw() + o * esz, t.raw() + src * esz, esz);
    for (int d = rank - 1; d >= 0; --d) {
      if (++idx[d] < out.shape()[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

ir::RequantPair tflite_multiplier(double real) {
  if (real == 0) return {};
  int shift = 0;
  const double q = std::frexp(real, &shift);
  int64_t q_fixed = static_cast<int64_t>(std::round(q * static_cast<double>(1ll << 31)));
  if (q_fixed == (1ll << 31)) {
    q_fixed /= 2;
    ++shift;
  }
  if (shift < -31) return {};
  if (shift > 30) return {std::numeric_limits<int32_t>::max(), 30};
  return {static_cast<int32_t>(q_fixed), shift};
}

int32_t tflite_quantize(float f, float scale, int32_t zero_point) {
  return zero_point + static_cast<int32_t>(std::round(f / scale));
}

namespace {

fb::TensorType tensor_type(DType d) {
  switch (d) {
    case DType::F32:
      return fb::TensorType_FLOAT32;
    case DType::I8:
      return fb::TensorType_INT8;
    case DType::U8:
      return fb::TensorType_UINT8;
    case DType::I32:
      return fb::TensorType_INT32;
    case DType::I64:
      return fb::TensorType_INT64;
    case DType::Bool:
      return fb::TensorType_BOOL;
    default:
      ETCH_FAIL(Unsupported) << "TFLite export: tensors of type " << dtype_name(d) << " cannot be written";
  }
}

}  // namespace

ExportWriter::ExportWriter(const ir::Graph& g, const ExportOptions& o) : g_(g), o_(o), buffers_(1) {}

Shape ExportWriter::etch_shape(ir::ValueId v) const {
  const ir::Value& val = g_.value(v);
  ETCH_REQUIRE(val.has_shape, Unsupported) << "TFLite export: value '" << val.name << "' has no known shape";
  Shape s = val.shape;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] >= 0) continue;
    ETCH_REQUIRE(i == 0, Unsupported) << "TFLite export: value '" << val.name << "' has shape " << shape_str(s)
                                      << "; only the batch (first) dimension may be dynamic";
    s[i] = o_.batch;
  }
  return s;
}

Shape ExportWriter::shape_of(ir::ValueId v) const {
  Shape s = etch_shape(v);
  return s.size() == 4 ? permute_shape(s, kNchwToNhwc) : s;
}

const QuantParams& ExportWriter::params(ir::ValueId v) const {
  auto it = params_.find(v);
  ETCH_REQUIRE(it != params_.end(), InvalidInput)
      << "TFLite export: the int8 value '" << g_.value(v).name
      << "' has no known scale and zero point (export an integer graph lowered from a QDQ model)";
  return it->second;
}

std::string ExportWriter::unique_name(const std::string& base) {
  const int n = names_[base]++;
  return n == 0 ? base : base + "_" + std::to_string(n);
}

int ExportWriter::add_tensor(const std::string& name, DType dtype, const Shape& shape, const QuantParams* q) {
  tensor_type(dtype);  // refuses types TFLite export does not write
  tensors_.push_back({unique_name(name), dtype, shape, q ? std::optional<QuantParams>(*q) : std::nullopt, 0});
  return static_cast<int>(tensors_.size()) - 1;
}

int ExportWriter::add_constant(const std::string& name, const Tensor& data, const QuantParams* q) {
  ETCH_REQUIRE(data.dtype() != DType::I4, Unsupported)
      << "TFLite export: constant '" << name << "' is packed int4; TFLite's int8 kernels read int8 weights";
  const int t = add_tensor(name, data.dtype(), data.shape(), q);
  buffers_.emplace_back(reinterpret_cast<const char*>(data.raw()), data.nbytes());
  tensors_[t].buffer = static_cast<uint32_t>(buffers_.size()) - 1;
  return t;
}

int ExportWriter::add_int32s(const std::string& name, const std::vector<int32_t>& v) {
  return add_constant(name, Tensor::from_vector<int32_t>({static_cast<int64_t>(v.size())}, v));
}

int ExportWriter::define(ir::ValueId v) {
  const ir::Value& val = g_.value(v);
  const bool int8 = val.dtype == DType::I8;
  const int t = add_tensor(val.name, val.dtype, shape_of(v), int8 ? &params(v) : nullptr);
  tensor_of_[v] = t;
  return t;
}

int ExportWriter::tensor(ir::ValueId v) {
  auto it = tensor_of_.find(v);
  if (it != tensor_of_.end()) return it->second;
  const ir::Value& val = g_.value(v);
  ETCH_CHECK(val.is_constant()) << "TFLite export: value '" << val.name << "' used before it is written";
  const Tensor& d = *val.data;
  const Tensor data = d.rank() == 4 ? permute_tensor(d, kNchwToNhwc) : d;
  const int t = add_constant(val.name, data, has_params(v) ? &params(v) : nullptr);
  tensor_of_[v] = t;
  return t;
}

namespace {
bool same_pair(ir::RequantPair a, ir::RequantPair b) { return a.multiplier == b.multiplier && a.shift == b.shift; }
}  // namespace

float ExportWriter::matching_weight_scale(float x_scale, float y_scale, float start, ir::RequantPair want,
                                          const std::string& what) {
  auto gives = [&](float ws) {
    return tflite_multiplier(static_cast<double>(x_scale) * static_cast<double>(ws) / static_cast<double>(y_scale));
  };
  if (same_pair(gives(start), want)) return start;
  float up = start, down = start;
  for (int i = 0; i < 64; ++i) {
    up = std::nextafter(up, std::numeric_limits<float>::infinity());
    down = std::nextafter(down, 0.0f);
    for (float ws : {up, down}) {
      if (ws > 0 && same_pair(gives(ws), want)) {
        ++weight_scales_adjusted_;
        return ws;
      }
    }
  }
  check_multiplier(static_cast<double>(x_scale) * static_cast<double>(start) / static_cast<double>(y_scale), want,
                   what);
  return start;
}

void ExportWriter::check_multiplier(double real, ir::RequantPair want, const std::string& what) {
  const ir::RequantPair got = tflite_multiplier(real);
  if (same_pair(got, want)) return;
  ++multipliers_differing_;
  // One note per node: "node 'x' channel 3" and "node 'x' channel 4" share the part before " channel".
  const std::string node = what.substr(0, what.find(" channel "));
  if (!notes_.empty() && notes_.back().rfind(node + ":", 0) == 0) return;
  notes_.push_back(node + ": TFLite's requantization multiplier " + std::to_string(got.multiplier) + "·2^" +
                   std::to_string(got.shift) + " differs from etch's " + std::to_string(want.multiplier) + "·2^" +
                   std::to_string(want.shift) +
                   (node == what ? "" : " (first channel of those that differ; no float weight scale gives it)"));
}

void ExportWriter::add_op(fb::BuiltinOperator code, int version, const std::vector<int>& ins,
                          const std::vector<int>& outs, fb::BuiltinOptions type, flatbuffers::Offset<void> options) {
  uint32_t index = 0;
  while (index < opcodes_.size() && opcodes_[index] != std::pair<int, int>{code, version}) ++index;
  if (index == opcodes_.size()) opcodes_.emplace_back(code, version);
  ops_.push_back({index, ins, outs, type, options});
}

std::string ExportWriter::finish(const std::vector<int>& inputs, const std::vector<int>& outputs,
                                 ExportResult& result) {
  std::vector<flatbuffers::Offset<fb::Buffer>> buffers;
  for (const std::string& b : buffers_) {
    if (b.empty()) {
      buffers.push_back(fb::CreateBuffer(fbb_));
      continue;
    }
    fbb_.ForceVectorAlignment(b.size(), 1, 16);
    const auto data = fbb_.CreateVector(reinterpret_cast<const uint8_t*>(b.data()), b.size());
    buffers.push_back(fb::CreateBuffer(fbb_, data));
  }
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (const TensorRec& t : tensors_) {
    flatbuffers::Offset<fb::QuantizationParameters> q = 0;
    if (t.quant) {
      std::vector<int64_t> zps(t.quant->zero_points.begin(), t.quant->zero_points.end());
      q = fb::CreateQuantizationParametersDirect(fbb_, nullptr, nullptr, &t.quant->scales, &zps,
                                                 fb::QuantizationDetails_NONE, 0, std::max(t.quant->axis, 0));
    }
    const std::vector<int32_t> shape(t.shape.begin(), t.shape.end());
    tensors.push_back(fb::CreateTensorDirect(fbb_, &shape, tensor_type(t.dtype), t.buffer, t.name.c_str(), q));
  }
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  for (const OpRec& o : ops_)
    ops.push_back(fb::CreateOperatorDirect(fbb_, o.opcode, &o.ins, &o.outs, o.type, o.options));
  std::vector<flatbuffers::Offset<fb::OperatorCode>> codes;
  for (const auto& [code, version] : opcodes_) {
    codes.push_back(fb::CreateOperatorCode(fbb_, static_cast<int8_t>(std::min(code, 127)), 0, version,
                                           static_cast<fb::BuiltinOperator>(code)));
    result.op_counts[fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(code))] = 0;
  }
  for (const OpRec& o : ops_)
    ++result.op_counts[fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(opcodes_[o.opcode].first))];
  const std::vector<flatbuffers::Offset<fb::SubGraph>> subgraphs{
      fb::CreateSubGraphDirect(fbb_, &tensors, &inputs, &outputs, &ops, "main")};
  const auto model = fb::CreateModelDirect(fbb_, 3, &codes, &subgraphs, "etch int8 export", &buffers);
  fb::FinishModelBuffer(fbb_, model);
  result.tensors = static_cast<int>(tensors_.size());
  result.weight_scales_adjusted = weight_scales_adjusted_;
  result.multipliers_differing = multipliers_differing_;
  result.notes = notes_;
  return std::string(reinterpret_cast<const char*>(fbb_.GetBufferPointer()), fbb_.GetSize());
}

}  // namespace etch::tflite
