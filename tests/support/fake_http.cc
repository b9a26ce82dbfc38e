#include "tests/support/fake_http.h"

#include <algorithm>

namespace mfgctl {

void FakeHttpClient::Script(const std::string& method, const std::string& url,
                            std::vector<HttpResponse> responses) {
  std::lock_guard lock(mu_);
  scripts_[{method, url}] = {std::move(responses), 0};
}

void FakeHttpClient::SetHandler(Handler handler) {
  std::lock_guard lock(mu_);
  handler_ = std::move(handler);
}

HttpResponse FakeHttpClient::Send(const HttpRequest& request) {
  Handler handler;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    auto it = scripts_.find({request.method, request.url});
    if (it != scripts_.end() && !it->second.responses.empty()) {
      Scripted& s = it->second;
      size_t k = std::min(s.next, s.responses.size() - 1);
      s.next = std::min(s.next + 1, s.responses.size());
      return s.responses[k];
    }
    handler = handler_;
  }
  // Called without the lock, so a handler may block or send again.
  if (handler) return handler(request);
  return Failure("fake: no response scripted for " + request.method + " " + request.url);
}

std::vector<HttpRequest> FakeHttpClient::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

int FakeHttpClient::Count(const std::string& method, const std::string& url) const {
  std::lock_guard lock(mu_);
  return static_cast<int>(std::count_if(requests_.begin(), requests_.end(), [&](const auto& r) {
    return r.method == method && r.url == url;
  }));
}

HttpResponse FakeHttpClient::Reply(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.attempts = 1;
  return r;
}

HttpResponse FakeHttpClient::Json(int status, const Value& json) {
  HttpResponse r = Reply(status, json.dump());
  r.headers.Set("Content-Type", "application/json");
  return r;
}

HttpResponse FakeHttpClient::Failure(std::string error) {
  HttpResponse r;
  r.error = std::move(error);
  r.attempts = 1;
  return r;
}

}  // namespace mfgctl
