#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "providers/transport/http_client.h"

namespace mfgctl {

/// What may be shown of one request: its URL and headers with every secret
/// value replaced by `kRedacted`, and a scrubber for texts (errors, a
/// server's reply quoted in one) that might repeat a secret.
class HttpRedactor {
 public:
  explicit HttpRedactor(const HttpRequest& request);

  /// `GET https://host/path?X-Amz-Signature=(sensitive value)`: how every
  /// log line and error names the request.
  const std::string& Subject() const { return subject_; }
  /// `Name: value; Name: (sensitive value)`, in order.
  std::string Headers(const HttpHeaders& headers) const;
  /// `text` with every secret value of the request replaced.
  std::string Scrub(std::string_view text) const;

 private:
  bool IsSecretHeader(std::string_view name) const;
  std::vector<std::string> secret_headers_;
  std::vector<std::string> secrets_;  // longest first, so no part of one survives
  std::string subject_;
};

/// `url` with the values of the named query parameters and a password in
/// its user info replaced by `kRedacted`.
std::string RedactUrl(std::string_view url, const std::vector<std::string>& secret_query);

}  // namespace mfgctl
