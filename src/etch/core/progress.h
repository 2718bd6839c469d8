// A one-line progress bar on stderr for long work (batches, epochs, layers).
// Drawn only when stderr is a terminal and logging is not quiet, so piped or
// captured output never contains control characters.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

namespace etch {

class Progress {
 public:
  Progress(std::string label, int64_t total);
  ~Progress();  // finish()
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void advance(int64_t n = 1);
  void finish();  // erases the bar
  bool enabled() const { return enabled_; }

  // A process-wide observer of every bar, called by advance() on the thread
  // doing the work, whether or not a bar is drawn: the Python bindings' progress
  // callback and their Ctrl-C check. It may throw to abandon the work.
  using Hook = std::function<void(const std::string& label, int64_t done, int64_t total)>;
  static void set_hook(Hook hook);
  // Calls the hook (if any) for work that draws its own progress line (the
  // training loop), so that it reports and can be interrupted like a bar.
  static void notify(const std::string& label, int64_t done, int64_t total);

  // Whether bars would be drawn at all in this process (stderr is a tty and not --quiet).
  static bool available();

 private:
  void draw(bool force);

  std::string label_;
  int64_t total_, done_ = 0;
  bool enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace etch
