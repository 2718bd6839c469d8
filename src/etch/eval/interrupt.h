// Ctrl-C during `etch deploy` must leave no half-written file. Writes go to
// temporary files that are renamed at the end (core/atomic_file.h), but a
// signal kills the process before any destructor runs; while a
// ScopedInterruptCleanup is alive, SIGINT/SIGTERM first unlink every
// registered temporary path (unlink is async-signal-safe), then the signal
// takes its default action (exit status 128 + signal).
#pragma once
#include <string>

namespace etch::eval {

class ScopedInterruptCleanup {
 public:
  ScopedInterruptCleanup();   // installs the handlers
  ~ScopedInterruptCleanup();  // restores the previous ones
  ScopedInterruptCleanup(const ScopedInterruptCleanup&) = delete;
  ScopedInterruptCleanup& operator=(const ScopedInterruptCleanup&) = delete;
};

// Registers a path to unlink on interruption for the lifetime of the guard.
// At most 64 paths at a time, each shorter than 4 KiB (ETCH_CHECK otherwise).
class TempPathGuard {
 public:
  explicit TempPathGuard(const std::string& path);
  ~TempPathGuard();
  TempPathGuard(const TempPathGuard&) = delete;
  TempPathGuard& operator=(const TempPathGuard&) = delete;

 private:
  int slot_;
};

}  // namespace etch::eval
