#include "etch/core/huge_page_allocator.h"

#include <sys/mman.h>

namespace etch {
namespace {

// Whole huge pages, so that the advice covers the buffer's last one too.
size_t whole_pages(size_t bytes) { return (bytes + kHugePageBytes - 1) / kHugePageBytes * kHugePageBytes; }

}  // namespace

void* allocate_maybe_huge(size_t bytes) {
  if (bytes < kHugePageBytes) return ::operator new(bytes);
  const size_t whole = whole_pages(bytes);
  void* p = ::operator new (whole, std::align_val_t{kHugePageBytes});
  madvise(p, whole, MADV_HUGEPAGE);  // a failure only means 4 KiB pages
  return p;
}

void free_maybe_huge(void* p, size_t bytes) {
  if (bytes < kHugePageBytes) {
    ::operator delete(p);
  } else {
    ::operator delete (p, std::align_val_t{kHugePageBytes});
  }
}

}  // namespace etch
