#pragma once

#include <string>

#include "engine/model/value.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// A request carrying `body` as JSON (`Content-Type` and `Accept` set to
/// `application/json`); a null `body` sends none.
HttpRequest JsonRequest(std::string method, std::string url, const Value& body = nullptr);

/// The JSON in a 2xx `response` to `request` (null for an empty body). False
/// and `error` otherwise, naming method, URL and status and quoting the
/// start of what the server said, secrets redacted: the request failed, the
/// status is not 2xx, or the body is not JSON.
bool ParseJsonResponse(const HttpRequest& request, const HttpResponse& response, Value* out,
                       std::string* error);

/// Sends `request` and parses the response as ParseJsonResponse does;
/// `response` (optional) receives the response itself (status, headers).
bool SendJson(HttpClient& client, const HttpRequest& request, Value* out, std::string* error,
              HttpResponse* response = nullptr);

}  // namespace mfgctl
