#include "etch/core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "etch/core/log.h"

namespace etch {

namespace {
Progress::Hook& hook() {
  static Progress::Hook h;
  return h;
}
}  // namespace

void Progress::set_hook(Hook h) { hook() = std::move(h); }

void Progress::notify(const std::string& label, int64_t done, int64_t total) {
  if (hook()) hook()(label, done, total);
}

bool Progress::available() { return ::isatty(STDERR_FILENO) == 1 && log_level() != LogLevel::Quiet; }

Progress::Progress(std::string label, int64_t total)
    : label_(std::move(label)), total_(std::max<int64_t>(total, 1)), enabled_(available()) {
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

Progress::~Progress() { finish(); }

void Progress::advance(int64_t n) {
  done_ = std::min(total_, done_ + n);
  if (enabled_) draw(false);
  if (hook()) hook()(label_, done_, total_);
}

void Progress::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  // Redraw at most ten times a second: a terminal write per batch would cost
  // more than small batches themselves.
  if (!force && now - last_draw_ < std::chrono::milliseconds(100) && done_ < total_) return;
  last_draw_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * done_ / total_);
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  const double rate = secs > 0 ? done_ / secs : 0;
  const double eta = rate > 0 ? (total_ - done_) / rate : 0;
  std::fprintf(stderr, "\r\033[K%s [%s] %lld/%lld  %.1f/s  eta %.0fs", label_.c_str(), bar.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), rate, eta);
  std::fflush(stderr);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
    drawn_ = false;
  }
  enabled_ = false;
}

}  // namespace etch
