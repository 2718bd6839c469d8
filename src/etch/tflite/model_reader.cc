#include "etch/tflite/model_reader.h"

#include <cmath>
#include <cstring>

#include "etch/tflite/sparse.h"

namespace etch::tflite {

namespace {

constexpr int kMaxRank = 8;

// IEEE half → float (TFLite stores FLOAT16 weights as raw halves).
float half_to_float(uint16_t h) {
  const uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(static_cast<float>(mant), -24);
  else if (exp == 31)
    v = mant ? std::nanf("") : INFINITY;
  else
    v = std::ldexp(static_cast<float>(mant | 0x400), static_cast<int>(exp) - 25);
  return sign ? -v : v;
}

struct TypeInfo {
  DType dtype;
  size_t stored_bytes;  // bytes per element in the file
};

std::optional<TypeInfo> type_info(fb::TensorType t) {
  switch (t) {
    case fb::TensorType_FLOAT32:
      return TypeInfo{DType::F32, 4};
    case fb::TensorType_FLOAT16:
      return TypeInfo{DType::F32, 2};
    case fb::TensorType_INT32:
      return TypeInfo{DType::I32, 4};
    case fb::TensorType_UINT8:
      return TypeInfo{DType::U8, 1};
    case fb::TensorType_INT64:
      return TypeInfo{DType::I64, 8};
    case fb::TensorType_BOOL:
      return TypeInfo{DType::Bool, 1};
    case fb::TensorType_INT8:
      return TypeInfo{DType::I8, 1};
    default:
      return std::nullopt;
  }
}

// The stored bytes as an etch tensor of `shape` (FLOAT16 widened to F32).
Tensor tensor_from_bytes(fb::TensorType type, const TypeInfo& ti, Shape shape, const uint8_t* p) {
  Tensor t(ti.dtype, std::move(shape));
  if (type == fb::TensorType_FLOAT16) {
    float* out = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      uint16_t h;
      std::memcpy(&h, p + 2 * i, 2);
      out[i] = half_to_float(h);
    }
  } else if (t.numel() > 0) {
    std::memcpy(t.raw(), p, static_cast<size_t>(t.numel()) * ti.stored_bytes);
  }
  return t;
}

}  // namespace

bool has_tflite_identifier(const std::string& bytes) {
  return bytes.size() >= 8 && flatbuffers::BufferHasIdentifier(bytes.data(), fb::ModelIdentifier());
}

std::string OpCode::describe() const {
  std::string name = fb::EnumNameBuiltinOperator(static_cast<fb::BuiltinOperator>(builtin));
  if (name.empty()) name = "unknown operator";
  if (builtin == fb::BuiltinOperator_CUSTOM) name += " '" + custom + "'";
  return name + " (code " + std::to_string(builtin) + ")";
}

ModelReader::ModelReader(const std::string& bytes, const std::string& label) : bytes_(bytes), label_(label) {
  ETCH_REQUIRE(has_tflite_identifier(bytes), InvalidInput)
      << label_ << ": not a TFLite model (no \"TFL3\" file identifier at byte 4)";
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  ETCH_REQUIRE(fb::VerifyModelBuffer(verifier), InvalidInput)
      << label_ << ": the FlatBuffers verifier rejected the file (truncated or corrupt TFLite model)";
  model_ = fb::GetModel(bytes.data());
  ETCH_REQUIRE(model_->subgraphs() && model_->subgraphs()->size() > 0, InvalidInput)
      << label_ << ": the model has no subgraph";
  check_buffers();
  read_opcodes();
  for (int i = 0; i < static_cast<int>(model_->subgraphs()->size()); ++i) check_subgraph(i);
  read_tensors();
}

void ModelReader::check_buffers() {
  const auto* buffers = model_->buffers();
  if (!buffers) return;
  for (uint32_t i = 0; i < buffers->size(); ++i) {
    const fb::Buffer* b = buffers->Get(i);
    if (b->offset() <= 1) continue;
    const uint64_t size = bytes_.size();
    ETCH_REQUIRE(b->offset() <= size && b->size() <= size - b->offset(), InvalidInput)
        << label_ << ": buffer " << i << " holds " << b->size() << " bytes at offset " << b->offset()
        << ", past the end of the file (" << size << " bytes)";
  }
  if (model_->metadata())
    for (const fb::Metadata* m : *model_->metadata())
      ETCH_REQUIRE(m->buffer() < buffers->size(), InvalidInput)
          << label_ << ": metadata '" << (m->name() ? m->name()->str() : "") << "' refers to buffer " << m->buffer()
          << ", but the model has " << buffers->size() << " buffers";
}

std::pair<const uint8_t*, size_t> ModelReader::buffer_bytes(uint32_t index) const {
  const fb::Buffer* b = model_->buffers()->Get(index);
  if (b->offset() > 1) return {reinterpret_cast<const uint8_t*>(bytes_.data()) + b->offset(), b->size()};
  if (!b->data()) return {nullptr, 0};
  return {b->data()->data(), b->data()->size()};
}

void ModelReader::read_opcodes() {
  if (!model_->operator_codes()) return;
  for (const fb::OperatorCode* c : *model_->operator_codes()) {
    OpCode oc;
    // Older writers fill only the byte-sized field, newer ones both.
    oc.builtin = std::max<int32_t>(c->deprecated_builtin_code(), c->builtin_code());
    if (c->custom_code()) oc.custom = c->custom_code()->str();
    opcodes_.push_back(oc);
  }
}

void ModelReader::check_subgraph(int index) {
  const fb::SubGraph* sg = model_->subgraphs()->Get(index);
  const std::string where = label_ + ": subgraph " + std::to_string(index);
  const uint32_t num_tensors = sg->tensors() ? sg->tensors()->size() : 0;
  const uint32_t num_buffers = model_->buffers() ? model_->buffers()->size() : 0;
  const uint32_t num_subgraphs = model_->subgraphs()->size();
  for (uint32_t t = 0; t < num_tensors; ++t) {
    const fb::Tensor* ft = sg->tensors()->Get(t);
    ETCH_REQUIRE(ft->buffer() == 0 || ft->buffer() < num_buffers, InvalidInput)
        << where << ": tensor " << t << " '" << (ft->name() ? ft->name()->str() : "") << "' refers to buffer "
        << ft->buffer() << ", but the model has " << num_buffers << " buffers";
  }
  auto check_list = [&](const flatbuffers::Vector<int32_t>* list, const std::string& what, bool optional) {
    if (!list) return;
    for (int32_t v : *list)
      ETCH_REQUIRE((optional && v == -1) || (v >= 0 && static_cast<uint32_t>(v) < num_tensors), InvalidInput)
          << where << ": " << what << " refers to tensor " << v << ", but the subgraph has " << num_tensors
          << " tensors";
  };
  check_list(sg->inputs(), "the subgraph's input list", false);
  check_list(sg->outputs(), "the subgraph's output list", false);
  if (!sg->operators()) return;
  for (uint32_t i = 0; i < sg->operators()->size(); ++i) {
    const fb::Operator* op = sg->operators()->Get(i);
    const std::string what = "operator #" + std::to_string(i);
    ETCH_REQUIRE(op->opcode_index() < opcodes_.size(), InvalidInput)
        << where << ": " << what << " has operator code index " << op->opcode_index() << ", but the model has "
        << opcodes_.size() << " operator codes";
    const std::string desc = what + " (" + opcodes_[op->opcode_index()].describe() + ")";
    check_list(op->inputs(), desc + " input", true);
    check_list(op->outputs(), desc + " output", false);
    std::vector<int64_t> called;
    if (auto* o = op->builtin_options_as_CallOptions()) called.push_back(o->subgraph());
    if (auto* o = op->builtin_options_as_IfOptions()) called = {o->then_subgraph_index(), o->else_subgraph_index()};
    if (auto* o = op->builtin_options_as_WhileOptions()) called = {o->cond_subgraph_index(), o->body_subgraph_index()};
    if (auto* o = op->builtin_options_as_CallOnceOptions()) called.push_back(o->init_subgraph_index());
    for (int64_t s : called)
      ETCH_REQUIRE(s >= 0 && s < num_subgraphs, InvalidInput)
          << where << ": " << desc << " calls subgraph " << s << ", but the model has " << num_subgraphs
          << " subgraphs";
  }
  if (index == 0 && model_->signature_defs())
    for (const fb::SignatureDef* s : *model_->signature_defs()) {
      ETCH_REQUIRE(s->subgraph_index() < num_subgraphs, InvalidInput)
          << label_ << ": signature '" << (s->signature_key() ? s->signature_key()->str() : "")
          << "' refers to subgraph " << s->subgraph_index() << ", but the model has " << num_subgraphs << " subgraphs";
    }
}

void ModelReader::read_tensors() {
  const fb::SubGraph& sg = main_graph();
  if (!sg.tensors()) return;
  for (uint32_t i = 0; i < sg.tensors()->size(); ++i) {
    const fb::Tensor* ft = sg.tensors()->Get(i);
    TensorInfo t;
    t.name = ft->name() && ft->name()->size() ? ft->name()->str() : "tensor_" + std::to_string(i);
    t.type = ft->type();
    const std::string what = label_ + ": tensor " + std::to_string(i) + " '" + t.name + "'";
    if (ft->shape()) {
      ETCH_REQUIRE(ft->shape()->size() <= kMaxRank, Unsupported)
          << what << " has rank " << ft->shape()->size() << " (etch reads up to " << kMaxRank << ")";
      for (int32_t d : *ft->shape()) {
        ETCH_REQUIRE(d >= 0, InvalidInput) << what << " has dimension " << d << "; dimensions must be >= 0";
        t.shape.push_back(d);
      }
    }
    int64_t numel = 1;
    for (int64_t d : t.shape) {
      ETCH_REQUIRE(d == 0 || numel <= max_tensor_bytes() / d, InvalidInput) << what << " is too large";
      numel *= d;
    }
    const auto ti = type_info(t.type);
    if (ti) t.dtype = ti->dtype;
    if (const auto* q = ft->quantization(); q && q->scale() && q->scale()->size() > 0) {
      QuantParams p;
      p.scales.assign(q->scale()->begin(), q->scale()->end());
      if (q->zero_point() && q->zero_point()->size() > 0) {
        ETCH_REQUIRE(q->zero_point()->size() == p.scales.size(), InvalidInput)
            << what << " has " << p.scales.size() << " scales but " << q->zero_point()->size() << " zero points";
        // The zero point must be a value of the tensor's own type (an int8
        // tensor's 200 is not an int8).
        const int64_t zmin = t.dtype == DType::U8 ? 0 : -128, zmax = t.dtype == DType::I8 ? 127 : 255;
        for (uint32_t k = 0; k < q->zero_point()->size(); ++k) {
          // The verifier checks a vector's length field to 4 bytes only, so an
          // int64 element may sit at an address that is not 8-aligned: copy it
          // out rather than dereference it.
          int64_t z;
          std::memcpy(&z, q->zero_point()->Data() + k * sizeof(int64_t), sizeof z);
          ETCH_REQUIRE((z >= zmin && z <= zmax) || t.dtype == DType::I32, InvalidInput)
              << what << " has zero point " << z << ", outside the range of its type";
          p.zero_points.push_back(static_cast<int32_t>(z));
        }
      } else {
        p.zero_points.assign(p.scales.size(), 0);
      }
      for (float s : p.scales)
        ETCH_REQUIRE(std::isfinite(s) && s > 0, InvalidInput) << what << " has scale " << s << "; scales must be > 0";
      if (p.scales.size() > 1) {
        const int axis = q->quantized_dimension();
        ETCH_REQUIRE(axis >= 0 && axis < static_cast<int>(t.shape.size()) &&
                         t.shape[axis] == static_cast<int64_t>(p.scales.size()),
                     InvalidInput)
            << what << " has " << p.scales.size() << " scales along dimension " << axis << " of shape "
            << shape_str(t.shape);
        p.axis = axis;
      }
      t.quant = p;
    }
    if (ft->buffer() != 0) {
      auto [data, size] = buffer_bytes(ft->buffer());
      if (size > 0) {
        ETCH_REQUIRE(ti.has_value(), Unsupported)
            << what << " is a constant of type " << fb::EnumNameTensorType(t.type) << ", which etch does not read";
        if (ft->sparsity()) {
          ETCH_REQUIRE(size % ti->stored_bytes == 0, InvalidInput)
              << what << ": sparse buffer of " << size << " bytes is not a whole number of "
              << fb::EnumNameTensorType(t.type) << " values";
          const int64_t count = static_cast<int64_t>(size / ti->stored_bytes);
          Tensor values = tensor_from_bytes(t.type, *ti, {count}, data);
          t.data = densify(*ft->sparsity(), values, t.shape, what);
        } else {
          const uint64_t want = static_cast<uint64_t>(numel) * ti->stored_bytes;
          ETCH_REQUIRE(size == want, InvalidInput)
              << what << " has shape " << shape_str(t.shape) << " and type " << fb::EnumNameTensorType(t.type) << " ("
              << want << " bytes), but its buffer " << ft->buffer() << " holds " << size << " bytes";
          t.data = tensor_from_bytes(t.type, *ti, t.shape, data);
        }
        if (t.quant && t.data->dtype() != DType::F32) t.data->set_quant(t.quant);
      }
    }
    tensors_.push_back(std::move(t));
  }
}

std::string ModelReader::describe_op(int index) const {
  const fb::Operator* op = main_graph().operators()->Get(index);
  return "operator #" + std::to_string(index) + " (" + opcodes_[op->opcode_index()].describe() + ")";
}

}  // namespace etch::tflite
