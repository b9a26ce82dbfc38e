// Sealing sensitive values: the second user of libcrypto in the engine,
// beside digest.cc.
#include "engine/model/sensitive.h"

#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <random>

#include "engine/model/digest.h"

namespace mfgctl {
namespace {

constexpr std::string_view kSealedPrefix = "hmac-sha256:";
constexpr std::string_view kDigestPrefix = "sha256:";

}  // namespace

std::string NewSalt() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    std::random_device rd;  // OpenSSL's generator failed: the kernel's
    for (auto& b : bytes) b = static_cast<unsigned char>(rd());
  }
  return Hex(bytes, sizeof bytes);
}

bool IsSealed(std::string_view s) {
  return s.size() == kSealedPrefix.size() + 64 &&
         s.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

Value Seal(const Value& v, std::string_view salt) {
  if (v.is_null()) return v;
  std::string hex;
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (IsSealed(s)) return v;
    hex = IsDigest(s) ? s.substr(kDigestPrefix.size()) : Sha256Hex(s);
  } else {
    hex = Sha256Hex(CanonicalJson(v));  // a map's digest whatever its keys' order
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), salt.data(), static_cast<int>(salt.size()),
       reinterpret_cast<const unsigned char*>(hex.data()), hex.size(), mac, &len);
  return std::string(kSealedPrefix) + Hex(mac, len);
}

Value SealNamed(Value attrs, const std::vector<std::string>& names, std::string_view salt) {
  if (!attrs.is_object()) return attrs;
  for (const auto& n : names) {
    auto it = attrs.find(n);
    if (it != attrs.end()) *it = Seal(*it, salt);
  }
  return attrs;
}

}  // namespace mfgctl
