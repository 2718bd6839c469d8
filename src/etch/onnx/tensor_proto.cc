#include "etch/onnx/tensor_proto.h"

#include <filesystem>
#include <fstream>
#include <limits>

namespace etch::onnx {

namespace fs = std::filesystem;
using ::onnx::TensorProto;

std::optional<DType> dtype_from_onnx(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT:
      return DType::F32;
    case TensorProto::INT8:
      return DType::I8;
    case TensorProto::UINT8:
      return DType::U8;
    case TensorProto::INT32:
      return DType::I32;
    case TensorProto::INT64:
      return DType::I64;
    case TensorProto::BOOL:
      return DType::Bool;
    default:
      return std::nullopt;
  }
}

int32_t dtype_to_onnx(DType t) {
  switch (t) {
    case DType::F32:
      return TensorProto::FLOAT;
    case DType::I8:
      return TensorProto::INT8;
    case DType::U8:
      return TensorProto::UINT8;
    case DType::I32:
      return TensorProto::INT32;
    case DType::I64:
      return TensorProto::INT64;
    case DType::Bool:
      return TensorProto::BOOL;
    case DType::I4:
      break;
  }
  ETCH_FAIL(Unsupported) << "int4 tensors cannot be written to ONNX yet";
}

std::string onnx_type_name(int32_t elem_type) {
  if (TensorProto::DataType_IsValid(elem_type))
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(elem_type));
  return "type #" + std::to_string(elem_type);
}

namespace {

// Element count of the declared dims, refusing negative dims and counts that
// could not be allocated anyway (so a hostile file cannot overflow the math).
int64_t checked_numel(const TensorProto& p, const std::string& what) {
  int64_t n = 1;
  const int64_t cap = std::numeric_limits<int64_t>::max() / 16;
  for (int64_t d : p.dims()) {
    ETCH_REQUIRE(d >= 0, InvalidInput) << what << ": dimension " << d << " is negative";
    ETCH_REQUIRE(d == 0 || n <= cap / d, InvalidInput) << what << ": too many elements";
    n *= d;
  }
  return n;
}

Shape proto_shape(const TensorProto& p) { return Shape(p.dims().begin(), p.dims().end()); }

template <typename Src, typename Dst, typename Field>
void copy_typed(const Field& field, Tensor& t) {
  Dst* out = reinterpret_cast<Dst*>(t.raw());
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Dst>(static_cast<Src>(field.Get(i)));
}

}  // namespace

Tensor tensor_from_proto(const TensorProto& p, const std::string& what) {
  std::optional<DType> dt = dtype_from_onnx(p.data_type());
  ETCH_REQUIRE(dt, Unsupported) << what << ": element type " << onnx_type_name(p.data_type())
                                << " is not supported (etch handles FLOAT, INT8, UINT8, INT32, INT64, BOOL)";
  ETCH_REQUIRE(p.data_location() != TensorProto::EXTERNAL, InvalidInput) << what << ": external data was not resolved";
  const int64_t numel = checked_numel(p, what);
  const size_t esize = dtype_size(*dt);
  if (p.has_raw_data()) {
    const std::string& raw = p.raw_data();
    ETCH_REQUIRE(static_cast<uint64_t>(raw.size()) == static_cast<uint64_t>(numel) * esize, InvalidInput)
        << what << ": raw_data holds " << raw.size() << " bytes, shape " << shape_str(proto_shape(p)) << " of "
        << dtype_name(*dt) << " needs " << static_cast<uint64_t>(numel) * esize;
    Tensor t(*dt, proto_shape(p));
    if (*dt == DType::Bool) {
      // Any nonzero byte is true; copying raw bytes into bool would be UB for values > 1.
      for (int64_t i = 0; i < numel; ++i) t.raw()[i] = raw[static_cast<size_t>(i)] != 0 ? 1 : 0;
    } else if (!raw.empty()) {
      std::memcpy(t.raw(), raw.data(), raw.size());
    }
    return t;
  }
  int64_t count = 0;
  switch (*dt) {
    case DType::F32:
      count = p.float_data_size();
      break;
    case DType::I64:
      count = p.int64_data_size();
      break;
    default:
      count = p.int32_data_size();
      break;
  }
  ETCH_REQUIRE(count == numel, InvalidInput)
      << what << ": holds " << count << " values, shape " << shape_str(proto_shape(p)) << " needs " << numel;
  Tensor t(*dt, proto_shape(p));
  switch (*dt) {
    case DType::F32:
      copy_typed<float, float>(p.float_data(), t);
      break;
    case DType::I64:
      copy_typed<int64_t, int64_t>(p.int64_data(), t);
      break;
    case DType::I32:
      copy_typed<int32_t, int32_t>(p.int32_data(), t);
      break;
    case DType::I8:
      copy_typed<int32_t, int8_t>(p.int32_data(), t);
      break;
    case DType::U8:
      copy_typed<int32_t, uint8_t>(p.int32_data(), t);
      break;
    case DType::Bool: {
      bool* out = t.data<bool>();
      for (int i = 0; i < p.int32_data_size(); ++i) out[i] = p.int32_data(i) != 0;
      break;
    }
    case DType::I4:
      break;
  }
  return t;
}

TensorProto tensor_to_proto(const Tensor& t, const std::string& name) {
  TensorProto p;
  p.set_name(name);
  ETCH_REQUIRE(t.dtype() != DType::I4, Unsupported)
      << "tensor '" << name << "' is int4, which ONNX export does not handle yet";
  p.set_data_type(dtype_to_onnx(t.dtype()));
  for (int64_t d : t.shape()) p.add_dims(d);
  if (t.nbytes() > 0)
    p.set_raw_data(reinterpret_cast<const char*>(t.raw()), t.nbytes());
  else
    p.set_raw_data(std::string());
  return p;
}

namespace {

bool escapes(const fs::path& base, const fs::path& target) {
  fs::path rel = target.lexically_relative(base);
  if (rel.empty()) return true;
  for (const auto& part : rel)
    if (part == "..") return true;
  return rel == ".";  // the folder itself is not a data file
}

}  // namespace

void resolve_external_data(TensorProto& p, const std::string& base_dir, const std::string& label) {
  if (p.data_location() != TensorProto::EXTERNAL) return;
  const std::string what = label + ": tensor '" + p.name() + "'";
  std::string location;
  int64_t offset = 0, length = -1;
  bool has_location = false;
  for (const auto& e : p.external_data()) {
    try {
      if (e.key() == "location") {
        location = e.value();
        has_location = true;
      } else if (e.key() == "offset") {
        offset = std::stoll(e.value());
      } else if (e.key() == "length") {
        length = std::stoll(e.value());
      }
    } catch (const std::exception&) {
      ETCH_FAIL(InvalidInput) << what << ": external data " << e.key() << " '" << e.value() << "' is not a number";
    }
  }
  ETCH_REQUIRE(has_location && !location.empty(), InvalidInput) << what << ": external data has no location";
  ETCH_REQUIRE(!base_dir.empty(), InvalidInput)
      << what << ": external data location '" << location << "' needs the model's folder (load the model from a file)";
  const fs::path loc(location);
  ETCH_REQUIRE(!loc.is_absolute() && !loc.has_root_name() && !loc.has_root_directory(), InvalidInput)
      << what << ": external data location '" << location
      << "' is an absolute path; only files inside the model's folder are read";
  std::error_code ec;
  const fs::path base = fs::absolute(fs::path(base_dir), ec).lexically_normal();
  ETCH_REQUIRE(!ec, InvalidInput) << what << ": cannot resolve the model folder '" << base_dir << "'";
  const fs::path target = (base / loc).lexically_normal();
  ETCH_REQUIRE(!escapes(base, target), InvalidInput)
      << what << ": external data location '" << location << "' is outside the model's folder";
  // Symlinks inside the folder may still point outside it.
  const fs::path real_base = fs::weakly_canonical(base, ec);
  ETCH_REQUIRE(!ec, InvalidInput) << what << ": cannot resolve the model folder '" << base_dir << "'";
  const fs::path real_target = fs::weakly_canonical(target, ec);
  ETCH_REQUIRE(!ec && !escapes(real_base, real_target), InvalidInput)
      << what << ": external data location '" << location << "' resolves outside the model's folder";

  const int64_t numel = checked_numel(p, what);
  std::optional<DType> dt = dtype_from_onnx(p.data_type());
  ETCH_REQUIRE(dt, Unsupported) << what << ": element type " << onnx_type_name(p.data_type()) << " is not supported";
  const uint64_t need = static_cast<uint64_t>(numel) * dtype_size(*dt);
  ETCH_REQUIRE(offset >= 0, InvalidInput) << what << ": external data offset " << offset << " is negative";
  ETCH_REQUIRE(length < 0 || static_cast<uint64_t>(length) == need, InvalidInput)
      << what << ": external data length " << length << " does not match the " << need << " bytes its shape needs";
  ETCH_REQUIRE(fs::is_regular_file(real_target, ec), InvalidInput)
      << what << ": external data file '" << location << "' does not exist";
  const uint64_t fsize = fs::file_size(real_target, ec);
  ETCH_REQUIRE(!ec && static_cast<uint64_t>(offset) <= fsize && fsize - static_cast<uint64_t>(offset) >= need,
               InvalidInput)
      << what << ": external data file '" << location << "' is too short (" << fsize << " bytes, need " << need
      << " from offset " << offset << ")";
  std::ifstream f(real_target, std::ios::binary);
  ETCH_REQUIRE(f.good(), InvalidInput) << what << ": cannot open external data file '" << location << "'";
  std::string buf(need, '\0');
  f.seekg(offset);
  f.read(buf.data(), static_cast<std::streamsize>(need));
  ETCH_REQUIRE(static_cast<uint64_t>(f.gcount()) == need, InvalidInput)
      << what << ": cannot read " << need << " bytes from external data file '" << location << "'";
  p.clear_external_data();
  p.set_data_location(TensorProto::DEFAULT);
  p.set_raw_data(std::move(buf));
}

}  // namespace etch::onnx
