#include "etch/core/error.h"

namespace etch {

const char* error_kind_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::InvalidInput:
      return "invalid input";
    case ErrorKind::Unsupported:
      return "unsupported";
    case ErrorKind::Internal:
      return "internal error";
  }
  return "error";
}

ErrorBuilder::ErrorBuilder(ErrorKind kind, const char* file, int line) : kind_(kind) {
  if (file != nullptr) stream_ << file << ":" << line << ": ";
}

ErrorBuilder::~ErrorBuilder() noexcept(false) { throw Error(kind_, stream_.str()); }

}  // namespace etch
