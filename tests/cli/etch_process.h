// Runs the etch binary (ETCH_BINARY) in a shell with stdout and stderr captured
// to files, for the CLI end-to-end tests and the must-fail tests in tests/errors.
#pragma once
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace etch::testing {

struct ProcessResult {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// A fresh folder under the system temp dir, removed on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("etch_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& bytes) const {
    std::filesystem::path p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

// args is appended to the binary path as shell text (quote paths with quote()).
// `binary`: another etch executable (a copy of the built one).
inline ProcessResult run_etch(const std::string& args, const ScratchDir& dir, const std::string& binary = ETCH_BINARY) {
  const std::string out = dir / ".stdout", err = dir / ".stderr";
  const std::string cmd = "cd " + quote(dir.path().string()) + " && " + quote(binary) + " " + args + " >" + quote(out) +
                          " 2>" + quote(err) + " </dev/null";
  const int status = std::system(cmd.c_str());
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// A user error as the CLI must report it: exit code 2 and exactly one line on
// stderr, "etch: ...", naming everything in `mentions`.
inline void expect_one_line_user_error(const ProcessResult& r, const std::vector<std::string>& mentions) {
  EXPECT_EQ(r.exit_code, 2) << "stdout: " << r.out << "\nstderr: " << r.err;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(r.err.rfind("etch: ", 0), 0u) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "expected exactly one line, got:\n" << r.err;
  for (const std::string& m : mentions)
    EXPECT_NE(r.err.find(m), std::string::npos) << "missing '" << m << "' in: " << r.err;
}

// Appended piecewise: GCC 12 reports a false -Warray-bounds on
// std::string(literal) + "/" + rel for some source-folder lengths.
inline std::string source_path(const std::string& rel) {
  std::string path = ETCH_SOURCE_DIR;
  path += '/';
  path += rel;
  return path;
}

// The fixture CNN (fixtures/cnn.onnx) that most CLI tests run.
inline const std::string kCnn = source_path("fixtures/cnn.onnx");

}  // namespace etch::testing
