// Tensor: dtype + shape + shared, 64-byte aligned storage, optional quantization
// parameters. Copies share storage; clone() makes an independent copy.
#pragma once
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <vector>

#include "etch/core/dtype.h"
#include "etch/core/error.h"
#include "etch/core/shape.h"

namespace etch {

// real = scale * (q - zero_point). One entry per tensor, or per slice along axis.
struct QuantParams {
  std::vector<float> scales;
  std::vector<int32_t> zero_points;
  int axis = -1;  // -1: per tensor
  bool per_channel() const { return axis >= 0; }
  bool operator==(const QuantParams& o) const {
    return scales == o.scales && zero_points == o.zero_points && axis == o.axis;
  }
};

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled storage. Throws InvalidInput for negative dims.
  Tensor(DType dtype, Shape shape);

  static Tensor zeros(DType dtype, Shape shape) { return Tensor(dtype, std::move(shape)); }
  // Storage left uninitialised: only for buffers the caller overwrites entirely
  // (e.g. outputs of kernels that declare so); saves a pass over the memory.
  static Tensor uninitialized(DType dtype, Shape shape) { return Tensor(dtype, std::move(shape), false); }
  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& v) {
    Tensor t(DTypeOf<T>::value, std::move(shape));
    ETCH_CHECK(static_cast<int64_t>(v.size()) == t.numel()) << "from_vector size mismatch";
    if constexpr (std::is_same_v<T, bool>) {
      for (size_t i = 0; i < v.size(); ++i) t.data<bool>()[i] = v[i];
    } else if (!v.empty()) {
      std::memcpy(t.raw(), v.data(), v.size() * sizeof(T));
    }
    return t;
  }
  template <typename T>
  static Tensor scalar(T v) {
    return from_vector<T>({}, std::vector<T>{v});
  }

  bool defined() const { return static_cast<bool>(storage_); }
  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int rank() const { return static_cast<int>(shape_.size()); }
  int64_t dim(int i) const { return shape_[i < 0 ? i + rank() : i]; }
  int64_t numel() const { return numel_; }
  size_t nbytes() const { return storage_bytes(dtype_, numel_); }

  template <typename T>
  T* data() {
    ETCH_CHECK(DTypeOf<T>::value == dtype_)
        << "tensor is " << dtype_name(dtype_) << ", accessed as " << dtype_name(DTypeOf<T>::value);
    return reinterpret_cast<T*>(raw());
  }
  template <typename T>
  const T* data() const {
    return const_cast<Tensor*>(this)->data<T>();
  }
  uint8_t* raw() { return storage_ ? storage_.get() : nullptr; }
  const uint8_t* raw() const { return storage_ ? storage_.get() : nullptr; }

  // Same storage, new shape (numel must match).
  Tensor reshaped(Shape shape) const;
  Tensor clone() const;
  // Element i converted to double / written from double (any dtype but I4).
  double get_as_double(int64_t i) const;
  void set_from_double(int64_t i, double v);
  std::vector<int64_t> to_int64_vector() const;  // any integer dtype
  std::vector<float> to_float_vector() const;    // any dtype, converted

  const std::optional<QuantParams>& quant() const { return quant_; }
  void set_quant(std::optional<QuantParams> q) { quant_ = std::move(q); }

  // Same dtype, shape and bytes (quant params not compared).
  bool equals(const Tensor& o) const;

 private:
  Tensor(DType dtype, Shape shape, bool zero_fill);

  DType dtype_ = DType::F32;
  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<uint8_t[]> storage_;
  std::optional<QuantParams> quant_;
};

// Largest single tensor etch will allocate; a model declaring more is refused
// before allocation. Defaults to 3/4 of physical memory.
int64_t max_tensor_bytes();

}  // namespace etch
