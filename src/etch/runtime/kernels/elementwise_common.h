// Shared machinery for element-wise kernels: dtype dispatch to a templated
// lambda, and a broadcast plan that walks numpy-broadcast operands row by row
// with precomputed strides (adjacent dims that stay contiguous are merged so the
// inner loop is as long as possible).
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "etch/core/thread_pool.h"
#include "etch/runtime/kernel_registry.h"

namespace etch::runtime {

// Calls f.template operator()<T>() for the C++ type of t; fails naming the node
// for dtypes the op does not support.
template <bool kAllowBool, typename F>
void dispatch_dtype(DType t, const KernelContext& ctx, F&& f) {
  switch (t) {
    case DType::F32:
      f.template operator()<float>();
      return;
    case DType::I8:
      f.template operator()<int8_t>();
      return;
    case DType::U8:
      f.template operator()<uint8_t>();
      return;
    case DType::I32:
      f.template operator()<int32_t>();
      return;
    case DType::I64:
      f.template operator()<int64_t>();
      return;
    case DType::Bool:
      if constexpr (kAllowBool) {
        f.template operator()<bool>();
        return;
      }
      break;
    case DType::I4:
      break;
  }
  ETCH_FAIL(Unsupported) << ctx.node().describe() << ": dtype " << dtype_name(t) << " is not supported";
}
template <typename F>
void dispatch_numeric(DType t, const KernelContext& ctx, F&& f) {
  dispatch_dtype<false>(t, ctx, std::forward<F>(f));
}
template <typename F>
void dispatch_any(DType t, const KernelContext& ctx, F&& f) {
  dispatch_dtype<true>(t, ctx, std::forward<F>(f));
}

// Elements per parallel chunk: big enough that scheduling costs nothing.
constexpr int64_t kElementGrain = 1 << 15;

struct BroadcastPlan {
  Shape dims;                                 // merged output dims, at least one
  std::vector<std::vector<int64_t>> strides;  // per operand, per merged dim; 0 = broadcast
  int64_t inner() const { return dims.back(); }
  int64_t rows() const;
};

// Operands are right-aligned against `out` (numpy rules; the caller has checked
// that they broadcast).
BroadcastPlan make_broadcast_plan(const Shape& out, const std::vector<Shape>& operands);

// Calls f(out_offset, offsets, n) for every row of the plan, where offsets[k]
// is operand k's element offset at the row start and n = plan.inner(); rows run
// in parallel chunks.
template <size_t K, typename F>
void for_each_row(const BroadcastPlan& p, F&& f) {
  const int64_t inner = p.inner();
  const int64_t rows = p.rows();
  const int outer_rank = static_cast<int>(p.dims.size()) - 1;
  const int64_t grain = std::max<int64_t>(1, kElementGrain / std::max<int64_t>(inner, 1));
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    std::vector<int64_t> idx(outer_rank, 0);
    int64_t rem = r0;
    for (int d = outer_rank - 1; d >= 0; --d) {
      idx[d] = rem % p.dims[d];
      rem /= p.dims[d];
    }
    int64_t offs[K];
    for (size_t k = 0; k < K; ++k) {
      offs[k] = 0;
      for (int d = 0; d < outer_rank; ++d) offs[k] += idx[d] * p.strides[k][d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      f(r * inner, static_cast<const int64_t*>(offs), inner);
      for (int d = outer_rank - 1; d >= 0; --d) {
        for (size_t k = 0; k < K; ++k) offs[k] += p.strides[k][d];
        if (++idx[d] < p.dims[d]) break;
        for (size_t k = 0; k < K; ++k) offs[k] -= p.strides[k][d] * p.dims[d];
        idx[d] = 0;
      }
    }
  });
}

// Element-wise map over n contiguous elements, in parallel.
template <typename In, typename Out, typename F>
void map_elements(const In* in, Out* out, int64_t n, F&& f) {
  parallel_for(n, kElementGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = f(in[i]);
  });
}

// out[i] = op(a[i], b[i]) for broadcast operands of any shapes (out is dense).
template <typename A, typename B, typename Out, typename Op>
void broadcast_binary(const A* a, const Shape& sa, const B* b, const Shape& sb, Out* out, const Shape& so, Op op) {
  const int64_t n = shape_numel(so);
  if (n == 0) return;
  if (sa == so && sb == so) {
    parallel_for(n, kElementGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) out[i] = op(a[i], b[i]);
    });
    return;
  }
  if (shape_numel(sb) == 1 && sa == so) {
    const B bv = b[0];
    parallel_for(n, kElementGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) out[i] = op(a[i], bv);
    });
    return;
  }
  if (shape_numel(sa) == 1 && sb == so) {
    const A av = a[0];
    parallel_for(n, kElementGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) out[i] = op(av, b[i]);
    });
    return;
  }
  const BroadcastPlan p = make_broadcast_plan(so, {sa, sb});
  const int64_t ia = p.strides[0].back(), ib = p.strides[1].back();
  for_each_row<2>(p, [&](int64_t oo, const int64_t* offs, int64_t len) {
    const A* pa = a + offs[0];
    const B* pb = b + offs[1];
    Out* po = out + oo;
    if (ia == 1 && ib == 1) {
      for (int64_t i = 0; i < len; ++i) po[i] = op(pa[i], pb[i]);
    } else if (ia == 1 && ib == 0) {
      const B bv = *pb;
      for (int64_t i = 0; i < len; ++i) po[i] = op(pa[i], bv);
    } else if (ia == 0 && ib == 1) {
      const A av = *pa;
      for (int64_t i = 0; i < len; ++i) po[i] = op(av, pb[i]);
    } else {
      for (int64_t i = 0; i < len; ++i) po[i] = op(pa[i * ia], pb[i * ib]);
    }
  });
}

}  // namespace etch::runtime
