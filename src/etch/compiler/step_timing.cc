#include "etch/compiler/step_timing.h"

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "etch/core/error.h"
#include "etch/npu/footprint.h"

namespace etch::compiler {
namespace {

constexpr int64_t kNever = int64_t{1} << 62;

// The shared DRAM channel. Transfers are visited in program order, but the
// simulator grants the channel in time order (the load engine runs ahead of
// the stores), so a transfer takes the earliest free gap at or after it is ready.
struct Dram {
  // Busy intervals (start, end), sorted and disjoint; most land at the end.
  std::vector<std::pair<int64_t, int64_t>> busy;
  static bool starts_before(int64_t at, const std::pair<int64_t, int64_t>& b) { return at < b.first; }
  // Where a transfer ready at `ready` would start.
  int64_t probe(int64_t ready, int64_t len) const {
    int64_t at = ready;
    auto it = std::upper_bound(busy.begin(), busy.end(), at, starts_before);
    if (it != busy.begin() && std::prev(it)->second > at) at = std::prev(it)->second;
    while (it != busy.end() && it->first < at + len) {
      at = std::max(at, it->second);
      ++it;
    }
    return at;
  }
  // Back-to-back transfers extend one interval, so a DRAM-bound layer's list
  // stays short and the searches above stay cheap.
  int64_t reserve(int64_t ready, int64_t len) {
    const int64_t at = probe(ready, len);
    auto next = std::upper_bound(busy.begin(), busy.end(), at, starts_before);
    const bool joins_prev = next != busy.begin() && std::prev(next)->second == at;
    const bool joins_next = next != busy.end() && next->first == at + len;
    if (joins_prev && joins_next) {
      std::prev(next)->second = next->second;
      busy.erase(next);
    } else if (joins_prev) {
      std::prev(next)->second = at + len;
    } else if (joins_next) {
      next->first = at;
    } else {
      busy.insert(next, {at, at + len});
    }
    return at;
  }
};

class Timer {
 public:
  Timer(const LayerSteps& st, const npu::Target& t, const PrefetchArrival& in, const Prefetch& trailing)
      : st_(st), t_(t), in_(in), trailing_(trailing), token_(st.size(), 0), done_(st.size(), 0), timed_(st.size(), 0) {}

  LayerTiming run(StepTimes* times) {
    const int n = st_.size();
    const int last_round = n > 0 ? st_[n - 1].round : 0;
    int round = -1;
    for (int i = 0; i < n; ++i) {
      const LayerStep& s = st_[i];
      if (s.prefetch_group >= 0) {
        arrived(i);
        continue;
      }
      if (s.round != round) {
        round = s.round;
        start_round(i);
        if (round == last_round) bg_.assign(trailing_.transfers.begin(), trailing_.transfers.end());
      }
      switch (s.kind) {
        case StepKind::Load:
          dma(i, load_t_);
          break;
        case StepKind::Store:
          pending_.push_back(i);  // granted the channel later (flush_if)
          break;
        case StepKind::Preload:
          preload(i);
          break;
        case StepKind::Matmul:
          matmul(i);
          break;
        case StepKind::Vector:
          vector(i);
          break;
      }
    }
    const LayerTiming out = finish();
    if (times) {
      times->done = std::move(done_);
      times->token = std::move(token_);
    }
    return out;
  }

 private:
  // When step i's dependencies allow it to start; a STORE it depends on is
  // given the channel now (its timing is needed).
  int64_t deps_ready(int i) {
    int64_t r = 0;
    const npu::Queue q = step_queue(st_[i].kind);
    for (int d : st_.deps(i)) {
      if (!timed_[d]) flush_if([&](int j) { return j <= d; });
      ETCH_CHECK(timed_[d]) << "step " << i << " depends on step " << d << ", not timed yet";
      r = std::max(r, step_queue(st_[d].kind) == q ? done_[d] : token_[d]);
    }
    return r;
  }
  void set(int i, int64_t token, int64_t done) {
    token_[i] = token;
    done_[i] = done;
    timed_[i] = 1;
  }
  // A prefetch step ran before the layer: its times are the arrival's.
  void arrived(int i) {
    const LayerStep& s = st_[i];
    if (s.kind == StepKind::Preload) {
      preload_done_ = in_.preload_done;
      set(i, in_.preload_done, in_.preload_done);
    } else {
      const int64_t at = s.prefetch_group == 0 ? in_.first_ready : in_.ready;
      set(i, at, at);
    }
  }
  // A round's loads compete with the stores still waiting for the channel.
  // A round without loads leaves them waiting: the next loads may still be
  // ready before them (as when weights stay resident and only some rounds
  // load an input tile).
  void start_round(int i) {
    bool loads = false;
    int64_t ready = 0;
    for (int j = i; j < st_.size() && st_[j].round == st_[i].round && st_[j].kind == StepKind::Load; ++j) {
      loads = true;
      ready = std::max(ready, deps_ready(j));
    }
    if (loads) flush_stores(std::max(load_t_, ready));
  }
  // Times DMA step i on the engine whose issue time is `engine_t`; returns its start.
  int64_t dma(int i, int64_t& engine_t) {
    const int64_t occ = npu::dram_occupancy(st_[i].bytes, t_);
    const int64_t start = dram_.reserve(std::max(engine_t, deps_ready(i)), occ);
    engine_t = start + occ;
    const int64_t arrive = start + occ + t_.dram_latency_cycles;
    end_ = std::max(end_, arrive);
    // A load's data is usable when it arrives; a store frees its buffer once read.
    set(i, st_[i].kind == StepKind::Load ? arrive : start + occ, arrive);
    return start;
  }
  void preload(int i) {
    const int64_t ps = std::max({comp_t_, shadow_free_, deps_ready(i)});
    preload_done_ = shadow_free_ = ps + npu::preload_cycles(st_[i].kphys, t_);
    comp_t_ = ps + 1;
    set(i, preload_done_, preload_done_);
  }
  void matmul(int i) {
    const LayerStep& s = st_[i];
    int64_t ms = std::max({comp_t_, array_free_, deps_ready(i)});
    if (s.swap) ms = std::max(ms, preload_done_);
    const int64_t stream = npu::matmul_stream_cycles(s.n, s.kphys, t_);
    if (s.swap) shadow_free_ = ms;
    array_free_ = ms + stream;
    const int64_t done = ms + stream + npu::matmul_drain_cycles(s.m, t_);
    end_ = std::max(end_, done);
    comp_t_ = ms + 1;
    set(i, ms + stream, done);
  }
  void vector(int i) {
    const int64_t start =
        std::max({comp_t_, vector_free_, st_[i].waits_for_array ? array_free_ : int64_t{0}, deps_ready(i)});
    vector_free_ = start + npu::vector_cycles(st_[i].n, t_);
    comp_t_ = start + 1;
    end_ = std::max(end_, vector_free_);
    set(i, vector_free_, vector_free_);
  }

  // The next layer's prefetch: background pieces behind this layer's last
  // load; a piece takes the channel only if it can start before a store can
  // (until_ready < 0: no store waits).
  void background_before(int64_t until_ready, int64_t until_len) {
    while (!bg_.empty()) {
      const int64_t oc = npu::dram_occupancy(bg_.front(), t_);
      const int64_t at = dram_.probe(load_t_, oc);
      if (until_ready >= 0 && at >= dram_.probe(until_ready, until_len)) break;
      dram_.reserve(load_t_, oc);
      load_t_ = at + oc;
      trailing_ready_ = at + oc + t_.dram_latency_cycles;
      if (++bg_done_ == trailing_.first_group) trailing_first_ready_ = trailing_ready_;
      bg_.pop_front();
    }
  }
  // Gives the DRAM channel to the pending stores that `due(step)` selects.
  template <class Due>
  void flush_if(Due due) {
    size_t kept = 0;
    for (size_t k = 0; k < pending_.size(); ++k) {
      const int j = pending_[k];
      if (due(j)) {
        background_before(std::max(store_t_, deps_ready(j)), npu::dram_occupancy(st_[j].bytes, t_));
        dma(j, store_t_);
      } else {
        pending_[kept++] = j;
      }
    }
    pending_.resize(kept);
  }
  // Stores are granted the channel after the round's loads that can start no
  // later than they can (the simulator serves the earliest start, the load
  // engine first on ties): while the channel is busy past both requests, the
  // load goes first.
  void flush_stores(int64_t loads_ready) {
    flush_if([&](int j) {
      const int64_t req = std::max(store_t_, deps_ready(j)), free = dram_.probe(std::min(req, loads_ready), 1);
      return std::max(req, free) < std::max(loads_ready, free);
    });
  }

  LayerTiming finish() {
    flush_stores(kNever);
    for (int64_t x : {comp_t_, store_t_, array_free_, vector_free_}) end_ = std::max(end_, x);
    if (trailing_.transfers.empty()) end_ = std::max(end_, load_t_);
    background_before(-1, 0);
    LayerTiming out;
    out.end = end_;
    out.release = std::max(end_, load_t_);
    out.trailing_ready = trailing_ready_;
    out.trailing_first_ready = trailing_first_ready_;
    // The next layer's first PRELOAD is this layer's last compute instruction.
    if (trailing_.preload > 0) {
      const int64_t ps = std::max({comp_t_, shadow_free_, trailing_first_ready_});
      out.trailing_preload_done = ps + trailing_.preload;
      out.release = std::max(out.release, ps + 1);
    }
    return out;
  }

  const LayerSteps& st_;
  const npu::Target& t_;
  const PrefetchArrival& in_;
  const Prefetch& trailing_;
  std::vector<int64_t> token_, done_;  // per step: when its token is pushed, when it has completed
  std::vector<char> timed_;
  Dram dram_;
  int64_t load_t_ = 0, comp_t_ = 0, store_t_ = 0;  // each engine's next issue cycle
  int64_t array_free_ = 0, preload_done_ = 0, shadow_free_ = 0, vector_free_ = 0;
  int64_t end_ = 0;
  std::vector<int> pending_;  // stores not yet given the channel
  std::deque<int64_t> bg_;    // the trailing prefetch's transfers still to go
  size_t bg_done_ = 0;
  int64_t trailing_ready_ = 0, trailing_first_ready_ = 0;
};

}  // namespace

LayerTiming time_steps(const LayerSteps& steps, const npu::Target& t, const PrefetchArrival& in,
                       const Prefetch& trailing, StepTimes* times) {
  return Timer(steps, t, in, trailing).run(times);
}

}  // namespace etch::compiler
