// .npz files for tests, written as numpy.savez does: a stored (uncompressed)
// ZIP archive with one NAME.npy entry per array.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "etch/data/npy.h"

namespace etch::testing {

namespace npz_detail {
inline void put16(std::string& s, uint32_t v) {
  for (int i = 0; i < 2; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}
inline void put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>(v >> (8 * i)));
}
}  // namespace npz_detail

// A minimal stored ZIP archive of the given (name, bytes) entries.
inline std::string zip_stored(const std::vector<std::pair<std::string, std::string>>& entries) {
  using npz_detail::put16;
  using npz_detail::put32;
  std::string out, central;
  for (const auto& [name, data] : entries) {
    const auto crc =
        static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const auto offset = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50);
    put16(out, 20), put16(out, 0), put16(out, 0), put16(out, 0), put16(out, 0);
    put32(out, crc), put32(out, static_cast<uint32_t>(data.size())), put32(out, static_cast<uint32_t>(data.size()));
    put16(out, static_cast<uint32_t>(name.size())), put16(out, 0);
    out += name + data;
    put32(central, 0x02014b50);
    put16(central, 20), put16(central, 20), put16(central, 0), put16(central, 0), put16(central, 0), put16(central, 0);
    put32(central, crc), put32(central, static_cast<uint32_t>(data.size())),
        put32(central, static_cast<uint32_t>(data.size()));
    put16(central, static_cast<uint32_t>(name.size())), put16(central, 0), put16(central, 0), put16(central, 0),
        put16(central, 0);
    put32(central, 0), put32(central, offset);
    central += name;
  }
  const auto cd_offset = static_cast<uint32_t>(out.size());
  out += central;
  put32(out, 0x06054b50);
  put16(out, 0), put16(out, 0), put16(out, static_cast<uint32_t>(entries.size())),
      put16(out, static_cast<uint32_t>(entries.size()));
  put32(out, static_cast<uint32_t>(central.size())), put32(out, cd_offset), put16(out, 0);
  return out;
}

// The bytes of an .npz holding `arrays` (key: the array's name, without .npy).
inline std::string npz_bytes(const std::map<std::string, Tensor>& arrays) {
  std::vector<std::pair<std::string, std::string>> entries;
  for (const auto& [k, t] : arrays) entries.emplace_back(k + ".npy", data::serialize_npy(t));
  return zip_stored(entries);
}

}  // namespace etch::testing
