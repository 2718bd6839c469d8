// The ONNX backend test data (libonnx-testdata) run through etch's importer and
// reference interpreter, plus an export → re-import round trip for every case
// that passes. Every case is classified pass / fail / unsupported; the cases
// listed in expected_pass.txt must pass. scripts/update_conformance.sh rewrites
// the lists from the results file this test writes.
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "etch/onnx/exporter.h"
#include "etch/onnx/importer.h"
#include "etch/runtime/interpreter.h"

namespace etch::onnx {
namespace {

namespace fs = std::filesystem;

const char* kDataRoot = "/usr/share/libonnx-testdata/data";
const std::vector<std::string> kFolders = {"node", "pytorch-converted", "pytorch-operator", "simple"};

enum class Status { Pass, Fail, Unsupported };
const char* status_name(Status s) { return s == Status::Pass ? "pass" : s == Status::Fail ? "fail" : "unsupported"; }

struct Outcome {
  Status status = Status::Pass;
  std::string reason;
};

// Thrown inside a case to end it with a classification.
struct CaseEnd {
  Outcome outcome;
};
[[noreturn]] void fail(const std::string& why) { throw CaseEnd{{Status::Fail, why}}; }

std::string one_line(std::string s) {
  // Paths inside the data folder are noise in the lists; "folder/case" says where.
  const std::string root = std::string(kDataRoot) + "/";
  for (size_t at; (at = s.find(root)) != std::string::npos;) s.erase(at, root.size());
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  if (s.size() > 300) s = s.substr(0, 297) + "...";
  return s;
}

// input_0.pb, input_1.pb, ..., input_10.pb in numeric order.
std::vector<fs::path> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::pair<int, fs::path>> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || e.path().extension() != ".pb") continue;
    try {
      found.emplace_back(std::stoi(name.substr(prefix.size())), e.path());
    } catch (const std::exception&) {
    }
  }
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& [i, p] : found) out.push_back(p);
  return out;
}

std::vector<fs::path> sorted_subdirs(const fs::path& dir, const std::string& prefix = "") {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind(prefix, 0) == 0) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Empty when equal; else what differs. Float: |a-b| <= atol + rtol*|b| (b
// expected), NaN matches NaN; integers and bools exactly.
std::string compare(const Tensor& got, const Tensor& want, double rtol, double atol) {
  if (got.dtype() != want.dtype())
    return std::string("dtype ") + dtype_name(got.dtype()) + ", expected " + dtype_name(want.dtype());
  if (got.shape() != want.shape()) return "shape " + shape_str(got.shape()) + ", expected " + shape_str(want.shape());
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double a = got.get_as_double(i), b = want.get_as_double(i);
    bool ok;
    if (want.dtype() == DType::F32) {
      if (std::isnan(b))
        ok = std::isnan(a);
      else if (std::isinf(b))
        ok = a == b;
      else
        ok = std::fabs(a - b) <= atol + rtol * std::fabs(b);
    } else {
      ok = a == b;
    }
    if (!ok) {
      std::ostringstream s;
      s << "element " << i << " is " << a << ", expected " << b;
      return s.str();
    }
  }
  return "";
}

std::string tensor_name(const fs::path& file) {
  std::ifstream f(file, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  ::onnx::TensorProto p;
  return p.ParseFromString(ss.str()) ? p.name() : "";
}

// Positional when the counts agree; otherwise (old models that list
// initializers as inputs) matched by the tensors' names.
std::vector<Tensor> order_inputs(const ir::Graph& g, const std::vector<fs::path>& files) {
  std::vector<Tensor> tensors;
  if (files.size() == g.inputs.size()) {
    for (const auto& f : files) tensors.push_back(read_tensor_proto_file(f.string()));
    return tensors;
  }
  std::map<std::string, fs::path> by_name;
  for (const auto& f : files) by_name[tensor_name(f)] = f;
  for (ir::ValueId v : g.inputs) {
    auto it = by_name.find(g.value(v).name);
    if (it == by_name.end())
      fail("test data has " + std::to_string(files.size()) + " inputs, none named '" + g.value(v).name + "'");
    tensors.push_back(read_tensor_proto_file(it->second.string()));
  }
  return tensors;
}

Outcome run_case(const fs::path& dir) {
  const fs::path model = dir / "model.onnx";
  ir::Graph g;
  try {
    if (!fs::exists(model)) fail("no model.onnx");
    try {
      g = import_model(model.string());
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Unsupported) return {Status::Unsupported, one_line(e.what())};
      fail("import: " + std::string(e.what()));
    }
    std::unique_ptr<runtime::Interpreter> interp;
    try {
      interp = std::make_unique<runtime::Interpreter>(g);
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::Unsupported) return {Status::Unsupported, one_line(e.what())};
      fail("interpreter: " + std::string(e.what()));
    }
    auto sets = sorted_subdirs(dir, "test_data_set_");
    if (sets.empty()) fail("no test_data_set_*");
    std::vector<std::vector<Tensor>> all_inputs, all_outputs;
    for (const auto& set : sets) {
      std::vector<Tensor> inputs = order_inputs(g, numbered_files(set, "input_"));
      std::vector<Tensor> expected;
      for (const auto& f : numbered_files(set, "output_")) expected.push_back(read_tensor_proto_file(f.string()));
      std::vector<Tensor> got = interp->run(inputs);
      if (got.size() != expected.size())
        fail("got " + std::to_string(got.size()) + " outputs, expected " + std::to_string(expected.size()));
      for (size_t i = 0; i < got.size(); ++i) {
        std::string diff = compare(got[i], expected[i], 1e-3, 1e-5);
        if (!diff.empty())
          fail(set.filename().string() + " output " + std::to_string(i) + " ('" + g.value(g.outputs[i]).name +
               "'): " + diff);
      }
      all_inputs.push_back(std::move(inputs));
      all_outputs.push_back(std::move(got));
    }
    // Round trip: the exported model must import back and compute the same.
    ir::Graph back;
    try {
      back = import_model_bytes(export_model_bytes(g), dir.string(), model.string() + " (re-exported)");
    } catch (const Error& e) {
      fail("round trip: " + std::string(e.what()));
    }
    runtime::Interpreter interp2(back);
    for (size_t s = 0; s < all_inputs.size(); ++s) {
      std::vector<Tensor> again = interp2.run(all_inputs[s]);
      if (again.size() != all_outputs[s].size()) fail("round trip: output count differs");
      for (size_t i = 0; i < again.size(); ++i) {
        std::string diff = compare(again[i], all_outputs[s][i], 0, 0);
        if (!diff.empty()) fail("round trip: output " + std::to_string(i) + ": " + diff);
      }
    }
  } catch (const CaseEnd& end) {
    return {end.outcome.status, one_line(end.outcome.reason)};
  } catch (const Error& e) {
    // Unsupported at run time (no kernel for a dtype, an attribute value etch
    // does not implement) is a missing feature, not a wrong answer.
    if (e.kind() == ErrorKind::Unsupported) return {Status::Unsupported, one_line(e.what())};
    return {Status::Fail, one_line(e.what())};
  } catch (const std::exception& e) {
    return {Status::Fail, one_line(std::string("unexpected exception: ") + e.what())};
  }
  return {Status::Pass, ""};
}

std::set<std::string> read_list(const fs::path& path) {
  std::set<std::string> out;
  std::ifstream f(path);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto colon = line.find(':');
    if (colon != std::string::npos) line = line.substr(0, colon);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) out.insert(line);
  }
  return out;
}

fs::path results_path() {
  if (const char* env = std::getenv("ETCH_CONFORMANCE_RESULTS")) return env;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return (ec ? fs::current_path() : exe.parent_path()) / "conformance_results.txt";
}

TEST(OnnxConformance, AllFolders) {
  ASSERT_TRUE(fs::is_directory(kDataRoot))
      << kDataRoot << " is not installed (apt-get install libonnx-testdata; scripts/setup.sh does)";
  // Every case also checks that kernels declaring they overwrite their
  // outputs write every element: what they skip reads as NaN / 0x5A.
  runtime::set_poison_uninitialised_outputs(true);
  const char* filter = std::getenv("ETCH_CONFORMANCE_FILTER");  // substring of "folder/case", for debugging
  std::map<std::string, Outcome> results;
  std::ostringstream summary;
  for (const auto& folder : kFolders) {
    int counts[3] = {0, 0, 0};
    for (const auto& dir : sorted_subdirs(fs::path(kDataRoot) / folder)) {
      const std::string id = folder + "/" + dir.filename().string();
      if (filter && id.find(filter) == std::string::npos) continue;
      Outcome o = run_case(dir);
      counts[static_cast<int>(o.status)]++;
      results[id] = o;
    }
    summary << folder << ": " << counts[0] << " pass, " << counts[1] << " fail, " << counts[2] << " unsupported\n";
  }
  const fs::path out = results_path();
  {
    std::ofstream f(out, std::ios::trunc);
    for (const auto& [id, o] : results)
      f << id << " " << status_name(o.status) << (o.reason.empty() ? "" : " ") << o.reason << "\n";
  }
  std::cout << summary.str() << "full classification: " << out.string() << "\n";

  const fs::path lists = fs::path(ETCH_SOURCE_DIR) / "tests" / "onnx_conformance";
  std::set<std::string> expected = read_list(lists / "expected_pass.txt");
  std::set<std::string> known = read_list(lists / "known_failures.txt");
  std::vector<std::string> regressions, new_failures;
  for (const auto& id : expected) {
    if (filter && id.find(filter) == std::string::npos) continue;
    auto it = results.find(id);
    if (it == results.end())
      regressions.push_back(id + ": case not found");
    else if (it->second.status != Status::Pass)
      regressions.push_back(id + ": " + status_name(it->second.status) + ": " + it->second.reason);
  }
  for (const auto& [id, o] : results)
    if (o.status == Status::Fail && !known.count(id) && !expected.count(id))
      new_failures.push_back(id + ": " + o.reason);
  if (!new_failures.empty()) {
    std::cout << new_failures.size() << " failing case(s) not in known_failures.txt:\n";
    for (const auto& s : new_failures) std::cout << "  " << s << "\n";
  }
  std::string msg;
  for (const auto& r : regressions) msg += "  " + r + "\n";
  EXPECT_TRUE(regressions.empty()) << regressions.size() << " case(s) in expected_pass.txt no longer pass:\n" << msg;
}

}  // namespace
}  // namespace etch::onnx
