#include "providers/transport/http_json.h"

#include "providers/transport/http_redaction.h"

namespace mfgctl {
namespace {

// Enough of a reply to show what the server objected to, not a whole page.
constexpr size_t kQuoted = 300;

std::string Quote(const HttpRedactor& redactor, const std::string& body) {
  if (body.empty()) return "";
  std::string start = body.size() > kQuoted ? body.substr(0, kQuoted) + "..." : body;
  for (char& c : start) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return ": " + redactor.Scrub(start);
}

}  // namespace

HttpRequest JsonRequest(std::string method, std::string url, const Value& body) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers.Set("Accept", "application/json");
  if (!body.is_null()) {
    r.headers.Set("Content-Type", "application/json");
    // Invalid UTF-8 in a string becomes U+FFFD rather than an exception.
    r.body = ShowJson(body);
  }
  return r;
}

bool ParseJsonResponse(const HttpRequest& request, const HttpResponse& response, Value* out,
                       std::string* error) {
  if (!response.error.empty()) {
    *error = response.error;
    return false;
  }
  HttpRedactor redactor(request);
  std::string status = "HTTP " + std::to_string(response.status);
  if (response.status < 200 || response.status > 299) {
    *error = redactor.Subject() + ": " + status + Quote(redactor, response.body);
    return false;
  }
  if (response.body.empty()) {
    *out = nullptr;
    return true;
  }
  try {
    *out = Value::parse(response.body);
    return true;
  } catch (const Value::parse_error& e) {
    // "[json.exception.parse_error.101] parse error at line 1, ...": the
    // library's tag says nothing to a user.
    std::string what = e.what();
    if (size_t tag = what.find("] "); tag != std::string::npos) what.erase(0, tag + 2);
    *error = redactor.Subject() + ": " + status + ": the response is not JSON (" + what + ")" +
             Quote(redactor, response.body);
    return false;
  }
}

bool SendJson(HttpClient& client, const HttpRequest& request, Value* out, std::string* error,
              HttpResponse* response) {
  HttpResponse r = client.Send(request);
  bool ok = ParseJsonResponse(request, r, out, error);
  if (response != nullptr) *response = std::move(r);
  return ok;
}

}  // namespace mfgctl
