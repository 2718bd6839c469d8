#include "etch/core/int4.h"

namespace etch {

Tensor pack_int4(const Tensor& i8, const char* name) {
  ETCH_REQUIRE(i8.dtype() == DType::I8, InvalidInput)
      << name << ": int4 packing needs an int8 tensor, got " << dtype_name(i8.dtype());
  Tensor out(DType::I4, i8.shape());
  const int8_t* src = i8.data<int8_t>();
  uint8_t* dst = out.raw();
  for (int64_t i = 0; i < i8.numel(); ++i) {
    ETCH_REQUIRE(src[i] >= -8 && src[i] <= 7, InvalidInput)
        << name << ": value " << int{src[i]} << " at element " << i << " does not fit in int4 [-8, 7]";
    const uint8_t nib = static_cast<uint8_t>(src[i]) & 0xF;
    dst[i / 2] = static_cast<uint8_t>(i % 2 == 0 ? (dst[i / 2] & 0xF0) | nib : (dst[i / 2] & 0x0F) | (nib << 4));
  }
  return out;
}

Tensor unpack_int4(const Tensor& t) {
  if (t.dtype() == DType::I8) return t;
  ETCH_REQUIRE(t.dtype() == DType::I4, InvalidInput)
      << "expected an int4 or int8 tensor, got " << dtype_name(t.dtype());
  Tensor out = Tensor::uninitialized(DType::I8, t.shape());
  const uint8_t* src = t.raw();
  int8_t* dst = out.data<int8_t>();
  for (int64_t i = 0; i < t.numel(); ++i) {
    const int nib = i % 2 == 0 ? src[i / 2] & 0xF : src[i / 2] >> 4;
    dst[i] = static_cast<int8_t>(nib >= 8 ? nib - 16 : nib);
  }
  return out;
}

}  // namespace etch
