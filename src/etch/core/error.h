// Two error tiers: etch::Error for user/model problems (mapped to exit codes by
// the CLI) and ETCH_CHECK for broken internal invariants (reported as Internal).
#pragma once
#include <sstream>
#include <stdexcept>
#include <string>

namespace etch {

enum class ErrorKind { InvalidInput, Unsupported, Internal };

const char* error_kind_name(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

// Streams a message and throws when destroyed; used by the ETCH_* macros so that
// call sites read `ETCH_CHECK(x) << "why";`.
class ErrorBuilder {
 public:
  ErrorBuilder(ErrorKind kind, const char* file, int line);
  ErrorBuilder(const ErrorBuilder&) = delete;
  [[noreturn]] ~ErrorBuilder() noexcept(false);
  template <typename T>
  ErrorBuilder& operator<<(const T& v) {
    stream_ << v;
    return *this;
  }

 private:
  ErrorKind kind_;
  std::ostringstream stream_;
};

}  // namespace etch

// A loop rather than if/else so the macro is safe as the body of an unbraced
// if (no dangling else); the builder throws, so the body runs at most once.
#define ETCH_CHECK(cond) \
  while (!(cond)) ::etch::ErrorBuilder(::etch::ErrorKind::Internal, __FILE__, __LINE__) << "check failed: " #cond ": "

#define ETCH_FAIL(kind) ::etch::ErrorBuilder(::etch::ErrorKind::kind, nullptr, 0)

// User-facing validation: ETCH_REQUIRE(cond, InvalidInput) << "file x: ...";
#define ETCH_REQUIRE(cond, kind) \
  while (!(cond)) ETCH_FAIL(kind)
