// NumPy .npy / .npz reading and .npy writing (little-endian, C order).
#pragma once
#include <map>
#include <string>

#include "etch/core/tensor.h"

namespace etch::data {

Tensor read_npy(const std::string& path);  // throws InvalidInput naming the file
Tensor parse_npy(const std::string& bytes, const std::string& label);
std::string serialize_npy(const Tensor& t);
void write_npy(const std::string& path, const Tensor& t);         // atomic
std::map<std::string, Tensor> read_npz(const std::string& path);  // stored (uncompressed) or deflate entries

}  // namespace etch::data
