#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "providers/transport/http_client.h"

namespace mfgctl {

/// The parts of a Google service-account key file (JSON, as the console
/// and `gcloud iam service-accounts keys create` write it) that signing in
/// needs.
struct ServiceAccountKey {
  std::string client_email;
  std::string private_key;     // PEM, PKCS#8
  std::string private_key_id;  // the JWT's `kid`
  std::string token_uri;       // where the signed assertion is exchanged
};

/// Reads a key file's JSON. False and `error` (naming `file` and the
/// missing or wrong field) when it is not a service-account key.
bool ParseServiceAccountKey(std::string_view json, const std::string& file,
                            ServiceAccountKey* key, std::string* error);

/// The OAuth 2.0 JWT-bearer assertion (RFC 7523) Google's token endpoint
/// takes: `{"alg":"RS256","typ":"JWT","kid":...}`, claims iss = the
/// account, scope, aud = token_uri, iat = `now`, exp = one hour later,
/// signed RS256 with the key. False and `error` when the key does not load.
bool SignJwtAssertion(const ServiceAccountKey& key, std::string_view scope,
                      std::chrono::system_clock::time_point now, std::string* jwt,
                      std::string* error);

/// Access tokens for one service account: signs an assertion, exchanges it
/// at the key's token_uri (HTTPS, or plain HTTP to a loopback address only)
/// and keeps the token until a minute before it expires. In memory only:
/// the token is never written anywhere. Thread-safe; one exchange at a time.
class ServiceAccountTokens {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  ServiceAccountTokens(ServiceAccountKey key, std::shared_ptr<HttpClient> http,
                       Clock now = std::chrono::system_clock::now);

  /// A token valid for at least a minute more. False and `error` when the
  /// exchange fails (the endpoint's own error quoted).
  bool Token(std::string* token, std::string* error);

  static constexpr char kScope[] = "https://www.googleapis.com/auth/cloud-platform";

 private:
  ServiceAccountKey key_;
  std::shared_ptr<HttpClient> http_;
  Clock now_;
  std::mutex mu_;
  std::string token_;
  std::chrono::system_clock::time_point expires_{};
};

}  // namespace mfgctl
