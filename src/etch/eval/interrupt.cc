#include "etch/eval/interrupt.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

#include "etch/core/error.h"

namespace etch::eval {
namespace {

constexpr int kSlots = 64;
constexpr size_t kPathMax = 4096;

// Fixed storage: the handler may not allocate. A slot is readable by the
// handler only while its flag is set, and the flag is set after the path.
char g_paths[kSlots][kPathMax];
std::atomic<int> g_used[kSlots];
struct sigaction g_old_int, g_old_term;

void on_signal(int sig) {
  for (int i = 0; i < kSlots; ++i)
    if (g_used[i].load() == 1) ::unlink(g_paths[i]);
  // Default action with the original signal, so the exit status says "interrupted".
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

ScopedInterruptCleanup::ScopedInterruptCleanup() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGINT, &sa, &g_old_int);
  ::sigaction(SIGTERM, &sa, &g_old_term);
}

ScopedInterruptCleanup::~ScopedInterruptCleanup() {
  ::sigaction(SIGINT, &g_old_int, nullptr);
  ::sigaction(SIGTERM, &g_old_term, nullptr);
}

TempPathGuard::TempPathGuard(const std::string& path) : slot_(-1) {
  ETCH_CHECK(path.size() < kPathMax) << "temporary path too long: " << path;
  for (int i = 0; i < kSlots && slot_ < 0; ++i) {
    int expected = 0;
    // 2 = reserved while the path is copied in; 1 = visible to the handler.
    if (g_used[i].compare_exchange_strong(expected, 2)) slot_ = i;
  }
  ETCH_CHECK(slot_ >= 0) << "too many temporary files at once";
  std::memcpy(g_paths[slot_], path.c_str(), path.size() + 1);
  g_used[slot_].store(1);
}

TempPathGuard::~TempPathGuard() { g_used[slot_].store(0); }

}  // namespace etch::eval
