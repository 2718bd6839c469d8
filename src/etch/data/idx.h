// IDX files (the MNIST / Fashion-MNIST container): a big-endian header
//   0x00 0x00 <type code> <rank>, then <rank> u32 dimensions, then the data,
// read plain or gzip-compressed (detected from the content, not the name).
#pragma once
#include <string>

#include "etch/core/tensor.h"

namespace etch::data {

// Whole file contents, inflated when the file is gzip-compressed; a file that
// is not gzip is returned as is. Throws InvalidInput naming the path when the
// file cannot be opened or the compressed stream is corrupt or truncated.
std::string read_maybe_gzip(const std::string& path);

struct IdxHeader {
  int type_code = 0;  // 0x08 u8 ... 0x0E f64
  Shape shape;
  size_t data_offset = 0;  // payload starts here; its size was checked exactly
};
// Validates the header and the payload size of IDX bytes (errors as below).
IdxHeader parse_idx_header(const std::string& bytes, const std::string& label);

// Parses IDX bytes. Type codes: 0x08 u8, 0x09 i8, 0x0B i16 (widened to i32),
// 0x0C i32, 0x0D f32, 0x0E f64 (narrowed to f32). `label` names the source in
// errors (bad magic, unknown type, truncated or oversized payload).
Tensor parse_idx(const std::string& bytes, const std::string& label);

Tensor read_idx(const std::string& path);

}  // namespace etch::data
