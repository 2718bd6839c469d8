#include "etch/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "etch/core/progress.h"

namespace etch::data {
namespace {

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

const char* idx_type_name(int code) {
  switch (code) {
    case 0x08:
      return "u8";
    case 0x09:
      return "i8";
    case 0x0B:
      return "i16";
    case 0x0C:
      return "i32";
    case 0x0D:
      return "f32";
    case 0x0E:
      return "f64";
    default:
      return nullptr;
  }
}

int idx_type_size(int code) {
  switch (code) {
    case 0x08:
    case 0x09:
      return 1;
    case 0x0B:
      return 2;
    case 0x0C:
    case 0x0D:
      return 4;
    default:
      return 8;
  }
}

// Big-endian element k of the payload, as the bit pattern of its width.
uint64_t be_word(const unsigned char* p, int size) {
  uint64_t v = 0;
  for (int i = 0; i < size; ++i) v = (v << 8) | p[i];
  return v;
}

// A gzip file ends with the uncompressed size mod 2^32 (ISIZE); reserving it
// avoids regrowing (and re-copying) a 47 MB buffer. Only a hint.
size_t gzip_size_hint(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  unsigned char magic[2] = {0, 0};
  if (!f.read(reinterpret_cast<char*>(magic), 2) || magic[0] != 0x1f || magic[1] != 0x8b) return 0;
  unsigned char tail[4];
  if (!f.seekg(-4, std::ios::end) || !f.read(reinterpret_cast<char*>(tail), 4)) return 0;
  const uint32_t isize =
      uint32_t{tail[0]} | (uint32_t{tail[1]} << 8) | (uint32_t{tail[2]} << 16) | (uint32_t{tail[3]} << 24);
  return std::min<size_t>(isize, size_t{1} << 31) + 1;
}

}  // namespace

std::string read_maybe_gzip(const std::string& path) {
  // gzopen reads non-gzip files transparently, so one code path serves both.
  std::unique_ptr<gzFile_s, int (*)(gzFile)> f(gzopen(path.c_str(), "rb"), gzclose);
  ETCH_REQUIRE(f != nullptr, InvalidInput) << path << ": cannot open (" << std::strerror(errno) << ")";
  gzbuffer(f.get(), 1 << 20);
  std::string out;
  const size_t hint = gzip_size_hint(path);
  out.reserve(hint);
  // Reads in 4 MiB chunks, each a progress step: a bar for large files and a
  // point where Ctrl-C (in Python) stops the read.
  constexpr size_t kChunk = 1 << 22;
  Progress progress("reading " + std::filesystem::path(path).filename().string(),
                    std::max<int64_t>(1, static_cast<int64_t>((hint + kChunk - 1) / kChunk)));
  for (;;) {
    // The read that comes up short ends the loop.
    const size_t old = out.size();
    out.resize(old + kChunk);
    const int n = gzread(f.get(), out.data() + old, static_cast<unsigned>(kChunk));
    if (n < 0) {
      int code = 0;
      const char* msg = gzerror(f.get(), &code);
      ETCH_FAIL(InvalidInput) << path << ": cannot decompress (" << (msg ? msg : "unknown zlib error") << ")";
    }
    out.resize(old + static_cast<size_t>(n));
    if (static_cast<size_t>(n) < kChunk) break;
    progress.advance();
  }
  progress.finish();
  // A gzip stream cut short reads as a short file; zlib flags it on the handle.
  int code = Z_OK;
  const char* msg = gzerror(f.get(), &code);
  ETCH_REQUIRE(code == Z_OK || code == Z_STREAM_END, InvalidInput)
      << path << ": compressed data is corrupt or truncated (" << (msg ? msg : "zlib error") << ")";
  return out;
}

IdxHeader parse_idx_header(const std::string& bytes, const std::string& label) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  ETCH_REQUIRE(bytes.size() >= 4, InvalidInput)
      << label << ": not an IDX file (" << bytes.size() << " bytes, shorter than the 4-byte magic)";
  const int code = p[2];
  const int rank = p[3];
  ETCH_REQUIRE(p[0] == 0 && p[1] == 0 && idx_type_name(code) != nullptr, InvalidInput)
      << label << ": not an IDX file (magic 0x" << std::hex << be32(p)
      << ", expected 0x00000TRR with type T in {08,09,0B,0C,0D,0E}, e.g. 0x00000803 for u8 images)";
  ETCH_REQUIRE(rank >= 1, InvalidInput) << label << ": IDX header declares rank 0";
  const size_t header = 4 + 4 * static_cast<size_t>(rank);
  ETCH_REQUIRE(bytes.size() >= header, InvalidInput)
      << label << ": truncated IDX header (" << bytes.size() << " bytes, rank " << rank << " needs " << header << ")";
  Shape shape;
  size_t count = 1;
  for (int i = 0; i < rank; ++i) {
    const uint32_t d = be32(p + 4 + 4 * i);
    shape.push_back(d);
    // Overflow-safe: 2^32 per dim at most; refuse beyond any plausible file.
    ETCH_REQUIRE(d == 0 || count <= (size_t{1} << 40) / d, InvalidInput)
        << label << ": IDX dimensions " << shape_str(shape) << " are implausibly large";
    count *= d;
  }
  const int esize = idx_type_size(code);
  const size_t expected = header + count * esize;
  ETCH_REQUIRE(bytes.size() >= expected, InvalidInput)
      << label << ": truncated IDX data: header declares " << idx_type_name(code) << " " << shape_str(shape) << " ("
      << expected << " bytes) but the file has " << bytes.size() << " bytes";
  ETCH_REQUIRE(bytes.size() == expected, InvalidInput)
      << label << ": IDX file has " << (bytes.size() - expected) << " unexpected trailing bytes after "
      << idx_type_name(code) << " " << shape_str(shape);

  return IdxHeader{code, shape, header};
}

Tensor parse_idx(const std::string& bytes, const std::string& label) {
  const IdxHeader h = parse_idx_header(bytes, label);
  const int code = h.type_code;
  const Shape& shape = h.shape;
  const size_t count = static_cast<size_t>(shape_numel(shape));
  const unsigned char* src = reinterpret_cast<const unsigned char*>(bytes.data()) + h.data_offset;
  switch (code) {
    case 0x08:
    case 0x09: {
      Tensor t(code == 0x08 ? DType::U8 : DType::I8, shape);
      if (count) std::memcpy(t.raw(), src, count);
      return t;
    }
    case 0x0B: {
      Tensor t(DType::I32, shape);
      auto* d = t.data<int32_t>();
      for (size_t i = 0; i < count; ++i) d[i] = static_cast<int16_t>(be_word(src + 2 * i, 2));
      return t;
    }
    case 0x0C: {
      Tensor t(DType::I32, shape);
      auto* d = t.data<int32_t>();
      for (size_t i = 0; i < count; ++i) d[i] = static_cast<int32_t>(be_word(src + 4 * i, 4));
      return t;
    }
    case 0x0D: {
      Tensor t(DType::F32, shape);
      auto* d = t.data<float>();
      for (size_t i = 0; i < count; ++i) {
        const auto w = static_cast<uint32_t>(be_word(src + 4 * i, 4));
        std::memcpy(&d[i], &w, 4);
      }
      return t;
    }
    default: {
      Tensor t(DType::F32, shape);
      auto* d = t.data<float>();
      for (size_t i = 0; i < count; ++i) {
        const uint64_t w = be_word(src + 8 * i, 8);
        double v;
        std::memcpy(&v, &w, 8);
        d[i] = static_cast<float>(v);
      }
      return t;
    }
  }
}

Tensor read_idx(const std::string& path) { return parse_idx(read_maybe_gzip(path), path); }

}  // namespace etch::data
