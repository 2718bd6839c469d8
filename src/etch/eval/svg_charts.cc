#include "etch/eval/svg_charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace etch::eval::svg {
namespace {

constexpr int kLabelWidth = 170, kPlotWidth = 540, kRow = 22, kFont = 12;

std::string shorten(const std::string& s, size_t max) {
  return s.size() <= max ? s : s.substr(0, max / 2 - 1) + "…" + s.substr(s.size() - (max - max / 2));
}

// 1234 -> "1.23k": axis ticks and bar labels stay narrow.
std::string human(double v) {
  const double a = std::abs(v);
  if (a >= 1e9) return fmt::format("{:.3g}G", v / 1e9);
  if (a >= 1e6) return fmt::format("{:.3g}M", v / 1e6);
  if (a >= 1e3) return fmt::format("{:.3g}k", v / 1e3);
  return fmt::format("{:.3g}", v);
}

// A round tick step giving about `target` intervals up to max.
double nice_step(double max, int target = 5) {
  if (max <= 0) return 1;
  const double raw = max / target, mag = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
    if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

std::string svg_open(int w, int h, const std::string& label) {
  return fmt::format(
      "<svg class=\"chart\" role=\"img\" aria-label=\"{}\" viewBox=\"0 0 {} {}\" width=\"{}\" height=\"{}\" "
      "style=\"max-width:100%;height:auto\" font-family=\"system-ui,sans-serif\" font-size=\"{}\">\n",
      escape(label), w, h, w, h, kFont);
}

std::string category_label(double y, const std::string& name) {
  return fmt::format(
      "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}<title>{}</title></text>\n",
      kLabelWidth - 6, y, escape(shorten(name, 26)), escape(name));
}

std::string x_axis(double max, int top, int height, const std::string& unit, bool percent) {
  std::string s;
  const double step = percent ? 0.25 : nice_step(max);
  for (int i = 0;; ++i) {
    const double v = i * step;
    if (v > max * (1 + 1e-9)) break;
    const double x = kLabelWidth + kPlotWidth * v / max;
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#ddd\"/>\n", x, top,
                     top + height);
    s += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n", x,
                     top + height + 14, percent ? fmt::format("{:.0f}%", 100 * v) : human(v));
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">{}</text>\n",
                   kLabelWidth + kPlotWidth / 2, top + height + 30, escape(unit));
  return s;
}

}  // namespace

std::string escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        o += "&amp;";
        break;
      case '<':
        o += "&lt;";
        break;
      case '>':
        o += "&gt;";
        break;
      case '"':
        o += "&quot;";
        break;
      case '\'':
        o += "&#39;";
        break;
      default:
        o += c;
    }
  }
  return o;
}

std::string stacked_bars(const std::vector<std::string>& categories, const std::vector<Series>& series,
                         const std::string& unit) {
  std::vector<double> totals(categories.size(), 0.0);
  for (const Series& s : series)
    for (size_t i = 0; i < categories.size() && i < s.values.size(); ++i) totals[i] += std::max(0.0, s.values[i]);
  double max = *std::max_element(totals.begin(), totals.end());
  if (max <= 0) max = 1;
  max = std::ceil(max / nice_step(max)) * nice_step(max);
  const int top = 28, height = static_cast<int>(categories.size()) * kRow;
  const int w = kLabelWidth + kPlotWidth + 60, h = top + height + 40;
  std::string o = svg_open(w, h, unit);
  int lx = kLabelWidth;
  for (const Series& s : series) {
    o += fmt::format(
        "<rect x=\"{}\" y=\"6\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"16\">{}</text>\n", lx,
        s.color, lx + 16, escape(s.name));
    lx += 24 + 8 * static_cast<int>(s.name.size());
  }
  o += x_axis(max, top, height, unit, false);
  for (size_t i = 0; i < categories.size(); ++i) {
    const double y = top + static_cast<double>(i) * kRow;
    o += category_label(y + kRow / 2.0, categories[i]);
    double x = kLabelWidth;
    for (const Series& s : series) {
      const double v = i < s.values.size() ? std::max(0.0, s.values[i]) : 0.0;
      const double bw = kPlotWidth * v / max;
      if (bw <= 0) continue;
      o += fmt::format(
          "<rect class=\"mark\" x=\"{:.2f}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"><title>{}: {} "
          "{} ({:.1f}%)</title></rect>\n",
          x, y + 3, bw, kRow - 6, s.color, escape(categories[i]), escape(s.name), human(v),
          totals[i] > 0 ? 100 * v / totals[i] : 0.0);
      x += bw;
    }
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" dominant-baseline=\"middle\" fill=\"#333\">{}</text>\n", x + 4,
                     y + kRow / 2.0, human(totals[i]));
  }
  return o + "</svg>\n";
}

std::string percent_bars(const std::vector<std::string>& categories, const std::vector<double>& fractions,
                         const std::string& color) {
  const int top = 8, height = static_cast<int>(categories.size()) * kRow;
  const int w = kLabelWidth + kPlotWidth + 60, h = top + height + 40;
  std::string o = svg_open(w, h, "array utilization");
  o += x_axis(1.0, top, height, "array utilization (useful MACs / (rows × cols × cycles))", true);
  for (size_t i = 0; i < categories.size(); ++i) {
    const double y = top + static_cast<double>(i) * kRow;
    const double f = std::clamp(i < fractions.size() ? fractions[i] : 0.0, 0.0, 1.0);
    o += category_label(y + kRow / 2.0, categories[i]);
    // A zero-utilization layer (runs on the vector unit) still gets a hairline mark.
    o += fmt::format(
        "<rect class=\"mark\" x=\"{}\" y=\"{:.1f}\" width=\"{:.2f}\" height=\"{}\" fill=\"{}\"><title>{}: "
        "{:.1f}%</title></rect>\n",
        kLabelWidth, y + 3, std::max(1.0, kPlotWidth * f), kRow - 6, color, escape(categories[i]), 100 * f);
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" dominant-baseline=\"middle\" fill=\"#333\">{:.1f}%</text>\n",
                     kLabelWidth + std::max(1.0, kPlotWidth * f) + 4, y + kRow / 2.0, 100 * f);
  }
  return o + "</svg>\n";
}

std::string roofline(const std::vector<RooflinePoint>& points, double peak_gops, double bandwidth_gb_s) {
  const int left = 70, top = 16, pw = 560, ph = 320;
  const int w = left + pw + 150, h = top + ph + 50;
  const double ridge = peak_gops / bandwidth_gb_s;
  double xmin = ridge, xmax = ridge, ymin = peak_gops, ymax = peak_gops;
  for (const RooflinePoint& p : points) {
    xmin = std::min(xmin, p.intensity), xmax = std::max(xmax, p.intensity);
    ymin = std::min(ymin, p.gops), ymax = std::max(ymax, p.gops);
  }
  // Whole decades around every point and the ridge.
  const double lx0 = std::floor(std::log10(xmin) - 0.3), lx1 = std::ceil(std::log10(xmax) + 0.3);
  const double ly0 = std::floor(std::log10(std::min(ymin, bandwidth_gb_s * std::pow(10.0, lx0))) - 0.3),
               ly1 = std::ceil(std::log10(ymax) + 0.3);
  auto X = [&](double v) { return left + pw * (std::log10(v) - lx0) / (lx1 - lx0); };
  auto Y = [&](double v) { return top + ph - ph * (std::log10(v) - ly0) / (ly1 - ly0); };
  std::string o = svg_open(w, h, "roofline");
  for (double d = lx0; d <= lx1 + 1e-9; d += 1) {
    const double x = X(std::pow(10.0, d));
    o += fmt::format(
        "<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#ddd\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#555\">{4}</text>\n",
        x, top, top + ph, top + ph + 14, human(std::pow(10.0, d)));
  }
  for (double d = ly0; d <= ly1 + 1e-9; d += 1) {
    const double y = Y(std::pow(10.0, d));
    o += fmt::format(
        "<line x1=\"{0}\" x2=\"{1}\" y1=\"{2:.1f}\" y2=\"{2:.1f}\" stroke=\"#ddd\"/>"
        "<text x=\"{3}\" y=\"{2:.1f}\" text-anchor=\"end\" dominant-baseline=\"middle\" fill=\"#555\">{4}</text>\n",
        left, left + pw, y, left - 6, human(std::pow(10.0, d)));
  }
  o += fmt::format(
      "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">arithmetic intensity (operations per DRAM byte)</text>\n",
      left + pw / 2, top + ph + 34);
  o += fmt::format("<text transform=\"translate(16,{}) rotate(-90)\" text-anchor=\"middle\">GOP/s</text>\n",
                   top + ph / 2);
  // The roof: bandwidth-bound slope up to the ridge point, then the compute peak.
  const double x0 = std::pow(10.0, lx0), x1 = std::pow(10.0, lx1);
  o += fmt::format(
      "<polyline class=\"mark roof\" fill=\"none\" stroke=\"#333\" stroke-width=\"2\" "
      "points=\"{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}\"><title>peak {} GOP/s, DRAM {} GB/s, ridge at {} "
      "op/byte</title></polyline>\n",
      X(x0), Y(bandwidth_gb_s * x0), X(ridge), Y(peak_gops), X(x1), Y(peak_gops), human(peak_gops),
      human(bandwidth_gb_s), human(ridge));
  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#333\">peak {} GOP/s</text>\n", X(x1) + 4, Y(peak_gops) + 4,
                   human(peak_gops));
  o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" fill=\"#333\" text-anchor=\"end\">{} GB/s</text>\n", X(ridge) - 6,
                   Y(peak_gops) - 6, human(bandwidth_gb_s));
  for (const RooflinePoint& p : points) {
    const double x = X(p.intensity), y = Y(p.gops);
    o += fmt::format(
        "<circle class=\"mark\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"#4c78a8\" fill-opacity=\"0.8\">"
        "<title>{}: {} op/byte, {} GOP/s ({:.1f}% of the roof)</title></circle>\n",
        x, y, escape(p.name), human(p.intensity), human(p.gops),
        100 * p.gops / std::min(peak_gops, bandwidth_gb_s * p.intensity));
    o += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" fill=\"#333\">{}</text>\n", x + 7, y + 3,
                     escape(shorten(p.name, 18)));
  }
  return o + "</svg>\n";
}

std::string heatmap(const std::vector<std::vector<int64_t>>& counts, const std::vector<std::string>& labels) {
  const int n = static_cast<int>(counts.size());
  const int cell = n > 12 ? 28 : 44, left = 120, top = 110;
  const int w = left + n * cell + 20, h = top + n * cell + 30;
  std::string o = svg_open(w, h, "confusion matrix");
  auto name = [&](int i) { return i < static_cast<int>(labels.size()) ? labels[i] : std::to_string(i); };
  for (int i = 0; i < n; ++i) {
    o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" dominant-baseline=\"middle\">{}</text>\n", left - 6,
                     top + i * cell + cell / 2, escape(shorten(name(i), 16)));
    o += fmt::format("<text transform=\"translate({},{}) rotate(-45)\">{}</text>\n", left + i * cell + cell / 2,
                     top - 6, escape(shorten(name(i), 16)));
  }
  o += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#333\">predicted →</text>\n",
                   left + n * cell / 2, 14);
  o += fmt::format(
      "<text transform=\"translate(12,{}) rotate(-90)\" text-anchor=\"middle\" fill=\"#333\">true class →</text>\n",
      top + n * cell / 2);
  for (int t = 0; t < n; ++t) {
    int64_t row = 0;
    for (int64_t v : counts[t]) row += v;
    for (int p = 0; p < n; ++p) {
      const int64_t v = counts[t][p];
      const double f = row > 0 ? static_cast<double>(v) / static_cast<double>(row) : 0.0;
      // Diagonal white to dark blue; mistakes white to orange, amplified 4x so
      // that a 5% confusion is visible next to a 90% diagonal.
      const bool diag = t == p;
      const double shade = diag ? f : std::min(1.0, 4 * f);
      const int to[3] = {diag ? 8 : 230, diag ? 81 : 85, diag ? 156 : 13};
      int rgb[3];
      for (int k = 0; k < 3; ++k) rgb[k] = static_cast<int>(std::lround(255 - shade * (255 - to[k])));
      o += fmt::format(
          "<rect class=\"mark\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"rgb({},{},{})\" "
          "stroke=\"#fff\"><title>true {}, predicted {}: {} ({:.1f}% of the class)</title></rect>\n",
          left + p * cell, top + t * cell, cell, cell, rgb[0], rgb[1], rgb[2], escape(name(t)), escape(name(p)), v,
          100 * f);
      if (v > 0)
        o += fmt::format(
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" dominant-baseline=\"middle\" font-size=\"{}\" "
            "fill=\"{}\">{}</text>\n",
            left + p * cell + cell / 2, top + t * cell + cell / 2, n > 12 ? 8 : 11, shade > 0.55 ? "#fff" : "#222", v);
    }
  }
  return o + "</svg>\n";
}

}  // namespace etch::eval::svg
