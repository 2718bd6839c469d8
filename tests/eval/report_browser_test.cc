// Opens a full report in headless Chromium (Debian package `chromium`, which
// scripts/setup.sh installs): takes a screenshot, fails on any console
// message (a blocked resource, a CSP violation — the page has no script, so
// every message is a problem) and on a chart whose data marks all have an
// empty box after layout. Skipped only when chromium is not installed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "etch/core/atomic_file.h"
#include "etch/data/png_io.h"
#include "etch/eval/report_html.h"
#include "eval/sample_report.h"

namespace etch::eval {
namespace {

namespace fs = std::filesystem;

std::string find_chromium() {
  if (const char* env = std::getenv("ETCH_CHROMIUM")) return env;
  for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (::access(p, X_OK) == 0) return p;
  return "";
}

struct Scratch {
  fs::path dir = fs::temp_directory_path() / ("etch_report_browser_" + std::to_string(::getpid()));
  Scratch() { fs::create_directories(dir); }
  ~Scratch() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

// Runs chromium headless on `page` with extra arguments; returns its stderr and stdout.
std::pair<std::string, std::string> chromium(const std::string& exe, const fs::path& dir, const fs::path& page,
                                             const std::string& args) {
  const fs::path out = dir / "stdout.txt", err = dir / "stderr.txt";
  // A private profile and HOME keep runs independent of the user's browser state.
  const std::string cmd = "HOME='" + dir.string() + "' timeout 120 '" + exe +
                          "' --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='" +
                          (dir / "profile").string() + "' --enable-logging=stderr --v=0 " + args + " 'file://" +
                          page.string() + "' >'" + out.string() + "' 2>'" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << cmd << "\n" << read_file(err.string());
  return {read_file(err.string()), read_file(out.string())};
}

std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream ss(log);
  for (std::string line; std::getline(ss, line);)
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  return lines;
}

// Counts, per svg.chart, the data marks whose layout box is not empty; the
// result lands in an attribute that --dump-dom prints. Only this test copy
// carries the script (and therefore drops the page's no-script policy).
constexpr const char* kProbe = R"(<script>
const counts = [];
for (const chart of document.querySelectorAll('svg.chart')) {
  let n = 0;
  for (const m of chart.querySelectorAll('.mark')) {
    const b = m.getBoundingClientRect();
    if (b.width > 0 && b.height > 0) n++;
  }
  const box = chart.getBoundingClientRect();
  counts.push((box.width > 0 && box.height > 0 ? n : 0) + ':' + (chart.getAttribute('aria-label') || ''));
}
document.body.setAttribute('data-chart-marks', counts.join('|'));
</script>)";

// Screenshot without console messages, then every chart has visible marks.
// Returns the number of charts.
size_t check_page(const std::string& exe, const Scratch& s, const std::string& html) {
  const fs::path page = s.dir / "report.html", shot = s.dir / "shot.png";
  write_file_atomic(page.string(), html);

  // 1. The page as written: screenshot at a laptop's size, no console message.
  auto [err, out] = chromium(exe, s.dir, page, "--window-size=1366,900 --screenshot='" + shot.string() + "'");
  for (const std::string& l : console_lines(err)) ADD_FAILURE() << "console: " << l;
  EXPECT_TRUE(fs::exists(shot)) << err;
  if (!fs::exists(shot)) return 0;
  data::PngImage img = data::read_png(shot.string());
  EXPECT_EQ(img.width, 1366);
  EXPECT_EQ(img.height, 900);
  // Not a blank page: many distinct colours (text, cards, bars).
  std::set<uint32_t> colours;
  for (size_t i = 0; i + 2 < img.pixels.size(); i += img.channels)
    colours.insert(img.channels == 3 ? (img.pixels[i] << 16 | img.pixels[i + 1] << 8 | img.pixels[i + 2])
                                     : img.pixels[i]);
  EXPECT_GT(colours.size(), 20u);
  if (const char* keep = std::getenv("ETCH_KEEP_SCREENSHOT"))
    fs::copy_file(shot, keep, fs::copy_options::overwrite_existing);

  // 2. Every chart has visible marks after layout.
  std::string probe = std::regex_replace(html, std::regex("<meta http-equiv=\"Content-Security-Policy\"[^>]*>"), "");
  probe.insert(probe.rfind("</body>"), kProbe);
  const fs::path probe_page = s.dir / "probe.html";
  write_file_atomic(probe_page.string(), probe);
  auto [err2, dom] = chromium(exe, s.dir, probe_page, "--dump-dom");
  for (const std::string& l : console_lines(err2)) ADD_FAILURE() << "console (probe): " << l;
  std::smatch m;
  EXPECT_TRUE(std::regex_search(dom, m, std::regex("data-chart-marks=\"([^\"]*)\""))) << "probe did not run";
  if (m.empty()) return 0;
  const std::string result = m[1];
  std::vector<std::string> charts;
  std::stringstream ss(result);
  for (std::string c; std::getline(ss, c, '|');) charts.push_back(c);
  for (const std::string& c : charts) EXPECT_GT(std::stoi(c.substr(0, c.find(':'))), 0) << "empty chart: " << c;
  return charts.size();
}

TEST(ReportBrowser, RendersWithoutConsoleErrorsAndNoEmptyChart) {
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium not installed (apt-get install chromium; scripts/setup.sh does)";
  Scratch s;
  Evaluation ev = testing::sample_evaluation();
  // stacked cycles, utilization, roofline, confusion matrix
  EXPECT_EQ(check_page(exe, s, report_html(report_json(testing::sample_inputs(ev)))), 4u);
}

TEST(ReportBrowser, RealDeployReportRenders) {
  // The report `etch deploy` writes for the committed CNN (small data subsets).
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium not installed (apt-get install chromium; scripts/setup.sh does)";
  Scratch s;
  const std::string cmd =
      std::string("'") + ETCH_BINARY + "' --quiet deploy '" + ETCH_SOURCE_DIR +
      "/fixtures/cnn.onnx' --train-data fashion-mnist:test:256 --eval-data fashion-mnist:test:300 "
      "--calib-samples 64 --sqnr-samples 32 --prune magnitude:channel:0.25 --finetune-epochs 0 -o '" +
      (s.dir / "out").string() + "' >'" + (s.dir / "deploy.log").string() + "' 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file((s.dir / "deploy.log").string());
  const std::string html = read_file((s.dir / "out/report.html").string());
  for (const char* id : {"cycles", "utilization", "roofline", "confusion", "sqnr", "pruning"})
    EXPECT_NE(html.find(std::string("<section id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_EQ(check_page(exe, s, html), 4u);
}

TEST(ReportBrowser, ProbeDetectsAnEmptyChart) {
  // The check above must be able to fail: a chart whose only mark has zero width.
  const std::string exe = find_chromium();
  ASSERT_FALSE(exe.empty()) << "chromium not installed (apt-get install chromium; scripts/setup.sh does)";
  Scratch s;
  const fs::path page = s.dir / "empty.html";
  write_file_atomic(page.string(),
                    std::string("<!DOCTYPE html><html><body><svg class=\"chart\" aria-label=\"e\" width=\"100\" "
                                "height=\"50\"><rect class=\"mark\" width=\"0\" height=\"10\"/></svg>") +
                        kProbe + "</body></html>");
  auto [err, dom] = chromium(exe, s.dir, page, "--dump-dom");
  EXPECT_NE(dom.find("data-chart-marks=\"0:e\""), std::string::npos) << dom;
}

}  // namespace
}  // namespace etch::eval
