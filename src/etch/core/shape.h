#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace etch {

// Dimensions; -1 marks a dimension unknown until run time (e.g. the batch).
using Shape = std::vector<int64_t>;

// -1 if any dimension is unknown; InvalidInput naming the shape if the count
// passes int64 (a model file can declare any dims).
int64_t shape_numel(const Shape& s);
bool shape_is_static(const Shape& s);
std::string shape_str(const Shape& s);               // "[1,3,28,28]", unknown dims as "?"
std::vector<int64_t> shape_strides(const Shape& s);  // row-major, in elements

}  // namespace etch
