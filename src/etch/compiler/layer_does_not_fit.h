// A layer whose smallest tile the target's buffers cannot hold (a global
// pool over a large image, an element-wise op on rows wider than the input
// buffer, a conv on a target too small for it). compile() then runs that
// layer on the host, with this message as its placement reason, and
// compiles the rest again.
#pragma once
#include <string>

#include "etch/core/error.h"

namespace etch::compiler {

class LayerDoesNotFit : public Error {
 public:
  explicit LayerDoesNotFit(const std::string& message) : Error(ErrorKind::InvalidInput, message) {}
};

}  // namespace etch::compiler
