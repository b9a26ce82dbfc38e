#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX

namespace mfgctl {

/// `sha256:` followed by the lowercase hex SHA-256 of data.
std::string Sha256Digest(std::string_view data);

/// Lowercase hex of `len` bytes.
std::string Hex(const unsigned char* data, size_t len);

/// The lowercase hex SHA-256 of data, without prefix.
std::string Sha256Hex(std::string_view data);

/// SHA-256 over data given in pieces: what an upload sent, a large file.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void Update(const void* data, size_t size);
  /// Sha256Digest of everything given; once.
  std::string Digest();

 private:
  ::evp_md_ctx_st* ctx_;
};

/// Sha256Digest of a file's bytes, read in pieces (bundles hold large
/// files); nullopt when it cannot be read.
std::optional<std::string> Sha256FileDigest(const std::string& path);

/// True for strings shaped like Sha256Digest's output.
bool IsDigest(std::string_view s);

}  // namespace mfgctl
