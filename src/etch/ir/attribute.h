#pragma once
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "etch/core/tensor.h"

namespace etch::ir {

using Attribute = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>,
                               std::vector<std::string>, Tensor>;

std::string attribute_str(const Attribute& a);  // short human-readable form
bool attribute_equal(const Attribute& a, const Attribute& b);

}  // namespace etch::ir
