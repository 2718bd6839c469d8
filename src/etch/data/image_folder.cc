#include "etch/data/image_folder.h"

#include <sstream>

#include "etch/core/thread_pool.h"
#include "etch/data/file_listing.h"
#include "etch/data/jpeg_io.h"

namespace etch::data {
namespace {

std::string size_str(const PngImage& im) {
  std::ostringstream s;
  s << im.height << "x" << im.width << "x" << im.channels << " (HxWxC)";
  return s.str();
}

// Decodes in parallel; errors are collected per file and the first in file
// order is reported, so the message does not depend on thread timing.
std::vector<PngImage> decode_all(const std::vector<std::string>& files, const std::string& spec) {
  const auto n = static_cast<int64_t>(files.size());
  std::vector<PngImage> images(files.size());
  std::vector<std::string> errors(files.size());
  parallel_for(n, 8, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      try {
        images[i] = read_image(files[i]);
      } catch (const Error& e) {
        errors[i] = e.what();
      }
    }
  });
  for (int64_t i = 0; i < n; ++i)
    ETCH_REQUIRE(errors[i].empty(), InvalidInput) << "data set '" << spec << "': " << errors[i];
  return images;
}

void check_same_size(const std::vector<PngImage>& images, const std::vector<std::string>& files,
                     const std::string& spec, bool channels_too) {
  const PngImage& first = images[0];
  for (size_t i = 1; i < images.size(); ++i) {
    const PngImage& im = images[i];
    ETCH_REQUIRE(
        im.height == first.height && im.width == first.width && (!channels_too || im.channels == first.channels),
        InvalidInput)
        << "data set '" << spec << "': " << files[i] << " is " << size_str(im) << " but " << files[0] << " is "
        << size_str(first) << "; all images must have the same size" << (channels_too ? " and channels" : "")
        << (channels_too ? "" : " (or give one: ?size=HxW)");
  }
}

void set_labels(Dataset& d, const FileListing& l) {
  if (l.labels.empty()) return;
  d.labels = Tensor::from_vector<int64_t>({static_cast<int64_t>(l.labels.size())}, l.labels);
  d.class_names = l.class_names;
  d.num_classes = static_cast<int64_t>(l.class_names.size());
}

}  // namespace

Dataset load_image_folder(const std::string& dir, const std::string& spec) {
  const FileListing l = list_data_files(dir, spec, false, is_image_file_name, "PNG or JPEG");
  Dataset d;
  d.name = spec;
  set_labels(d, l);
  const std::vector<PngImage> images = decode_all(l.files, spec);
  check_same_size(images, l.files, spec, true);
  const auto n = static_cast<int64_t>(images.size());
  const int64_t c = images[0].channels, h = images[0].height, w = images[0].width, hw = h * w;
  d.images = Tensor(DType::F32, {n, c, h, w});
  float* dst = d.images.data<float>();
  parallel_for(n, 64, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const uint8_t* px = images[i].pixels.data();  // HWC -> CHW
      float* out = dst + i * c * hw;
      for (int64_t ch = 0; ch < c; ++ch)
        for (int64_t p = 0; p < hw; ++p) out[ch * hw + p] = static_cast<float>(px[p * c + ch]) / 255.0f;
    }
  });
  d.inputs.push_back({"x", d.images});
  return d;
}

Dataset load_image_folder(const std::string& dir, const std::string& spec, const Preprocess& p) {
  const FileListing l = list_data_files(dir, spec, true, is_image_file_name, "PNG or JPEG");
  Dataset d;
  d.name = spec;
  set_labels(d, l);
  const std::vector<PngImage> images = decode_all(l.files, spec);
  if (!p.height) check_same_size(images, l.files, spec, false);
  const auto n = static_cast<int64_t>(images.size());
  const int64_t c = p.channels(), h = p.height ? p.height : images[0].height, w = p.width ? p.width : images[0].width;
  Tensor x(DType::F32, p.layout == Layout::NCHW ? Shape{n, c, h, w} : Shape{n, h, w, c});
  float* dst = x.data<float>();
  Preprocess sized = p;
  sized.height = h;
  sized.width = w;
  parallel_for(n, 4, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) preprocess_image(images[i], sized, dst + i * c * h * w);
  });
  d.inputs.push_back({p.input, x});
  d.images = x;
  return d;
}

}  // namespace etch::data
