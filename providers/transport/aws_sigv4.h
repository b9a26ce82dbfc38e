#pragma once

#include <chrono>
#include <string>

#include "providers/transport/http_client.h"

namespace mfgctl {

/// An access key pair (and, for temporary credentials, the session token).
struct AwsCredentials {
  std::string access_key;
  std::string secret_key;
  std::string session_token;
};

/// Signs `request` with AWS Signature Version 4 (header form): adds
/// `X-Amz-Date`, `X-Amz-Security-Token` (with a session token),
/// `X-Amz-Content-Sha256` for service `s3` (the body's SHA-256; S3 wants it
/// signed) and `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
/// Signature=...`. Signed: `Host` (from the URL, the port kept unless it is
/// the scheme's default) and every header the request has. The URL's path
/// must be percent-encoded already (UrlEncode with "/" kept), as S3 wants
/// it signed unchanged; its query is put in canonical order. Call it last:
/// a header changed after signing breaks the signature.
void SignAwsV4(HttpRequest* request, const AwsCredentials& credentials, const std::string& region,
               const std::string& service, std::chrono::system_clock::time_point now);

/// The pieces SignAwsV4 builds, for tests against AWS's published
/// intermediate values.
struct AwsV4Parts {
  std::string scope;           // DAY/REGION/SERVICE/aws4_request
  std::string signed_headers;  // host;x-amz-date
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};
AwsV4Parts AwsV4Sign(const HttpRequest& request, const AwsCredentials& credentials,
                     const std::string& region, const std::string& service,
                     std::chrono::system_clock::time_point now);

}  // namespace mfgctl
