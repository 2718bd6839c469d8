#include "etch/data/preprocess.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "etch/core/error.h"

namespace etch::data {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) return parts;
    start = pos + 1;
  }
}

double parse_number(const std::string& text, const std::string& key, const std::string& label) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  ETCH_REQUIRE(ec == std::errc() && end == text.data() + text.size() && std::isfinite(v), InvalidInput)
      << label << ": preprocessing key '" << key << "': '" << text << "' is not a number";
  return v;
}

int64_t parse_dim(const std::string& text, const std::string& label) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  ETCH_REQUIRE(ec == std::errc() && end == text.data() + text.size() && v >= 1 && v <= 16384, InvalidInput)
      << label << ": preprocessing key 'size': '" << text << "' is not a size in 1..16384 (expected HxW, e.g. 128x128)";
  return v;
}

// Bilinear sample (half-pixel centres) of channel c at source coordinates (y, x).
float sample(const PngImage& im, double y, double x, int64_t c) {
  y = std::clamp(y, 0.0, static_cast<double>(im.height - 1));
  x = std::clamp(x, 0.0, static_cast<double>(im.width - 1));
  const auto y0 = static_cast<int64_t>(y), x0 = static_cast<int64_t>(x);
  const int64_t y1 = std::min(y0 + 1, im.height - 1), x1 = std::min(x0 + 1, im.width - 1);
  const double fy = y - static_cast<double>(y0), fx = x - static_cast<double>(x0);
  auto px = [&](int64_t yy, int64_t xx) {
    return static_cast<double>(im.pixels[static_cast<size_t>((yy * im.width + xx) * im.channels + c)]);
  };
  const double top = px(y0, x0) * (1 - fx) + px(y0, x1) * fx;
  const double bottom = px(y1, x0) * (1 - fx) + px(y1, x1) * fx;
  return static_cast<float>(top * (1 - fy) + bottom * fy);
}

}  // namespace

int64_t Preprocess::channels() const {
  switch (order) {
    case ChannelOrder::Gray:
      return 1;
    case ChannelOrder::RGBA:
      return 4;
    default:
      return 3;
  }
}

Preprocess parse_preprocess(const std::string& text, const std::string& label) {
  Preprocess p;
  if (text.empty()) return p;
  for (const std::string& item : split(text, ',')) {
    const size_t eq = item.find('=');
    ETCH_REQUIRE(eq != std::string::npos && eq > 0 && eq + 1 < item.size(), InvalidInput)
        << label << ": preprocessing item '" << item << "' is not key=value (keys: size, layout, order, scale, mean, "
        << "std, alpha, input)";
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "size") {
      const std::vector<std::string> hw = split(value, 'x');
      ETCH_REQUIRE(hw.size() == 2, InvalidInput)
          << label << ": preprocessing key 'size': '" << value << "' is not HxW (e.g. 128x128)";
      p.height = parse_dim(hw[0], label);
      p.width = parse_dim(hw[1], label);
    } else if (key == "layout") {
      ETCH_REQUIRE(value == "nchw" || value == "nhwc", InvalidInput)
          << label << ": preprocessing key 'layout': '" << value << "' (expected nchw or nhwc)";
      p.layout = value == "nchw" ? Layout::NCHW : Layout::NHWC;
    } else if (key == "order") {
      if (value == "rgb")
        p.order = ChannelOrder::RGB;
      else if (value == "bgr")
        p.order = ChannelOrder::BGR;
      else if (value == "rgba")
        p.order = ChannelOrder::RGBA;
      else if (value == "gray")
        p.order = ChannelOrder::Gray;
      else
        ETCH_FAIL(InvalidInput) << label << ": preprocessing key 'order': '" << value
                                << "' (expected rgb, bgr, rgba or gray)";
    } else if (key == "scale" || key == "alpha") {
      (key == "scale" ? p.scale : p.alpha) = parse_number(value, key, label);
    } else if (key == "mean" || key == "std") {
      std::vector<double> v;
      for (const std::string& part : split(value, '/')) v.push_back(parse_number(part, key, label));
      if (key == "std")
        for (double s : v) ETCH_REQUIRE(s != 0, InvalidInput) << label << ": preprocessing key 'std' must not be 0";
      (key == "mean" ? p.mean : p.std) = v;
    } else if (key == "input") {
      p.input = value;
    } else {
      ETCH_FAIL(InvalidInput) << label << ": unknown preprocessing key '" << key
                              << "' (keys: size, layout, order, scale, mean, std, alpha, input)";
    }
  }
  for (const auto* v : {&p.mean, &p.std})
    ETCH_REQUIRE(v->size() == 1 || static_cast<int64_t>(v->size()) == p.channels(), InvalidInput)
        << label << ": preprocessing key '" << (v == &p.mean ? "mean" : "std") << "' has " << v->size()
        << " values; expected 1 or " << p.channels() << " (one per channel)";
  return p;
}

void preprocess_image(const PngImage& im, const Preprocess& p, float* out) {
  const int64_t oh = p.height ? p.height : im.height, ow = p.width ? p.width : im.width;
  // Largest centred crop of the source with the target's aspect ratio.
  double ch = static_cast<double>(im.height), cw = static_cast<double>(im.width);
  if (cw * static_cast<double>(oh) > ch * static_cast<double>(ow))
    cw = ch * static_cast<double>(ow) / static_cast<double>(oh);
  else
    ch = cw * static_cast<double>(oh) / static_cast<double>(ow);
  const double y_off = (static_cast<double>(im.height) - ch) / 2, x_off = (static_cast<double>(im.width) - cw) / 2;
  const double sy = ch / static_cast<double>(oh), sx = cw / static_cast<double>(ow);
  const int64_t c_out = p.channels();
  for (int64_t y = 0; y < oh; ++y) {
    const double src_y = y_off + (static_cast<double>(y) + 0.5) * sy - 0.5;
    for (int64_t x = 0; x < ow; ++x) {
      const double src_x = x_off + (static_cast<double>(x) + 0.5) * sx - 0.5;
      float rgb[3];
      if (im.channels == 1) {
        rgb[0] = rgb[1] = rgb[2] = sample(im, src_y, src_x, 0);
      } else {
        for (int64_t c = 0; c < 3; ++c) rgb[c] = sample(im, src_y, src_x, c);
      }
      for (int64_t c = 0; c < c_out; ++c) {
        double raw = 0;
        switch (p.order) {
          case ChannelOrder::RGB:
            raw = rgb[c];
            break;
          case ChannelOrder::BGR:
            raw = rgb[2 - c];
            break;
          case ChannelOrder::RGBA:
            raw = c < 3 ? rgb[c] : p.alpha;
            break;
          case ChannelOrder::Gray:
            raw = im.channels == 1 ? rgb[0] : 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
            break;
        }
        const double mean = p.mean.size() == 1 ? p.mean[0] : p.mean[static_cast<size_t>(c)];
        const double sd = p.std.size() == 1 ? p.std[0] : p.std[static_cast<size_t>(c)];
        const auto v = static_cast<float>((raw * p.scale - mean) / sd);
        const int64_t idx = p.layout == Layout::NCHW ? (c * oh + y) * ow + x : (y * ow + x) * c_out + c;
        out[idx] = v;
      }
    }
  }
}

}  // namespace etch::data
