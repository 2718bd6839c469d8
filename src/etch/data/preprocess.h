// How decoded images become a model's input: the `?key=value,...` part of an
// `images:DIR?...` data spec (or a --preprocess string), parsed once into a
// typed struct. value = (pixel_0_255 * scale - mean[c]) / std[c].
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "etch/data/png_io.h"

namespace etch::data {

enum class Layout { NCHW, NHWC };
enum class ChannelOrder { RGB, BGR, RGBA, Gray };

struct Preprocess {
  int64_t height = 0, width = 0;  // 0: keep the images' own size (all must agree)
  Layout layout = Layout::NCHW;
  ChannelOrder order = ChannelOrder::RGB;
  double scale = 1.0 / 255.0;
  std::vector<double> mean = {0.0};  // one value, or one per channel
  std::vector<double> std = {1.0};
  double alpha = 255.0;     // raw pixel value of the 4th channel for rgba
  std::string input = "x";  // the model input the images feed

  int64_t channels() const;
};

// "size=128x128,layout=nhwc,order=rgb,scale=0.0039215686,mean=0.5,std=0.5";
// keys: size (HxW), layout (nchw|nhwc), order (rgb|bgr|rgba|gray), scale, mean
// and std (one number or one per channel separated by '/'), alpha, input.
// Throws InvalidInput naming `label`, the key and what was expected.
Preprocess parse_preprocess(const std::string& text, const std::string& label);

// Fills one sample (channels() x height x width in `p.layout`) from a decoded
// image: centre crop to the target aspect ratio, bilinear resize, channel order,
// then normalisation. Gray images are replicated to colour and colour images
// are averaged to gray as `order` asks.
void preprocess_image(const PngImage& image, const Preprocess& p, float* out);

}  // namespace etch::data
