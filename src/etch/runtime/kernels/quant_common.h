// Small helpers shared by the ONNX quantized-op kernels (quant_*.cc).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/core/tensor.h"
#include "etch/runtime/kernel_registry.h"
#include "etch/runtime/requantize.h"

namespace etch::runtime::quant_detail {

// Integer tensor values as int32 (8-bit and int32 tensors only).
inline std::vector<int32_t> int32_values(const Tensor& t) {
  std::vector<int32_t> out(static_cast<size_t>(t.numel()));
  switch (t.dtype()) {
    case DType::U8:
      for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<uint8_t>()[i];
      break;
    case DType::I8:
      for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<int8_t>()[i];
      break;
    case DType::I32:
      for (int64_t i = 0; i < t.numel(); ++i) out[i] = t.data<int32_t>()[i];
      break;
    default:
      ETCH_FAIL(InvalidInput) << "expected an 8-bit or int32 tensor, got " << dtype_name(t.dtype());
  }
  return out;
}

// Values of an optional per-tensor or per-channel parameter, broadcast to
// `count` entries; `def` when the input is omitted. Fails naming the node.
inline std::vector<int32_t> int_param(const KernelContext& c, size_t i, int64_t count, const char* name,
                                      int32_t def = 0) {
  if (!c.has_input(i)) return std::vector<int32_t>(static_cast<size_t>(count), def);
  std::vector<int32_t> v = int32_values(c.input(i));
  if (static_cast<int64_t>(v.size()) == 1) return std::vector<int32_t>(static_cast<size_t>(count), v[0]);
  if (static_cast<int64_t>(v.size()) != count)
    c.fail(std::string(name) + " has " + std::to_string(v.size()) + " values, expected 1 or " + std::to_string(count));
  return v;
}

inline std::vector<float> float_param(const KernelContext& c, size_t i, int64_t count, const char* name) {
  const Tensor& t = c.input(i);
  if (t.dtype() != DType::F32) c.fail(std::string(name) + " must be float");
  const float* p = t.data<float>();
  if (t.numel() == 1) return std::vector<float>(static_cast<size_t>(count), p[0]);
  if (t.numel() != count)
    c.fail(std::string(name) + " has " + std::to_string(t.numel()) + " values, expected 1 or " + std::to_string(count));
  return std::vector<float>(p, p + count);
}

// ONNX reference requantization of QLinearConv / QLinearMatMul: the float32
// multiplier (s_a·s_b/s_y, computed in float as the reference does) applied
// to the exact int32 sum in double precision, rounded half to even, offset
// and saturated.
template <typename T>
inline T requantize_onnx(int32_t acc, float multiplier, int32_t zero_point) {
  return saturate_cast<T>(round_half_to_even(static_cast<double>(acc) * static_cast<double>(multiplier)) + zero_point);
}

}  // namespace etch::runtime::quant_detail
