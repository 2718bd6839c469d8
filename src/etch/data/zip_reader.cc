// Walks the central directory (not the local headers: streamed writers such as
// Python's zipfile may leave sizes out of them) and inflates each entry with
// zlib's raw inflate.
#include "etch/data/zip_reader.h"

#include <zlib.h>

#include <cstdint>

#include "etch/core/error.h"

namespace etch::data {
namespace {

constexpr uint32_t kEocdSig = 0x06054b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kZip64EocdSig = 0x06064b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kLocalSig = 0x04034b50;

class Reader {
 public:
  Reader(const std::string& b, const std::string& label) : b_(b), label_(label) {}

  [[noreturn]] void fail(const std::string& why) const {
    ETCH_FAIL(InvalidInput) << label_ << ": corrupt zip archive (" << why << ")";
  }
  uint64_t le(uint64_t at, int n) const {
    if (at > b_.size() || static_cast<uint64_t>(n) > b_.size() - at) fail("record runs past the end of the file");
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b_[at + i]);
    return v;
  }
  uint16_t u16(uint64_t at) const { return static_cast<uint16_t>(le(at, 2)); }
  uint32_t u32(uint64_t at) const { return static_cast<uint32_t>(le(at, 4)); }
  uint64_t u64(uint64_t at) const { return le(at, 8); }
  size_t size() const { return b_.size(); }
  const std::string& bytes() const { return b_; }

 private:
  const std::string& b_;
  const std::string& label_;
};

std::string inflate_raw(const Reader& r, const char* src, uint64_t n, uint64_t out_size, const std::string& name) {
  std::string out(out_size, '\0');
  z_stream zs{};
  if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) r.fail("zlib init failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(src));
  zs.avail_in = static_cast<uInt>(n);
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out_size);
  int rc = inflate(&zs, Z_FINISH);
  uint64_t produced = zs.total_out;
  inflateEnd(&zs);
  if (rc != Z_STREAM_END || produced != out_size) r.fail("entry '" + name + "' does not inflate to its stated size");
  return out;
}

}  // namespace

std::vector<ZipEntry> read_zip(const std::string& bytes, const std::string& label) {
  Reader r(bytes, label);
  if (bytes.size() < 22) r.fail("file too short");
  // The end-of-central-directory record sits in the last 22 + 65535 bytes.
  int64_t eocd = -1;
  const int64_t lowest = std::max<int64_t>(0, static_cast<int64_t>(bytes.size()) - 22 - 65535);
  for (int64_t p = static_cast<int64_t>(bytes.size()) - 22; p >= lowest; --p) {
    if (r.u32(p) == kEocdSig) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) r.fail("no end-of-central-directory record");
  uint64_t count = r.u16(eocd + 10);
  uint64_t cd_offset = r.u32(eocd + 16);
  if (count == 0xFFFF || cd_offset == 0xFFFFFFFF) {
    if (eocd < 20 || r.u32(eocd - 20) != kZip64LocatorSig) r.fail("missing ZIP64 locator");
    uint64_t z64 = r.u64(eocd - 20 + 8);
    if (r.u32(z64) != kZip64EocdSig) r.fail("bad ZIP64 end record");
    count = r.u64(z64 + 32);
    cd_offset = r.u64(z64 + 48);
  }
  if (count > bytes.size() / 46 + 1) r.fail("implausible entry count");

  std::vector<ZipEntry> out;
  uint64_t p = cd_offset;
  for (uint64_t i = 0; i < count; ++i) {
    if (r.u32(p) != kCentralSig) r.fail("bad central directory entry " + std::to_string(i));
    const uint16_t flags = r.u16(p + 8);
    const uint16_t method = r.u16(p + 10);
    const uint32_t crc = r.u32(p + 16);
    uint64_t csize = r.u32(p + 20), usize = r.u32(p + 24);
    const uint16_t name_len = r.u16(p + 28), extra_len = r.u16(p + 30), comment_len = r.u16(p + 32);
    uint64_t local = r.u32(p + 42);
    r.le(p + 46, name_len + extra_len + comment_len);  // bounds check
    ZipEntry e;
    e.name = bytes.substr(p + 46, name_len);
    // ZIP64 extra field: the 64-bit values of whichever 32-bit fields are saturated, in order.
    for (uint64_t x = p + 46 + name_len; x + 4 <= p + 46 + name_len + extra_len;) {
      const uint16_t id = r.u16(x), len = r.u16(x + 2);
      if (id == 0x0001) {
        uint64_t q = x + 4;
        if (usize == 0xFFFFFFFF) usize = r.u64(q), q += 8;
        if (csize == 0xFFFFFFFF) csize = r.u64(q), q += 8;
        if (local == 0xFFFFFFFF) local = r.u64(q);
      }
      x += 4 + len;
    }
    p += 46 + name_len + extra_len + comment_len;
    if (flags & 1) r.fail("entry '" + e.name + "' is encrypted");
    if (r.u32(local) != kLocalSig) r.fail("bad local header for entry '" + e.name + "'");
    const uint64_t data_at = local + 30 + r.u16(local + 26) + r.u16(local + 28);
    if (data_at > bytes.size() || csize > bytes.size() - data_at) r.fail("entry '" + e.name + "' is truncated");
    // zlib's counters are 32-bit; larger entries are not plausible .npz members here.
    if (usize > 0xFFFFFFFFu || csize > 0xFFFFFFFFu) r.fail("entry '" + e.name + "' is larger than 4 GiB");
    if (method == 0) {
      if (csize != usize) r.fail("stored entry '" + e.name + "' has different sizes");
      e.data = bytes.substr(data_at, csize);
    } else if (method == 8) {
      // Deflate expands at most 1032:1 (258-byte matches coded in 2 bits), so
      // a larger stated size is a corrupt header; checked before the output
      // is allocated, or a 200-byte file could ask for gigabytes.
      if (usize > csize * 1032 + 1024)
        r.fail("entry '" + e.name + "' states " + std::to_string(usize) + " bytes from " + std::to_string(csize) +
               " compressed (deflate cannot expand more than 1032:1)");
      e.data = inflate_raw(r, bytes.data() + data_at, csize, usize, e.name);
    } else {
      ETCH_FAIL(InvalidInput) << label << ": zip entry '" << e.name << "' uses compression method " << method
                              << " (only stored and deflate are supported)";
    }
    const uLong got = crc32_z(0L, reinterpret_cast<const Bytef*>(e.data.data()), e.data.size());
    if (got != crc) r.fail("CRC mismatch in entry '" + e.name + "'");
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace etch::data
