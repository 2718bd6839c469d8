#include "etch/core/tensor.h"

#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdlib>
#include <new>

namespace etch {

int64_t max_tensor_bytes() {
  static const int64_t limit = [] {
    long pages = sysconf(_SC_PHYS_PAGES);
    long page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return int64_t{8} << 30;
    return static_cast<int64_t>(pages) * page / 4 * 3;
  }();
  return limit;
}

namespace {
// Inference and training allocate and free the same large activation buffers
// for every batch. glibc would return them to the kernel (mmap/trim) and fault
// the pages in again each time, which cost ~2/3 of backward time on the cnn
// benchmark; keeping freed memory in the heap removes that. Process-wide, once.
void keep_freed_memory() {
#ifdef __GLIBC__
  static const bool once = [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);  // glibc's maximum
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    return true;
  }();
  (void)once;
#endif
}
}  // namespace

Tensor::Tensor(DType dtype, Shape shape) : Tensor(dtype, std::move(shape), true) {}

Tensor::Tensor(DType dtype, Shape shape, bool zero_fill) : dtype_(dtype), shape_(std::move(shape)) {
  keep_freed_memory();
  numel_ = 1;
  for (int64_t d : shape_) {
    ETCH_REQUIRE(d >= 0, InvalidInput) << "tensor dimension " << d << " in shape " << shape_str(shape_)
                                       << " is negative";
    if (d != 0 && numel_ > max_tensor_bytes() / d)
      numel_ = max_tensor_bytes();  // overflow guard
    else
      numel_ *= d;
  }
  const size_t bytes = storage_bytes(dtype_, numel_);
  ETCH_REQUIRE(static_cast<int64_t>(bytes) <= max_tensor_bytes(), InvalidInput)
      << "tensor of shape " << shape_str(shape_) << " (" << dtype_name(dtype_) << ") needs " << bytes
      << " bytes, more than the " << max_tensor_bytes() << " bytes etch allows on this machine";
  const size_t alloc = (bytes + 63) / 64 * 64 + 64;
  void* p = std::aligned_alloc(64, alloc);
  if (p == nullptr) throw std::bad_alloc();
  if (zero_fill) {
    std::memset(p, 0, alloc);
  } else if (alloc > bytes) {
    // Padding past the end stays defined (vector loads may read it).
    std::memset(static_cast<uint8_t*>(p) + bytes, 0, alloc - bytes);
  }
  storage_ = std::shared_ptr<uint8_t[]>(static_cast<uint8_t*>(p), [](uint8_t* q) { std::free(q); });
}

Tensor Tensor::reshaped(Shape shape) const {
  ETCH_CHECK(shape_numel(shape) == numel_) << "reshape " << shape_str(shape_) << " -> " << shape_str(shape);
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::clone() const {
  Tensor t(dtype_, shape_, false);
  if (nbytes()) std::memcpy(t.raw(), raw(), nbytes());
  t.quant_ = quant_;
  return t;
}

double Tensor::get_as_double(int64_t i) const {
  switch (dtype_) {
    case DType::F32:
      return reinterpret_cast<const float*>(raw())[i];
    case DType::I8:
      return reinterpret_cast<const int8_t*>(raw())[i];
    case DType::U8:
      return reinterpret_cast<const uint8_t*>(raw())[i];
    case DType::I32:
      return reinterpret_cast<const int32_t*>(raw())[i];
    case DType::I64:
      return static_cast<double>(reinterpret_cast<const int64_t*>(raw())[i]);
    case DType::Bool:
      return reinterpret_cast<const bool*>(raw())[i] ? 1.0 : 0.0;
    case DType::I4: {
      uint8_t byte = raw()[i / 2];
      int v = (i % 2 == 0) ? (byte & 0xF) : (byte >> 4);
      return v >= 8 ? v - 16 : v;
    }
  }
  return 0;
}

void Tensor::set_from_double(int64_t i, double v) {
  switch (dtype_) {
    case DType::F32:
      reinterpret_cast<float*>(raw())[i] = static_cast<float>(v);
      return;
    case DType::I8:
      reinterpret_cast<int8_t*>(raw())[i] = static_cast<int8_t>(v);
      return;
    case DType::U8:
      reinterpret_cast<uint8_t*>(raw())[i] = static_cast<uint8_t>(v);
      return;
    case DType::I32:
      reinterpret_cast<int32_t*>(raw())[i] = static_cast<int32_t>(v);
      return;
    case DType::I64:
      reinterpret_cast<int64_t*>(raw())[i] = static_cast<int64_t>(v);
      return;
    case DType::Bool:
      reinterpret_cast<bool*>(raw())[i] = v != 0;
      return;
    case DType::I4: {
      uint8_t& byte = raw()[i / 2];
      uint8_t nib = static_cast<uint8_t>(static_cast<int>(v) & 0xF);
      byte =
          (i % 2 == 0) ? static_cast<uint8_t>((byte & 0xF0) | nib) : static_cast<uint8_t>((byte & 0x0F) | (nib << 4));
      return;
    }
  }
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> out(numel_);
  if (dtype_ == DType::I64) {
    if (numel_) std::memcpy(out.data(), raw(), numel_ * 8);
    return out;
  }
  ETCH_REQUIRE(dtype_is_integer(dtype_) || dtype_ == DType::Bool, InvalidInput)
      << "expected an integer tensor, got " << dtype_name(dtype_);
  for (int64_t i = 0; i < numel_; ++i) out[i] = static_cast<int64_t>(get_as_double(i));
  return out;
}

std::vector<float> Tensor::to_float_vector() const {
  std::vector<float> out(numel_);
  for (int64_t i = 0; i < numel_; ++i) out[i] = static_cast<float>(get_as_double(i));
  return out;
}

bool Tensor::equals(const Tensor& o) const {
  if (dtype_ != o.dtype_ || shape_ != o.shape_) return false;
  return nbytes() == 0 || std::memcmp(raw(), o.raw(), nbytes()) == 0;
}

}  // namespace etch
