#include "etch/data/image_folder.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "etch/core/thread_pool.h"
#include "etch/data/png_io.h"

namespace etch::data {
namespace {

namespace fs = std::filesystem;

bool hidden(const fs::path& p) { return !p.filename().empty() && p.filename().string()[0] == '.'; }

bool is_png_name(const fs::path& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return ext == ".png";
}

std::vector<fs::path> sorted_entries(const fs::path& dir, const std::string& spec) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (!hidden(it->path())) out.push_back(it->path());
  ETCH_REQUIRE(!ec, InvalidInput) << "data set '" << spec << "': cannot list " << dir.string() << " (" << ec.message()
                                  << ")";
  std::sort(out.begin(), out.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return out;
}

std::string size_str(const PngImage& im) {
  std::ostringstream s;
  s << im.height << "x" << im.width << "x" << im.channels << " (HxWxC)";
  return s.str();
}

}  // namespace

Dataset load_image_folder(const std::string& dir, const std::string& spec) {
  ETCH_REQUIRE(fs::is_directory(dir), InvalidInput)
      << "data set '" << spec << "': " << dir << " is not a folder (expected one sub-folder of PNG files per class)";
  Dataset d;
  d.name = spec;
  std::vector<std::string> files;
  std::vector<int64_t> labels;
  for (const fs::path& entry : sorted_entries(dir, spec)) {
    if (!fs::is_directory(entry)) continue;
    const auto label = static_cast<int64_t>(d.class_names.size());
    size_t count = 0;
    for (const fs::path& f : sorted_entries(entry, spec)) {
      ETCH_REQUIRE(fs::is_regular_file(f) && is_png_name(f), InvalidInput)
          << "data set '" << spec << "': " << f.string() << " is not a .png file (class folders may hold only PNG "
          << "images)";
      files.push_back(f.string());
      labels.push_back(label);
      ++count;
    }
    ETCH_REQUIRE(count > 0, InvalidInput)
        << "data set '" << spec << "': class folder " << entry.string() << " holds no .png files";
    d.class_names.push_back(entry.filename().string());
  }
  ETCH_REQUIRE(!d.class_names.empty(), InvalidInput)
      << "data set '" << spec << "': " << dir << " has no class sub-folders (expected " << dir
      << "/<class>/<image>.png)";
  d.num_classes = static_cast<int64_t>(d.class_names.size());

  // Decode in parallel; errors are collected per file and the first in file
  // order is reported, so the message does not depend on thread timing.
  const auto n = static_cast<int64_t>(files.size());
  std::vector<PngImage> images(files.size());
  std::vector<std::string> errors(files.size());
  parallel_for(n, 8, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      try {
        images[i] = read_png(files[i]);
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    }
  });
  for (int64_t i = 0; i < n; ++i)
    ETCH_REQUIRE(errors[i].empty(), InvalidInput) << "data set '" << spec << "': " << errors[i];
  const PngImage& first = images[0];
  for (int64_t i = 1; i < n; ++i) {
    const PngImage& im = images[i];
    ETCH_REQUIRE(im.height == first.height && im.width == first.width && im.channels == first.channels, InvalidInput)
        << "data set '" << spec << "': " << files[i] << " is " << size_str(im) << " but " << files[0] << " is "
        << size_str(first) << "; all images must have the same size and channels";
  }

  const int64_t c = first.channels, h = first.height, w = first.width, hw = h * w;
  d.images = Tensor(DType::F32, {n, c, h, w});
  d.labels = Tensor::from_vector<int64_t>({n}, labels);
  float* dst = d.images.data<float>();
  parallel_for(n, 64, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const uint8_t* px = images[i].pixels.data();  // HWC -> CHW
      float* out = dst + i * c * hw;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t p = 0; p < hw; ++p) out[ch * hw + p] = static_cast<float>(px[p * c + ch]) / 255.0f;
    }
  });
  return d;
}

}  // namespace etch::data
