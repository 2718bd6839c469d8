// Static SVG charts for the HTML report: no script, no external resource;
// hovering a mark shows its exact value through the SVG <title> tooltip.
// Every data mark carries class="mark" (the browser test counts them), every
// chart has class="chart".
#pragma once
#include <string>
#include <vector>

namespace etch::eval::svg {

std::string escape(const std::string& s);  // &, <, >, ", '

struct Series {
  std::string name;
  std::string color;           // CSS colour
  std::vector<double> values;  // one per category
};

// Horizontal stacked bars, one row per category, with a legend and an x axis
// labelled `unit`. Values must be >= 0.
std::string stacked_bars(const std::vector<std::string>& categories, const std::vector<Series>& series,
                         const std::string& unit);

// Horizontal bars of fractions in [0, 1], drawn as percentages.
std::string percent_bars(const std::vector<std::string>& categories, const std::vector<double>& fractions,
                         const std::string& color);

struct RooflinePoint {
  std::string name;
  double intensity = 0;  // operations per DRAM byte
  double gops = 0;       // achieved giga-operations per second
};
// Log-log roofline: min(peak, bandwidth · intensity) and one dot per layer.
std::string roofline(const std::vector<RooflinePoint>& points, double peak_gops, double bandwidth_gb_s);

// Confusion matrix heat map: rows true class, columns predicted; a cell's
// shade is its share of the row (recall for the diagonal), its text the count.
std::string heatmap(const std::vector<std::vector<int64_t>>& counts, const std::vector<std::string>& labels);

}  // namespace etch::eval::svg
