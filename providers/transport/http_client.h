#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mfgctl {

/// Header fields in the order given; names compare case-insensitively.
struct HttpHeaders {
  std::vector<std::pair<std::string, std::string>> fields;

  /// Replaces every field named `name` with one field.
  void Set(std::string name, std::string value);
  /// The first field named `name`, or nullopt.
  std::optional<std::string> Get(std::string_view name) const;
};

/// One HTTP request as a provider means it. A plain struct, so that a new
/// field breaks nobody and a fake can record it whole.
struct HttpRequest {
  std::string method = "GET";
  /// `http://` or `https://`; other schemes are refused.
  std::string url;
  HttpHeaders headers;
  std::string body;
  /// The whole exchange of one attempt, connecting included; zero: the
  /// client's default.
  std::chrono::milliseconds timeout{0};
  /// Whether sending it twice does no more than sending it once. GET, HEAD,
  /// PUT, DELETE and OPTIONS are idempotent by their method; set this for a
  /// POST or PATCH that is (a create with a client-chosen name, a
  /// conditional write). Only idempotent requests are retried once they may
  /// have reached the server.
  bool idempotent = false;
  /// Header names (any case) whose values are secret beyond the ones always
  /// treated so (`Authorization`, `Proxy-Authorization`, `Cookie`,
  /// `X-Amz-Security-Token`): logs and errors show `(sensitive value)`.
  std::vector<std::string> secret_headers;
  /// Query parameter names (exact case: `X-Amz-Signature`) whose values are
  /// secret, likewise.
  std::vector<std::string> secret_query;
};

/// True when the method is idempotent by definition or the request says so.
bool IsIdempotent(const HttpRequest& request);

/// What came back, after retries.
struct HttpResponse {
  /// The HTTP status of the last attempt; 0 when none arrived.
  int status = 0;
  HttpHeaders headers;
  std::string body;
  /// Why the request failed as a whole, naming method and URL, secrets
  /// redacted: no response (connection refused, reset, timeout, TLS
  /// verification) or retries given up on a retryable status (then
  /// `status` and `body` are those of the last attempt). Empty when the
  /// response is final, whatever its status.
  std::string error;
  /// Attempts made, 1 without retries. libcurl's own silent resend on a
  /// stale keep-alive connection counts as one: the server may have acted
  /// on the request before the connection died.
  int attempts = 0;

  /// No error and a 2xx status.
  bool Ok() const { return error.empty() && status >= 200 && status < 300; }
  std::optional<std::string> Header(std::string_view name) const { return headers.Get(name); }
};

/// Sends HTTP requests. The seam between cloud providers and the wire: the
/// libcurl client implements it; unit tests use `FakeHttpClient`
/// (`tests/support/fake_http.h`). Implementations are thread-safe.
class HttpClient {
 public:
  virtual ~HttpClient() = default;
  /// Sends `request`, retrying where the implementation's policy says, and
  /// returns the final response. Never throws.
  virtual HttpResponse Send(const HttpRequest& request) = 0;
};

/// How the libcurl client connects, waits and retries.
struct HttpClientOptions {
  /// A PEM file of certificate authorities to verify servers against (a
  /// private CA, an emulator's self-signed certificate); empty: the system's.
  /// Verification of the server's certificate and name is always on.
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10000};
  /// One attempt's whole exchange, unless the request sets its own.
  std::chrono::milliseconds timeout{60000};
  /// Attempts per request, the first included; 1: no retries.
  int max_attempts = 4;
  /// Backoff before retry n (1-based) is drawn from [d/2, d] with
  /// d = min(backoff_cap, backoff_base * 2^(n-1)).
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_cap{30000};
  /// A server's `Retry-After` (seconds or HTTP-date) is waited instead of
  /// the backoff, but never longer than this.
  std::chrono::milliseconds retry_after_cap{60000};
  /// Requests in flight at once per endpoint (scheme://host:port), across
  /// threads; further requests wait for a slot. A retry's wait holds none.
  int max_in_flight_per_endpoint = 8;
  std::string user_agent = "mfgctl";
  /// Waits between attempts; tests record instead of sleeping.
  std::function<void(std::chrono::milliseconds)> sleep;
  /// Receives one line per attempt and per outcome (method, URL, headers,
  /// status, attempt, delay), secrets redacted. Called from the sending
  /// thread, so it must be thread-safe. Null: no log.
  std::function<void(const std::string&)> log;
};

/// The libcurl client: reuses connections (a pool of handles, DNS and TLS
/// sessions shared), verifies TLS, bounds requests per endpoint, retries
/// 429, 500, 502, 503, 504, resets and timeouts of idempotent requests with
/// jittered exponential backoff or the server's `Retry-After`; any request
/// is retried when the connection could not be made. A request that is not
/// idempotent goes out on a new connection (libcurl would silently resend it
/// if a reused one failed). Redirects are not followed. Thread-safe.
class CurlHttpClient : public HttpClient {
 public:
  explicit CurlHttpClient(HttpClientOptions options = {});
  ~CurlHttpClient() override;
  HttpResponse Send(const HttpRequest& request) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// `scheme://host:port` of `url`, the port made explicit (80, 443): what
/// the in-flight bound counts by. Empty when `url` has no scheme.
std::string HttpEndpointOf(std::string_view url);

/// Whether credentials may go to `url`: HTTPS anywhere, plain HTTP only to
/// this machine (127.0.0.1, localhost, [::1]: an emulator, a test's server).
bool SafeForCredentials(std::string_view url);

}  // namespace mfgctl
