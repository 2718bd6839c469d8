#include "etch/eval/sha256.h"

#include <openssl/evp.h>

#include "etch/core/error.h"

namespace etch::eval {

struct Sha256::Ctx {
  EVP_MD_CTX* md = nullptr;
};

Sha256::Sha256() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md = EVP_MD_CTX_new();
  ETCH_CHECK(ctx_->md != nullptr && EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) == 1)
      << "OpenSSL SHA-256 initialisation failed";
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_->md); }

Sha256& Sha256::update(const void* data, size_t n) {
  ETCH_CHECK(EVP_DigestUpdate(ctx_->md, data, n) == 1) << "OpenSSL SHA-256 update failed";
  return *this;
}

Sha256& Sha256::field(std::string_view s) {
  const uint64_t len = s.size();
  uint8_t le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<uint8_t>(len >> (8 * i));
  update(le, sizeof(le));
  return update(s);
}

std::array<uint8_t, 32> Sha256::digest() {
  std::array<uint8_t, 32> out{};
  unsigned int n = 0;
  ETCH_CHECK(EVP_DigestFinal_ex(ctx_->md, out.data(), &n) == 1 && n == out.size()) << "OpenSSL SHA-256 final failed";
  return out;
}

std::string Sha256::hex() {
  static const char* kDigits = "0123456789abcdef";
  std::string s;
  for (uint8_t b : digest()) {
    s += kDigits[b >> 4];
    s += kDigits[b & 15];
  }
  return s;
}

std::string sha256_hex(std::string_view data) { return Sha256().update(data).hex(); }

}  // namespace etch::eval
