#include "etch/core/atomic_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "etch/core/error.h"

namespace etch {

AtomicFile::AtomicFile(std::string path) : path_(std::move(path)) {
  temp_ = path_ + ".tmp." + std::to_string(::getpid());
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::write(const std::string& bytes) {
  std::ofstream f(temp_, std::ios::binary | std::ios::trunc);
  ETCH_REQUIRE(f.good(), InvalidInput) << path_ << ": cannot write (" << std::strerror(errno) << ")";
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  ETCH_REQUIRE(f.good(), InvalidInput) << path_ << ": write failed (" << std::strerror(errno) << ")";
}

void AtomicFile::commit() {
  ETCH_REQUIRE(std::rename(temp_.c_str(), path_.c_str()) == 0, InvalidInput)
      << path_ << ": cannot rename temporary file into place (" << std::strerror(errno) << ")";
  committed_ = true;
}

void write_file_atomic(const std::string& path, const std::string& bytes) {
  AtomicFile f(path);
  f.write(bytes);
  f.commit();
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  ETCH_REQUIRE(f.good(), InvalidInput) << path << ": cannot open (" << std::strerror(errno) << ")";
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace etch
