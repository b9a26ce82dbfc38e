#pragma once

// Internal to providers/gcp: what Google's REST collections share, whichever
// service — paginated lists and creates of client-named objects that read
// back once they exist.

#include <string>
#include <vector>

#include "engine/model/resource.h"
#include "engine/model/value.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// Every item under `key` of the paginated list at `url` (which carries its
/// page-size parameter), following `nextPageToken`. `what` names the list in
/// the error a repeated page token gives.
bool ListPages(HttpClient& http, const std::string& url, const char* key, const std::string& what,
               std::vector<Value>* out, std::string* error);

/// Sends `create` for an object whose name the caller chose: a 409 after an
/// earlier attempt of ours (its answer lost, the client retried) is adopted;
/// one on the first attempt fails with the `mfgctl import` that adopts
/// `address`. Then, Google's services being eventually consistent, GETs
/// `get_url` until it stops answering 404 (10 tries, 100 ms doubling to 2 s)
/// and returns what it read into `made`.
bool CreateAndReadBack(HttpClient& http, const HttpRequest& create, const std::string& get_url,
                       const ResourceAddress& address, Value* made, std::string* error);

}  // namespace mfgctl
