#include "providers/gcp/google_rest.h"

#include <algorithm>
#include <chrono>
#include <thread>

#include "providers/transport/http_json.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {

bool ListPages(HttpClient& http, const std::string& url, const char* key, const std::string& what,
               std::vector<Value>* out, std::string* error) {
  std::string page;
  do {
    HttpRequest r =
        JsonRequest("GET", url + (page.empty() ? "" : "&pageToken=" + UrlEncode(page)));
    Value body;
    if (!SendJson(http, r, &body, error)) return false;
    if (!body.is_object()) body = Value::object();
    for (const auto& o : body.value(key, Value::array())) out->push_back(o);
    std::string next = StringAttr(body, "nextPageToken");
    if (!next.empty() && next == page) {
      *error = "listing " + what + " returned the same page token twice";
      return false;
    }
    page = std::move(next);
  } while (!page.empty());
  return true;
}

bool CreateAndReadBack(HttpClient& http, const HttpRequest& create, const std::string& get_url,
                       const ResourceAddress& address, Value* made, std::string* error) {
  HttpResponse resp = http.Send(create);
  Value unused;
  if (resp.error.empty() && resp.status == 409 && resp.attempts > 1) {
    // An earlier attempt of ours made it before the answer was lost.
  } else if (!ParseJsonResponse(create, resp, &unused, error)) {
    if (resp.error.empty() && resp.status == 409) {
      *error += "\n  it exists already: `mfgctl import " + address.ToString() + " " +
                address.name + "` adopts it";
    }
    return false;
  }
  auto wait = std::chrono::milliseconds(100);
  for (int attempt = 0;; ++attempt) {
    HttpRequest get = JsonRequest("GET", get_url);
    HttpResponse got = http.Send(get);
    if (got.error.empty() && got.status == 404 && attempt < 10) {
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(2000));
      continue;
    }
    return ParseJsonResponse(get, got, made, error);
  }
}

}  // namespace mfgctl
