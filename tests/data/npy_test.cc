#include "etch/data/npy.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>

#include "data/temp_dir.h"
#include "etch/core/atomic_file.h"
#include "etch/data/zip_reader.h"

namespace etch::data {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Builds a .npy file by hand: magic, version, little-endian header length, header, data.
std::string make_npy(const std::string& dict, const std::string& data, int major = 1) {
  std::string header = dict;
  while ((header.size() + 1 + (major == 1 ? 10 : 12)) % 64 != 0) header.push_back(' ');
  header.push_back('\n');
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  const int len_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < len_bytes; ++i) out.push_back(static_cast<char>((header.size() >> (8 * i)) & 0xFF));
  return out + header + data;
}

template <typename T>
std::string raw_bytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput);
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

// bytes with s[at..] overwritten by `with`.
std::string patched(std::string s, size_t at, const std::string& with) {
  for (size_t i = 0; i < with.size(); ++i) s[at + i] = with[i];
  return s;
}

std::string from_hex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

TEST(Npy, ReadsFloat32V1) {
  std::vector<float> v = {1.5f, -2.0f, 3.25f, 0.0f, 7.0f, -0.5f};
  Tensor t = parse_npy(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", raw_bytes(v)), "a.npy");
  ASSERT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(t.data<float>()[i], v[i]);
}

TEST(Npy, ReadsVersion2And3Headers) {
  std::vector<int32_t> v = {7, -8, 9};
  for (int major : {2, 3}) {
    Tensor t =
        parse_npy(make_npy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", raw_bytes(v), major), "b");
    ASSERT_EQ(t.dtype(), DType::I32);
    EXPECT_EQ(t.shape(), (Shape{3}));
    EXPECT_EQ(t.data<int32_t>()[1], -8);
  }
}

TEST(Npy, ReadsEveryIntegerTypeBoolAndScalar) {
  Tensor i1 = parse_npy(make_npy("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), }", "\xff\x05"), "x");
  EXPECT_EQ(i1.dtype(), DType::I8);
  EXPECT_EQ(i1.data<int8_t>()[0], -1);
  Tensor u1 = parse_npy(make_npy("{'descr': '|u1', 'fortran_order': False, 'shape': (2,), }", "\xff\x05"), "x");
  EXPECT_EQ(u1.data<uint8_t>()[0], 255);
  Tensor i8 = parse_npy(
      make_npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", raw_bytes(std::vector<int64_t>{-3})), "x");
  EXPECT_EQ(i8.data<int64_t>()[0], -3);
  Tensor b1 = parse_npy(
      make_npy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", std::string("\x01\x00\x01", 3)), "x");
  ASSERT_EQ(b1.dtype(), DType::Bool);
  EXPECT_TRUE(b1.data<bool>()[0]);
  EXPECT_FALSE(b1.data<bool>()[1]);
  Tensor s = parse_npy(
      make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (), }", raw_bytes(std::vector<float>{4.0f})), "x");
  EXPECT_EQ(s.rank(), 0);
  EXPECT_EQ(s.data<float>()[0], 4.0f);
  // Keys in another order and double quotes are still a valid Python dict.
  Tensor e = parse_npy(make_npy("{\"shape\": (0, 4), \"fortran_order\": False, \"descr\": \"<f4\"}", ""), "x");
  EXPECT_EQ(e.shape(), (Shape{0, 4}));
}

TEST(Npy, Float64IsConvertedToFloat32) {
  Tensor t = parse_npy(
      make_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", raw_bytes(std::vector<double>{0.1, -1e3})),
      "d.npy");
  ASSERT_EQ(t.dtype(), DType::F32);
  EXPECT_EQ(t.data<float>()[0], 0.1f);
  EXPECT_EQ(t.data<float>()[1], -1000.0f);
}

TEST(Npy, UnsupportedDtypeNamesFileAndDtype) {
  std::string msg = error_of(
      [] { parse_npy(make_npy("{'descr': '<f2', 'fortran_order': False, 'shape': (1,), }", "ab"), "half.npy"); });
  EXPECT_NE(msg.find("half.npy"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'<f2'"), std::string::npos) << msg;
  msg = error_of(
      [] { parse_npy(make_npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", "abcd"), "big.npy"); });
  EXPECT_NE(msg.find("'>f4'"), std::string::npos) << msg;
}

TEST(Npy, FortranOrderIsRefused) {
  std::string msg = error_of(
      [] { parse_npy(make_npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1,), }", "abcd"), "f.npy"); });
  EXPECT_NE(msg.find("f.npy: fortran_order"), std::string::npos) << msg;
}

TEST(Npy, CorruptHeadersAreInvalidInput) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "too short"},
      {"NOTNUMPYATALL....", "magic"},
      {patched(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "abcd"), 6, "\x09"), "version"},
      {patched(make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", "abcd"), 8, "\xff\xff"),
       "header length"},
      {make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", ""), "non-negative"},
      {make_npy("{'descr': '<f4', 'fortran_order': False, }", ""), "missing"},
      {make_npy("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (1,), }", "abcd"), "True or False"},
      {make_npy("{'descr': '<f4' 'fortran_order': False, 'shape': (1,), }", "abcd"), "expected"},
      {make_npy("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 9999999), }", ""),
       "too large"},
  };
  for (const auto& [bytes, why] : cases) {
    std::string msg = error_of([&] { parse_npy(bytes, "bad.npy"); });
    EXPECT_EQ(msg.rfind("bad.npy: corrupt .npy header (", 0), 0u) << msg;
    EXPECT_NE(msg.find(why), std::string::npos) << msg;
  }
}

TEST(Npy, TruncatedAndOverlongDataAreInvalidInput) {
  const std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";
  std::string msg = error_of([&] { parse_npy(make_npy(dict, std::string(15, 'x')), "t.npy"); });
  EXPECT_NE(msg.find("t.npy: truncated .npy data"), std::string::npos) << msg;
  EXPECT_NE(msg.find("needs 16 bytes, file has 15"), std::string::npos) << msg;
  msg = error_of([&] { parse_npy(make_npy(dict, std::string(17, 'x')), "t.npy"); });
  EXPECT_NE(msg.find("1 unexpected bytes"), std::string::npos) << msg;
}

TEST(Npy, SerializeRoundTripsAndMatchesNumpyLayout) {
  Tensor t = Tensor::from_vector<int64_t>({3}, {1, -2, 1LL << 40});
  std::string bytes = serialize_npy(t);
  // NumPy's own layout: the data starts at a multiple of 64 and the header ends in '\n'.
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  EXPECT_EQ((10 + header_len) % 64, 0u);
  EXPECT_EQ(bytes[10 + header_len - 1], '\n');
  EXPECT_NE(bytes.find("'shape': (3,)"), std::string::npos);
  EXPECT_NE(bytes.find("'descr': '<i8'"), std::string::npos);
  Tensor back = parse_npy(bytes, "rt");
  EXPECT_TRUE(back.equals(t));

  for (const Tensor& u : {Tensor::from_vector<float>({2, 1, 2}, {1, 2, 3, 4}), Tensor::scalar<int8_t>(-5),
                          Tensor::from_vector<bool>({2}, {true, false}), Tensor::from_vector<uint8_t>({0, 3}, {})}) {
    Tensor r = parse_npy(serialize_npy(u), "rt");
    EXPECT_TRUE(r.equals(u)) << dtype_name(u.dtype()) << shape_str(u.shape());
  }
}

TEST(Npy, WriteIsAtomicAndReadBack) {
  TempDir dir;
  Tensor t = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4});
  write_npy(dir.path("t.npy"), t);
  EXPECT_TRUE(read_npy(dir.path("t.npy")).equals(t));
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1u);  // no temporary left behind
  std::string msg = error_of([&] { write_npy(dir.path("missing_folder/t.npy"), t); });
  EXPECT_NE(msg.find("missing_folder/t.npy"), std::string::npos) << msg;
  msg = error_of([&] { read_npy(dir.path("nope.npy")); });
  EXPECT_NE(msg.find("nope.npy"), std::string::npos) << msg;
}

// np.savez_compressed(b, x=np.arange(6, dtype=np.float32).reshape(2, 3), y=np.array([1, -2]))
// with NumPy 1.24 (deflate entries with ZIP64 extra fields in the local headers).
const char* kNumpyCompressedNpz =
    "504b0304140000000800000021004fe9002a550000009800000005001400782e6e707901001000980000000000000055000000000000009b"
    "ec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9366a2aea3a09e965f54529498179f5f94920a12774bcc294e058a17672416a402f91a"
    "463a0ac69a3a0ab50a64032e063068b007120e4004c40d40bcc00100504b0304140000000800000021009afbf5234b000000900000000500"
    "1400792e6e70790100100090000000000000004b000000000000009bec17ea1b10c9c850c650ad9e925a9c5ca46ea5a06e9369a1aea3a09e"
    "965f54529498179f5f94920a12774bcc294e058a17672416a402f91a463a9a3a0ab50a14002e460608f8f71f0200504b0102140314000000"
    "0800000021004fe9002a5500000098000000050000000000000000000000800100000000782e6e7079504b01021403140000000800000021"
    "009afbf5234b0000009000000005000000000000000000000080018c000000792e6e7079504b05060000000002000200660000000e010000"
    "0000";
// np.savez(b, a=np.array([True, False, True])): one stored entry.
const char* kNumpyStoredNpz =
    "504b03041400000000000000210016938cbb830000008300000005001400612e6e7079010010008300000000000000830000000000000093"
    "4e554d5059010076007b276465736372273a20277c6231272c2027666f727472616e5f6f72646572273a2046616c73652c20277368617065"
    "273a2028332c292c207d20202020202020202020202020202020202020202020202020202020202020202020202020202020202020202020"
    "20202020202020202020202020200a010001504b010214031400000000000000210016938cbb830000008300000005000000000000000000"
    "0000800100000000612e6e7079504b0506000000000100010033000000ba0000000000";

TEST(Npz, ReadsNumpyDeflateAndStoredArchives) {
  TempDir dir;
  write_file_atomic(dir.path("c.npz"), from_hex(kNumpyCompressedNpz));
  auto m = read_npz(dir.path("c.npz"));
  ASSERT_EQ(m.size(), 2u);
  ASSERT_EQ(m.at("x").shape(), (Shape{2, 3}));
  for (int i = 0; i < 6; ++i) EXPECT_EQ(m.at("x").data<float>()[i], static_cast<float>(i));
  ASSERT_EQ(m.at("y").dtype(), DType::I64);
  EXPECT_EQ(m.at("y").data<int64_t>()[1], -2);

  write_file_atomic(dir.path("s.npz"), from_hex(kNumpyStoredNpz));
  auto s = read_npz(dir.path("s.npz"));
  ASSERT_EQ(s.count("a"), 1u);
  EXPECT_EQ(s.at("a").to_int64_vector(), (std::vector<int64_t>{1, 0, 1}));
}

TEST(Npz, CorruptArchivesNameTheFileAndEntry) {
  std::string good = from_hex(kNumpyCompressedNpz);
  // Flip one byte of the first entry's deflate stream: the CRC (or inflate) must catch it.
  std::string flipped = good;
  flipped[80] = static_cast<char>(flipped[80] ^ 0x55);
  std::string msg = error_of([&] { read_zip(flipped, "c.npz"); });
  EXPECT_EQ(msg.rfind("c.npz: corrupt zip archive (", 0), 0u) << msg;
  EXPECT_NE(msg.find("x.npy"), std::string::npos) << msg;
  msg = error_of([&] { read_zip(good.substr(0, good.size() - 30), "cut.npz"); });
  EXPECT_NE(msg.find("cut.npz: corrupt zip archive"), std::string::npos) << msg;
  // A stated size deflate cannot reach (found by fuzz_npz): refused before anything is allocated.
  std::string inflated = good;
  const size_t central = inflated.find("PK\x01\x02");
  ASSERT_NE(central, std::string::npos);
  for (int i = 0; i < 4; ++i) inflated[central + 24 + i] = static_cast<char>(i == 3 ? 0xF0 : 0x00);
  msg = error_of([&] { read_zip(inflated, "big.npz"); });
  EXPECT_NE(msg.find("big.npz: corrupt zip archive (entry 'x.npy' states 4026531840 bytes from 85 compressed"),
            std::string::npos)
      << msg;
  msg = error_of([&] { read_zip("not a zip file at all, definitely not", "txt.npz"); });
  EXPECT_NE(msg.find("end-of-central-directory"), std::string::npos) << msg;
  // An entry that is not an .npy inside a valid archive: the label names archive and entry.
  std::string stored = from_hex(kNumpyStoredNpz);
  stored[0x37] = 'X';  // first magic byte of the embedded .npy (CRC updated below)
  const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(stored.data() + 0x37), 0x83));
  for (size_t at : {size_t{14}, size_t{0xba + 16}})
    for (int i = 0; i < 4; ++i) stored[at + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  TempDir dir;
  write_file_atomic(dir.path("e.npz"), stored);
  msg = error_of([&] { read_npz(dir.path("e.npz")); });
  EXPECT_NE(msg.find("e.npz:a.npy: corrupt .npy header (missing"), std::string::npos) << msg;
}

}  // namespace
}  // namespace etch::data
