#include "etch/data/idx.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "data/temp_dir.h"

namespace etch::data {
namespace {

using testing::TempDir;

std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string idx_header(int type, const std::vector<uint32_t>& dims) {
  std::string s = {0, 0, static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims) s += be32(d);
  return s;
}

// A 2x3x2 u8 "image stack" with values 0..11.
std::string small_images() {
  std::string s = idx_header(0x08, {2, 3, 2});
  for (int i = 0; i < 12; ++i) s.push_back(static_cast<char>(i * 20));
  return s;
}

std::string write_gz(const TempDir& dir, const std::string& name, const std::string& bytes) {
  const std::string path = dir.path(name);
  gzFile f = gzopen(path.c_str(), "wb");
  EXPECT_NE(f, nullptr);
  EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(f);
  return path;
}

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidInput) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error thrown";
  return "";
}

void expect_small_images(const Tensor& t) {
  ASSERT_EQ(t.dtype(), DType::U8);
  ASSERT_EQ(t.shape(), (Shape{2, 3, 2}));
  for (int i = 0; i < 12; ++i) EXPECT_EQ(t.data<uint8_t>()[i], i * 20);
}

TEST(Idx, ReadsGzipCompressedU8) {
  TempDir dir;
  expect_small_images(read_idx(write_gz(dir, "imgs.gz", small_images())));
}

TEST(Idx, ReadsUncompressedU8) {
  TempDir dir;
  expect_small_images(read_idx(dir.write("imgs-idx3-ubyte", small_images())));
}

TEST(Idx, DecodesBigEndianWideTypes) {
  std::string s = idx_header(0x0C, {2}) + be32(0x01020304) + be32(0xFFFFFFFE);
  Tensor t = parse_idx(s, "mem");
  ASSERT_EQ(t.dtype(), DType::I32);
  EXPECT_EQ(t.data<int32_t>()[0], 0x01020304);
  EXPECT_EQ(t.data<int32_t>()[1], -2);

  std::string h = idx_header(0x0B, {1}) + std::string{static_cast<char>(0xFF), static_cast<char>(0x9C)};
  EXPECT_EQ(parse_idx(h, "mem").data<int32_t>()[0], -100);  // 0xFF9C as i16

  std::string f = idx_header(0x0D, {1}) + be32(0x3FC00000);  // 1.5f
  EXPECT_EQ(parse_idx(f, "mem").data<float>()[0], 1.5f);
}

TEST(Idx, LabelsFileIsRankOne) {
  std::string s = idx_header(0x08, {3}) + std::string{9, 0, 3};
  Tensor t = parse_idx(s, "labels");
  EXPECT_EQ(t.shape(), (Shape{3}));
  EXPECT_EQ(t.to_int64_vector(), (std::vector<int64_t>{9, 0, 3}));
}

TEST(Idx, BadMagicNamesFile) {
  TempDir dir;
  std::string s = small_images();
  s[0] = 0x12;
  const std::string path = dir.write("bad.idx", s);
  const std::string msg = error_of([&] { read_idx(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("not an IDX file"), std::string::npos) << msg;
  EXPECT_NE(msg.find("12000803"), std::string::npos) << msg;

  std::string unknown_type = idx_header(0x07, {1}) + "x";
  EXPECT_NE(error_of([&] { parse_idx(unknown_type, "t.idx"); }).find("t.idx: not an IDX file"), std::string::npos);
}

TEST(Idx, TruncatedDataNamesFileAndSizes) {
  TempDir dir;
  std::string s = small_images();
  s.resize(s.size() - 5);
  const std::string path = write_gz(dir, "short.gz", s);
  const std::string msg = error_of([&] { read_idx(path); });
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated IDX data"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2,3,2]"), std::string::npos) << msg;

  const std::string header_only = idx_header(0x08, {2, 3, 2}).substr(0, 9);
  EXPECT_NE(error_of([&] { parse_idx(header_only, "h"); }).find("truncated IDX header"), std::string::npos);
  EXPECT_NE(error_of([&] { parse_idx("ab", "tiny"); }).find("tiny: not an IDX file"), std::string::npos);
}

TEST(Idx, TrailingBytesAreRejected) {
  std::string s = small_images() + "zz";
  EXPECT_NE(error_of([&] { parse_idx(s, "long"); }).find("2 unexpected trailing bytes"), std::string::npos);
}

TEST(Idx, CutGzipStreamIsReported) {
  TempDir dir;
  // Incompressible-ish payload so that cutting the file loses data mid-stream.
  std::string s = idx_header(0x08, {4000});
  uint32_t x = 1;
  for (int i = 0; i < 4000; ++i) s.push_back(static_cast<char>((x = x * 1664525u + 1013904223u) >> 24));
  const std::string full = write_gz(dir, "full.gz", s);
  std::string gz = read_maybe_gzip(full);  // sanity: round trip
  EXPECT_EQ(gz, s);
  std::ifstream in(full, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string cut = dir.write("cut.gz", bytes.substr(0, bytes.size() / 2));
  const std::string msg = error_of([&] { read_idx(cut); });
  EXPECT_NE(msg.find(cut), std::string::npos) << msg;
}

TEST(Idx, MissingFileNamesPath) {
  const std::string msg = error_of([] { read_idx("/nonexistent/etch/none.gz"); });
  EXPECT_NE(msg.find("/nonexistent/etch/none.gz: cannot open"), std::string::npos) << msg;
}

}  // namespace
}  // namespace etch::data
