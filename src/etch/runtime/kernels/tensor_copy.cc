#include "etch/runtime/kernels/tensor_copy.h"

#include <algorithm>
#include <cstring>

#include "etch/core/thread_pool.h"

namespace etch::runtime {

namespace {
// Elements per task when long rows are cut into pieces.
constexpr int64_t kPiece = 16384;

template <typename T>
void copy_run(const uint8_t* src, int64_t ss, uint8_t* dst, int64_t ds, int64_t n) {
  const T* s = reinterpret_cast<const T*>(src);
  T* d = reinterpret_cast<T*>(dst);
  for (int64_t i = 0; i < n; ++i) std::memcpy(d + i * ds, s + i * ss, sizeof(T));
}
}  // namespace

size_t movable_elem_size(DType t, const std::string& who) {
  ETCH_REQUIRE(t != DType::I4, Unsupported) << who << ": packed i4 tensors cannot be rearranged";
  return dtype_size(t);
}

void strided_copy(const uint8_t* src, std::vector<int64_t> src_strides, uint8_t* dst, std::vector<int64_t> dst_strides,
                  Shape shape, size_t esz) {
  for (int64_t d : shape)
    if (d == 0) return;
  // Drop unit dims and merge linear neighbours.
  Shape dims;
  std::vector<int64_t> ss, ds;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    if (!dims.empty() && ss.back() == src_strides[d] * shape[d] && ds.back() == dst_strides[d] * shape[d]) {
      dims.back() *= shape[d];
      ss.back() = src_strides[d];
      ds.back() = dst_strides[d];
    } else {
      dims.push_back(shape[d]);
      ss.push_back(src_strides[d]);
      ds.push_back(dst_strides[d]);
    }
  }
  if (dims.empty()) {
    std::memcpy(dst, src, esz);
    return;
  }
  const int rank = static_cast<int>(dims.size());
  const int64_t inner = dims.back(), sin = ss.back(), din = ds.back();
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= dims[d];
  // n elements of the inner dimension from s to t.
  const auto copy_span = [&](const uint8_t* s, uint8_t* t, int64_t n) {
    if (sin == 1 && din == 1) {
      std::memcpy(t, s, n * esz);
      return;
    }
    switch (esz) {
      case 1:
        copy_run<uint8_t>(s, sin, t, din, n);
        break;
      case 4:
        copy_run<uint32_t>(s, sin, t, din, n);
        break;
      case 8:
        copy_run<uint64_t>(s, sin, t, din, n);
        break;
      default:
        for (int64_t i = 0; i < n; ++i) std::memcpy(t + i * din * esz, s + i * sin * esz, esz);
    }
  };
  const int64_t e = static_cast<int64_t>(esz);
  if (rows < 4 && inner > kPiece) {
    // A few long rows (a batch-1 Concat on channels is one, an NHWC image
    // transposed to NCHW has three): in pieces, so that the threads share them.
    const int64_t pieces = (inner + kPiece - 1) / kPiece;
    parallel_for(rows * pieces, 1, [&](int64_t t0, int64_t t1) {
      for (int64_t t = t0; t < t1; ++t) {
        int64_t rem = t / pieces, so = 0, dof = 0;
        for (int d = rank - 2; d >= 0; --d) {
          so += rem % dims[d] * ss[d];
          dof += rem % dims[d] * ds[d];
          rem /= dims[d];
        }
        const int64_t i0 = t % pieces * kPiece, n = std::min(kPiece, inner - i0);
        copy_span(src + (so + i0 * sin) * e, dst + (dof + i0 * din) * e, n);
      }
    });
    return;
  }
  const int64_t grain = std::max<int64_t>(1, (int64_t{1} << 16) / inner);
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> idx(rank - 1, 0);
    int64_t rem = r0, so = 0, dof = 0;
    for (int d = rank - 2; d >= 0; --d) {
      idx[d] = rem % dims[d];
      rem /= dims[d];
      so += idx[d] * ss[d];
      dof += idx[d] * ds[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      copy_span(src + so * e, dst + dof * e, inner);
      for (int d = rank - 2; d >= 0; --d) {
        so += ss[d];
        dof += ds[d];
        if (++idx[d] < dims[d]) break;
        so -= ss[d] * dims[d];
        dof -= ds[d] * dims[d];
        idx[d] = 0;
      }
    }
  });
}

}  // namespace etch::runtime
