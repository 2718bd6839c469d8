// .npy format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
// Header: "\x93NUMPY", major, minor, header length (u16 for v1, u32 for v2/v3),
// then a Python dict literal {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline. Only little-endian C-order arrays are read.
#include "etch/data/npy.h"

#include <cctype>
#include <cstring>
#include <limits>
#include <sstream>

#include "etch/core/atomic_file.h"
#include "etch/core/error.h"
#include "etch/data/zip_reader.h"

namespace etch::data {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

[[noreturn]] void corrupt(const std::string& label, const std::string& why) {
  ETCH_FAIL(InvalidInput) << label << ": corrupt .npy header (" << why << ")";
}

// Minimal reader for the header's Python literal: a dict with string keys whose
// values are strings, booleans or tuples of integers.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& label) : s_(text), label_(label) {}

  struct Fields {
    std::string descr;
    bool fortran_order = false;
    Shape shape;
    bool has_descr = false, has_fortran = false, has_shape = false;
  };

  Fields parse() {
    Fields f;
    expect('{');
    while (true) {
      skip_ws();
      if (peek() == '}') break;
      std::string key = parse_string();
      expect(':');
      skip_ws();
      if (key == "descr") {
        f.descr = parse_string();
        f.has_descr = true;
      } else if (key == "fortran_order") {
        f.fortran_order = parse_bool();
        f.has_fortran = true;
      } else if (key == "shape") {
        f.shape = parse_tuple();
        f.has_shape = true;
      } else {
        corrupt(label_, "unexpected key '" + key + "'");
      }
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() == '}') break;
      corrupt(label_, std::string("expected ',' or '}' at offset ") + std::to_string(pos_));
    }
    ++pos_;
    if (!f.has_descr || !f.has_fortran || !f.has_shape) corrupt(label_, "missing 'descr', 'fortran_order' or 'shape'");
    return f;
  }

 private:
  char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  void expect(char c) {
    skip_ws();
    if (peek() != c) corrupt(label_, std::string("expected '") + c + "' at offset " + std::to_string(pos_));
    ++pos_;
  }
  std::string parse_string() {
    skip_ws();
    char q = peek();
    if (q != '\'' && q != '"') corrupt(label_, "expected a quoted string at offset " + std::to_string(pos_));
    size_t end = s_.find(q, pos_ + 1);
    if (end == std::string::npos) corrupt(label_, "unterminated string");
    std::string out = s_.substr(pos_ + 1, end - pos_ - 1);
    pos_ = end + 1;
    return out;
  }
  bool parse_bool() {
    if (s_.compare(pos_, 4, "True") == 0) {
      pos_ += 4;
      return true;
    }
    if (s_.compare(pos_, 5, "False") == 0) {
      pos_ += 5;
      return false;
    }
    corrupt(label_, "fortran_order is not True or False");
  }
  Shape parse_tuple() {
    expect('(');
    Shape shape;
    while (true) {
      skip_ws();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek())))
        corrupt(label_, "shape entries must be non-negative integers");
      int64_t v = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (v > (std::numeric_limits<int64_t>::max() - 9) / 10) corrupt(label_, "shape entry too large");
        v = v * 10 + (s_[pos_++] - '0');
      }
      if (peek() == 'L') ++pos_;  // Python 2 long suffix
      shape.push_back(v);
      skip_ws();
      if (peek() == ',') {
        ++pos_;
        continue;
      }
      if (peek() != ')') corrupt(label_, "expected ',' or ')' in shape");
    }
    ++pos_;
    return shape;
  }

  const std::string& s_;
  const std::string& label_;
  size_t pos_ = 0;
};

struct DescrInfo {
  DType dtype;
  size_t file_elem_size;
  bool from_f64 = false;  // stored as float64, converted to float32 on read
};

DescrInfo parse_descr(const std::string& descr, const std::string& label) {
  // '|' (not applicable) and '<' (little endian) are both fine for 1-byte types;
  // '=' is native order, which is little-endian on every machine etch supports.
  std::string d = descr;
  if (d.size() == 3 && (d[0] == '|' || d[0] == '=' || (d[0] == '<'))) d[0] = '<';
  if (d == "<f4") return {DType::F32, 4};
  if (d == "<f8") return {DType::F32, 8, true};
  if (d == "<i1") return {DType::I8, 1};
  if (d == "<u1") return {DType::U8, 1};
  if (d == "<i4") return {DType::I32, 4};
  if (d == "<i8") return {DType::I64, 8};
  if (d == "<b1") return {DType::Bool, 1};
  ETCH_FAIL(InvalidInput) << label << ": .npy dtype '" << descr
                          << "' is not supported (expected one of <f4 <f8 |i1 |u1 <i4 <i8 |b1, little-endian)";
}

const char* descr_of(DType t) {
  switch (t) {
    case DType::F32:
      return "<f4";
    case DType::I8:
      return "|i1";
    case DType::U8:
      return "|u1";
    case DType::I32:
      return "<i4";
    case DType::I64:
      return "<i8";
    case DType::Bool:
      return "|b1";
    case DType::I4:
      return "|i1";  // widened: NumPy has no 4-bit type
  }
  return "?";
}

uint32_t read_le(const std::string& b, size_t at, int n) {
  uint32_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}

}  // namespace

Tensor parse_npy(const std::string& bytes, const std::string& label) {
  if (bytes.size() < 10) corrupt(label, "file has " + std::to_string(bytes.size()) + " bytes, too short");
  if (bytes.compare(0, kMagicLen, kMagic, kMagicLen) != 0) corrupt(label, "missing \\x93NUMPY magic");
  const int major = static_cast<uint8_t>(bytes[6]);
  if (major < 1 || major > 3) corrupt(label, "unknown format version " + std::to_string(major));
  const size_t len_bytes = major == 1 ? 2 : 4;
  const size_t prefix = 8 + len_bytes;
  if (bytes.size() < prefix) corrupt(label, "file ends inside the header length");
  const size_t header_len = read_le(bytes, 8, static_cast<int>(len_bytes));
  if (header_len > bytes.size() - prefix)
    corrupt(label, "header length " + std::to_string(header_len) + " exceeds the file size");
  const std::string header = bytes.substr(prefix, header_len);
  HeaderParser::Fields f = HeaderParser(header, label).parse();
  DescrInfo info = parse_descr(f.descr, label);
  ETCH_REQUIRE(!f.fortran_order, InvalidInput)
      << label << ": fortran_order=True arrays are not supported (save a C-order array, "
      << "e.g. np.save(path, np.ascontiguousarray(a)))";

  // Count elements with an overflow guard before allocating anything: a corrupt
  // header must not trigger a huge allocation.
  const size_t data_bytes = bytes.size() - prefix - header_len;
  uint64_t numel = 1;
  for (int64_t d : f.shape) {
    if (d != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / static_cast<uint64_t>(d))
      corrupt(label, "shape " + shape_str(f.shape) + " is too large");
    numel *= static_cast<uint64_t>(d);
  }
  const uint64_t need = numel * info.file_elem_size;
  ETCH_REQUIRE(need <= data_bytes, InvalidInput)
      << label << ": truncated .npy data (shape " << shape_str(f.shape) << " of " << f.descr << " needs " << need
      << " bytes, file has " << data_bytes << ")";
  ETCH_REQUIRE(need == data_bytes, InvalidInput) << label << ": .npy file has " << (data_bytes - need)
                                                 << " unexpected bytes after the data of shape " << shape_str(f.shape);

  Tensor t(info.dtype, f.shape);
  const char* src = bytes.data() + prefix + header_len;
  if (info.from_f64) {
    float* dst = t.data<float>();
    for (uint64_t i = 0; i < numel; ++i) {
      double v;
      std::memcpy(&v, src + i * 8, 8);
      dst[i] = static_cast<float>(v);
    }
  } else if (info.dtype == DType::Bool) {
    bool* dst = t.data<bool>();
    for (uint64_t i = 0; i < numel; ++i) dst[i] = src[i] != 0;
  } else if (need > 0) {
    std::memcpy(t.raw(), src, need);
  }
  return t;
}

Tensor read_npy(const std::string& path) { return parse_npy(read_file(path), path); }

std::string serialize_npy(const Tensor& t) {
  ETCH_CHECK(t.defined()) << "serialize_npy of an undefined tensor";
  std::ostringstream h;
  h << "{'descr': '" << descr_of(t.dtype()) << "', 'fortran_order': False, 'shape': (";
  for (size_t i = 0; i < t.shape().size(); ++i) {
    h << t.shape()[i];
    if (t.shape().size() == 1 || i + 1 < t.shape().size()) h << ",";
    if (i + 1 < t.shape().size()) h << " ";
  }
  h << "), }";
  std::string header = h.str();
  // Pad so that the data starts on a 64-byte boundary, as NumPy does.
  const bool v2 = header.size() + 1 + 10 > 65535;
  const size_t prefix = v2 ? 12 : 10;
  size_t total = prefix + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');

  std::string out(kMagic, kMagicLen);
  out.push_back(static_cast<char>(v2 ? 2 : 1));
  out.push_back(0);
  const uint32_t len = static_cast<uint32_t>(header.size());
  for (size_t i = 0; i < (v2 ? 4u : 2u); ++i) out.push_back(static_cast<char>((len >> (8 * i)) & 0xFF));
  out += header;
  if (t.dtype() == DType::I4) {
    for (int64_t i = 0; i < t.numel(); ++i) out.push_back(static_cast<char>(static_cast<int8_t>(t.get_as_double(i))));
  } else {
    out.append(reinterpret_cast<const char*>(t.raw()), t.nbytes());
  }
  return out;
}

void write_npy(const std::string& path, const Tensor& t) { write_file_atomic(path, serialize_npy(t)); }

std::map<std::string, Tensor> read_npz(const std::string& path) {
  std::map<std::string, Tensor> out;
  for (ZipEntry& e : read_zip(read_file(path), path)) {
    std::string key = e.name;
    if (key.size() > 4 && key.compare(key.size() - 4, 4, ".npy") == 0) key.resize(key.size() - 4);
    out[key] = parse_npy(e.data, path + ":" + e.name);
  }
  return out;
}

}  // namespace etch::data
