#include "etch/runtime/integer_fast_paths.h"

#include <atomic>

namespace etch::runtime {
namespace {
std::atomic<bool> fast_paths{true};
}  // namespace

void set_integer_fast_paths(bool on) { fast_paths.store(on); }
bool integer_fast_paths() { return fast_paths.load(std::memory_order_relaxed); }

}  // namespace etch::runtime
