#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/model/value.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// An HttpClient over scripted answers, recording every request: provider
/// tests script what the service says, run the provider, and assert the
/// requests it made (method, URL, headers, body). No retries, no network.
/// Thread-safe.
class FakeHttpClient : public HttpClient {
 public:
  using Handler = std::function<HttpResponse(const HttpRequest&)>;

  /// Answers `method url` (exact) with `responses` in order; the last one
  /// repeats once the others are used.
  void Script(const std::string& method, const std::string& url,
              std::vector<HttpResponse> responses);
  /// Answers every request that no script matches.
  void SetHandler(Handler handler);

  /// Records `request`, then answers from its script, else the handler,
  /// else with an error naming it (status 0).
  HttpResponse Send(const HttpRequest& request) override;

  /// Every request sent, in order.
  std::vector<HttpRequest> Requests() const;
  /// How many times `method url` was sent.
  int Count(const std::string& method, const std::string& url) const;

  /// A response with `status` and `body` (1 attempt).
  static HttpResponse Reply(int status, std::string body = "");
  /// A response with `status` and `json` as its body, typed as JSON.
  static HttpResponse Json(int status, const Value& json);
  /// A transport failure: status 0 and `error`.
  static HttpResponse Failure(std::string error);

 private:
  struct Scripted {
    std::vector<HttpResponse> responses;
    size_t next = 0;
  };
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Scripted> scripts_;
  Handler handler_;
  std::vector<HttpRequest> requests_;
};

}  // namespace mfgctl
