#include "etch/tflite/sparse.h"

#include <algorithm>
#include <cstring>
#include <functional>

namespace etch::tflite {

namespace {

// The entries of a SparseIndexVector (int32, uint16 or uint8 storage).
std::vector<int64_t> index_vector(fb::SparseIndexVector type, const void* v, const std::string& what) {
  std::vector<int64_t> out;
  // The verifier accepts a union whose type is set but whose table is absent.
  ETCH_REQUIRE(v != nullptr || type == fb::SparseIndexVector_NONE, InvalidInput)
      << what << ": sparse dimension's index vector is missing";
  switch (type) {
    case fb::SparseIndexVector_Int32Vector:
      if (auto* p = static_cast<const fb::Int32Vector*>(v)->values()) out.assign(p->begin(), p->end());
      break;
    case fb::SparseIndexVector_Uint16Vector:
      if (auto* p = static_cast<const fb::Uint16Vector*>(v)->values()) out.assign(p->begin(), p->end());
      break;
    case fb::SparseIndexVector_Uint8Vector:
      if (auto* p = static_cast<const fb::Uint8Vector*>(v)->values()) out.assign(p->begin(), p->end());
      break;
    default:
      ETCH_FAIL(InvalidInput) << what << ": sparse dimension without index vector";
  }
  return out;
}

constexpr int64_t kMaxDenseBytes = int64_t{1} << 30;
// A sparse tensor stores a pruned weight's non-zeros; TFLite's converter
// writes one when it saves bytes, at sparsities far below 4095 in 4096. A
// tensor expanding further (beyond a floor small enough to cost nothing) is
// a few bytes asking for a large allocation: a fuzzed 1 kB file declared
// 1 GiB of zeros around 8 values and took 7 s and 1 GB before the graph check
// after it refused the file.
constexpr int64_t kMaxExpansion = 4096;
constexpr int64_t kExpansionFloorElements = int64_t{1} << 20;

struct Level {
  bool dense = true;
  int64_t size = 0;  // dense levels
  std::vector<int64_t> segments, indices;
};

}  // namespace

Tensor densify(const fb::SparsityParameters& sp, const Tensor& values, const Shape& shape, const std::string& what) {
  const int n = static_cast<int>(shape.size());
  ETCH_REQUIRE(sp.traversal_order() && sp.dim_metadata(), InvalidInput)
      << what << ": sparsity parameters without traversal order or dimension metadata";
  const int levels = static_cast<int>(sp.traversal_order()->size());
  const int k = levels - n;
  ETCH_REQUIRE(k >= 0 && static_cast<int>(sp.dim_metadata()->size()) == levels, InvalidInput)
      << what << ": sparsity has " << levels << " traversal levels and " << sp.dim_metadata()->size()
      << " dimension entries for a rank-" << n << " tensor";
  ETCH_REQUIRE(k == 0 || (sp.block_map() && static_cast<int>(sp.block_map()->size()) == k), InvalidInput)
      << what << ": sparsity has " << k << " block dimensions but a block map of another length";
  std::vector<int> order(sp.traversal_order()->begin(), sp.traversal_order()->end());
  std::vector<bool> seen(levels, false);
  for (int d : order) {
    ETCH_REQUIRE(d >= 0 && d < levels && !seen[d], InvalidInput)
        << what << ": traversal order is not a permutation of 0.." << levels - 1;
    seen[d] = true;
  }
  // Block sizes per original dim; dims of the expanded (blocked) tensor.
  std::vector<int64_t> block(n, 1), dims(levels);
  std::vector<int> block_of(k);
  ETCH_REQUIRE(k <= n, InvalidInput) << what << ": " << k << " block dimensions for a rank-" << n << " tensor";
  std::vector<bool> blocked(n, false);
  for (int b = 0; b < k; ++b) {
    block_of[b] = sp.block_map()->Get(b);
    ETCH_REQUIRE(block_of[b] >= 0 && block_of[b] < n && !blocked[block_of[b]], InvalidInput)
        << what << ": block map entry " << block_of[b] << " is out of range or repeated";
    blocked[block_of[b]] = true;
  }
  std::vector<Level> lv(levels);
  for (int l = 0; l < levels; ++l) {
    const fb::DimensionMetadata* m = sp.dim_metadata()->Get(l);
    lv[l].dense = m->format() == fb::DimensionType_DENSE;
    if (lv[l].dense) {
      lv[l].size = m->dense_size();
      ETCH_REQUIRE(lv[l].size >= 0, InvalidInput) << what << ": negative dense size at level " << l;
    } else {
      lv[l].segments = index_vector(m->array_segments_type(), m->array_segments(), what);
      lv[l].indices = index_vector(m->array_indices_type(), m->array_indices(), what);
    }
  }
  for (int b = 0; b < k; ++b) {
    // The block dims are the last k levels of the traversal; their dense sizes
    // are the block sizes.
    for (int l = 0; l < levels; ++l)
      if (order[l] == n + b) {
        ETCH_REQUIRE(lv[l].dense, InvalidInput) << what << ": a block dimension must be dense";
        block[block_of[b]] = lv[l].size;
        dims[n + b] = lv[l].size;
      }
  }
  for (int d = 0; d < n; ++d) {
    ETCH_REQUIRE(block[d] > 0 && shape[d] % block[d] == 0, InvalidInput)
        << what << ": dimension " << d << " (" << shape[d] << ") is not a multiple of its block size " << block[d];
    dims[d] = shape[d] / block[d];
  }
  // The dense size comes from the declared shape, not from the file's bytes:
  // bound it before allocating (a few bytes of sparsity can declare terabytes).
  const size_t esz = dtype_size(values.dtype());
  int64_t elements = 1;
  for (int64_t d : shape) {
    ETCH_REQUIRE(d >= 0 && (d == 0 || elements <= kMaxDenseBytes / static_cast<int64_t>(esz) / d), InvalidInput)
        << what << ": densified shape " << shape_str(shape) << " exceeds etch's limit of " << (kMaxDenseBytes >> 20)
        << " MiB for one sparse tensor";
    elements *= d;
  }
  // Nothing to place; walking the dense levels above a zero-size one would
  // only count (a few bytes can declare 2^40 of them).
  if (elements == 0) return Tensor(values.dtype(), shape);
  // The index structure is walked twice: first only to check it, then to
  // copy. A malformed file is refused before the dense tensor (up to the
  // limit above) is allocated and zeroed (a fuzzed 1 kB file took seconds).
  Tensor out;
  bool write = false;
  const std::vector<int64_t> strides = shape_strides(shape);
  std::vector<int64_t> coord(levels, 0);
  std::function<void(int, int64_t)> walk = [&](int l, int64_t pos) {
    if (l == levels) {
      ETCH_REQUIRE(pos >= 0 && pos < values.numel(), InvalidInput)
          << what << ": sparse index refers to value " << pos << " of " << values.numel();
      int64_t off = 0;
      for (int d = 0; d < n; ++d) off += coord[d] * block[d] * strides[d];
      for (int b = 0; b < k; ++b) off += coord[n + b] * strides[block_of[b]];
      ETCH_CHECK(off >= 0 && off < elements) << what << ": densified index " << off << " out of range";
      if (write) std::memcpy(out.raw() + off * esz, values.raw() + pos * esz, esz);
      return;
    }
    const int d = order[l];
    if (lv[l].dense) {
      ETCH_REQUIRE(lv[l].size == dims[d], InvalidInput)
          << what << ": dense level " << l << " has size " << lv[l].size << ", expected " << dims[d];
      for (int64_t i = 0; i < lv[l].size; ++i) {
        coord[d] = i;
        walk(l + 1, pos * lv[l].size + i);
      }
      return;
    }
    const auto& seg = lv[l].segments;
    ETCH_REQUIRE(pos >= 0 && pos + 1 < static_cast<int64_t>(seg.size()), InvalidInput)
        << what << ": sparse level " << l << " has too few segments";
    ETCH_REQUIRE(
        seg[pos] >= 0 && seg[pos] <= seg[pos + 1] && seg[pos + 1] <= static_cast<int64_t>(lv[l].indices.size()),
        InvalidInput)
        << what << ": sparse level " << l << " has segments out of order or past its indices";
    for (int64_t j = seg[pos]; j < seg[pos + 1]; ++j) {
      const int64_t c = lv[l].indices[j];
      ETCH_REQUIRE(c >= 0 && c < dims[d], InvalidInput)
          << what << ": sparse index " << c << " at level " << l << " is outside [0, " << dims[d] << ")";
      coord[d] = c;
      walk(l + 1, j);
    }
  };
  walk(0, 0);
  ETCH_REQUIRE(elements <= std::max(kExpansionFloorElements, kMaxExpansion * values.numel()), InvalidInput)
      << what << ": densified shape " << shape_str(shape) << " has " << elements << " elements for " << values.numel()
      << " stored values; etch refuses a sparse tensor that expands more than " << kMaxExpansion << "-fold beyond "
      << kExpansionFloorElements << " elements";
  out = Tensor(values.dtype(), shape);
  write = true;
  walk(0, 0);
  return out;
}

}  // namespace etch::tflite
