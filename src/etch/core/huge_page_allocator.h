// An allocator for the few buffers that reach hundreds of megabytes (a
// compiled program's instruction list): a buffer of 2 MiB or more is 2 MiB
// aligned and marked MADV_HUGEPAGE, so that Linux backs it with transparent
// huge pages also where it gives them only on request (THP "madvise" mode,
// the default of many distributions). Why: M-LSD 512's program for `edge` is
// 874k instructions, ~500 MB while it is built; with 4 KiB pages every first
// touch of it is a page fault, and on a virtual machine those faults took
// half of `etch compile`'s time. Smaller buffers come from operator new as
// usual; the advice is only advice (ignored where THP is off).
#pragma once
#include <cstddef>
#include <new>

namespace etch {

inline constexpr size_t kHugePageBytes = size_t{2} << 20;

// `bytes` from operator new, 2 MiB aligned and advised to huge pages from
// kHugePageBytes on; free with the same `bytes` (which decides the path).
void* allocate_maybe_huge(size_t bytes);
void free_maybe_huge(void* p, size_t bytes);

template <class T>
struct HugePageAllocator {
  using value_type = T;
  static_assert(alignof(T) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__, "over-aligned types need their own allocator");

  HugePageAllocator() = default;
  template <class U>
  explicit HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(allocate_maybe_huge(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) { free_maybe_huge(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HugePageAllocator<U>&) const {
    return true;
  }
};

}  // namespace etch
