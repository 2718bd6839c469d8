#include "etch/core/dtype.h"

namespace etch {

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32:
      return "f32";
    case DType::I8:
      return "i8";
    case DType::U8:
      return "u8";
    case DType::I32:
      return "i32";
    case DType::I64:
      return "i64";
    case DType::Bool:
      return "bool";
    case DType::I4:
      return "i4";
  }
  return "?";
}

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32:
      return 4;
    case DType::I32:
      return 4;
    case DType::I64:
      return 8;
    case DType::I8:
    case DType::U8:
    case DType::Bool:
    case DType::I4:
      return 1;
  }
  return 1;
}

size_t storage_bytes(DType t, int64_t numel) {
  if (t == DType::I4) return static_cast<size_t>((numel + 1) / 2);
  return static_cast<size_t>(numel) * dtype_size(t);
}

bool dtype_is_integer(DType t) { return t != DType::F32 && t != DType::Bool; }

}  // namespace etch
