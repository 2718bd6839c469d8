// One process-wide pool, sized by --threads. parallel_for splits [0, n) into
// contiguous chunks whose boundaries depend only on n and the grain, never on
// the thread count, so reductions done per chunk give identical results.
#pragma once
#include <cstdint>
#include <functional>

namespace etch {

void set_num_threads(int n);  // 0 = all cores
int num_threads();

// Calls fn(begin, end) over chunks of at most `grain` items, in parallel.
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace etch
