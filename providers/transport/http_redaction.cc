#include "providers/transport/http_redaction.h"

#include <strings.h>

#include <algorithm>

#include "engine/model/sensitive.h"

namespace mfgctl {
namespace {

// Always secret, whatever the caller says: credentials of every scheme
// (Bearer, Basic, SigV4's whole `Authorization`), session tokens, cookies.
constexpr std::string_view kAlwaysSecret[] = {"Authorization", "Proxy-Authorization", "Cookie",
                                              "Set-Cookie", "X-Amz-Security-Token"};

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// The query's `name=value` pairs, each value between `=` and the next `&`
// or `#`; `secret` says which names' values to yield.
template <typename F>
void ForEachSecretQueryValue(std::string_view url, const std::vector<std::string>& secret, F&& f) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return;
  size_t end = std::min(url.find('#', q), url.size());
  size_t pos = q + 1;
  while (pos < end) {
    size_t amp = std::min(url.find('&', pos), end);
    size_t eq = url.find('=', pos);
    if (eq != std::string_view::npos && eq < amp) {
      std::string_view name = url.substr(pos, eq - pos);
      if (std::find(secret.begin(), secret.end(), name) != secret.end()) f(eq + 1, amp);
    }
    pos = amp + 1;
  }
}

// [begin, end) of the password in `scheme://user:password@host`, or empty.
std::pair<size_t, size_t> PasswordSpan(std::string_view url) {
  size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) return {0, 0};
  size_t start = scheme + 3;
  size_t host_end = std::min(url.find_first_of("/?#", start), url.size());
  size_t at = url.rfind('@', host_end);
  if (at == std::string_view::npos || at < start) return {0, 0};
  size_t colon = url.find(':', start);
  if (colon == std::string_view::npos || colon > at) return {0, 0};
  return {colon + 1, at};
}

}  // namespace

std::string RedactUrl(std::string_view url, const std::vector<std::string>& secret_query) {
  // Spans in order of position; replaced from the back so earlier ones keep their offsets.
  std::vector<std::pair<size_t, size_t>> spans;
  auto password = PasswordSpan(url);
  if (password.second > password.first) spans.push_back(password);
  ForEachSecretQueryValue(url, secret_query, [&](size_t b, size_t e) { spans.push_back({b, e}); });
  std::string out(url);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    out.replace(it->first, it->second - it->first, kRedacted);
  }
  return out;
}

HttpRedactor::HttpRedactor(const HttpRequest& request) : secret_headers_(request.secret_headers) {
  for (std::string_view name : kAlwaysSecret) secret_headers_.emplace_back(name);
  auto add = [this](std::string_view value) {
    if (!value.empty()) secrets_.emplace_back(value);
  };
  for (const auto& [name, value] : request.headers.fields) {
    if (!IsSecretHeader(name)) continue;
    add(value);
    // `Bearer TOKEN`: a server may quote the token alone.
    size_t space = value.find(' ');
    if (space != std::string::npos) add(std::string_view(value).substr(space + 1));
  }
  std::string_view url = request.url;
  auto password = PasswordSpan(url);
  add(url.substr(password.first, password.second - password.first));
  ForEachSecretQueryValue(url, request.secret_query,
                          [&](size_t b, size_t e) { add(url.substr(b, e - b)); });
  std::sort(secrets_.begin(), secrets_.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  subject_ = request.method + " " + RedactUrl(request.url, request.secret_query);
}

bool HttpRedactor::IsSecretHeader(std::string_view name) const {
  return std::any_of(secret_headers_.begin(), secret_headers_.end(),
                     [&](const std::string& s) { return EqualsNoCase(s, name); });
}

std::string HttpRedactor::Headers(const HttpHeaders& headers) const {
  std::string out;
  for (const auto& [name, value] : headers.fields) {
    if (!out.empty()) out += "; ";
    out += name + ": " + (IsSecretHeader(name) ? std::string(kRedacted) : value);
  }
  return out;
}

std::string HttpRedactor::Scrub(std::string_view text) const {
  std::string out(text);
  for (const auto& secret : secrets_) {
    for (size_t pos = out.find(secret); pos != std::string::npos;
         pos = out.find(secret, pos + std::char_traits<char>::length(kRedacted))) {
      out.replace(pos, secret.size(), kRedacted);
    }
  }
  return out;
}

}  // namespace mfgctl
