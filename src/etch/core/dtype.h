#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace etch {

// I4 is packed two values per byte (low nibble first), signed.
enum class DType : uint8_t { F32, I8, U8, I32, I64, Bool, I4 };

const char* dtype_name(DType t);
// Bytes per element; I4 reports 1 and callers use storage_bytes() for sizes.
size_t dtype_size(DType t);
size_t storage_bytes(DType t, int64_t numel);
bool dtype_is_integer(DType t);

template <typename T>
struct DTypeOf;
template <>
struct DTypeOf<float> {
  static constexpr DType value = DType::F32;
};
template <>
struct DTypeOf<int8_t> {
  static constexpr DType value = DType::I8;
};
template <>
struct DTypeOf<uint8_t> {
  static constexpr DType value = DType::U8;
};
template <>
struct DTypeOf<int32_t> {
  static constexpr DType value = DType::I32;
};
template <>
struct DTypeOf<int64_t> {
  static constexpr DType value = DType::I64;
};
template <>
struct DTypeOf<bool> {
  static constexpr DType value = DType::Bool;
};

}  // namespace etch
