#include "providers/transport/aws_sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "engine/model/digest.h"
#include "providers/transport/url_encode.h"

namespace mfgctl {
namespace {

std::string Hmac(const std::string& key, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return std::string(reinterpret_cast<char*>(mac), len);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Trimmed, inner runs of spaces made one.
std::string CanonicalValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string CanonicalQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view p = query.substr(0, amp);
    query = amp == std::string_view::npos ? "" : query.substr(amp + 1);
    if (p.empty()) continue;
    size_t eq = p.find('=');
    std::string_view k = p.substr(0, eq);
    std::string_view v = eq == std::string_view::npos ? "" : p.substr(eq + 1);
    params.emplace_back(UrlEncode(PercentDecode(k)), UrlEncode(PercentDecode(v)));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

struct UrlParts {
  std::string host;  // with a port that is not the scheme's default
  std::string path;
  std::string query;
};

UrlParts Split(const std::string& url) {
  UrlParts u;
  size_t scheme = url.find("://");
  bool https = url.rfind("https://", 0) == 0;
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  size_t slash = url.find_first_of("/?", start);
  u.host = url.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  if (https && u.host.size() > 4 && u.host.ends_with(":443")) u.host.resize(u.host.size() - 4);
  if (!https && u.host.size() > 3 && u.host.ends_with(":80")) u.host.resize(u.host.size() - 3);
  std::string rest = slash == std::string::npos ? "" : url.substr(slash);
  size_t q = rest.find('?');
  u.path = rest.substr(0, q);
  if (q != std::string::npos) u.query = rest.substr(q + 1);
  if (u.path.empty()) u.path = "/";
  return u;
}

std::string AmzDate(std::chrono::system_clock::time_point now) {
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[17];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

}  // namespace

AwsV4Parts AwsV4Sign(const HttpRequest& request, const AwsCredentials& credentials,
                     const std::string& region, const std::string& service,
                     std::chrono::system_clock::time_point now) {
  UrlParts url = Split(request.url);
  std::map<std::string, std::string> headers = {{"host", url.host}};
  for (const auto& [name, value] : request.headers.fields) {
    std::string key = Lower(name);
    if (key == "host" || key == "authorization") continue;
    std::string& joined = headers[key];
    joined += (joined.empty() ? "" : ",") + CanonicalValue(value);
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  const std::string date = AmzDate(now);
  const std::string day = date.substr(0, 8);
  const std::string scope = day + "/" + region + "/" + service + "/aws4_request";
  AwsV4Parts parts;
  parts.scope = scope;
  parts.signed_headers = signed_headers;
  parts.canonical_request = request.method + "\n" + url.path + "\n" + CanonicalQuery(url.query) +
                            "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                            Sha256Hex(request.body);
  parts.string_to_sign = "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" +
                         Sha256Hex(parts.canonical_request);
  std::string key = Hmac("AWS4" + credentials.secret_key, day);
  key = Hmac(key, region);
  key = Hmac(key, service);
  key = Hmac(key, "aws4_request");
  std::string mac = Hmac(key, parts.string_to_sign);
  parts.signature = Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  return parts;
}

void SignAwsV4(HttpRequest* request, const AwsCredentials& credentials, const std::string& region,
               const std::string& service, std::chrono::system_clock::time_point now) {
  request->headers.Set("X-Amz-Date", AmzDate(now));
  if (service == "s3") request->headers.Set("X-Amz-Content-Sha256", Sha256Hex(request->body));
  if (!credentials.session_token.empty()) {
    request->headers.Set("X-Amz-Security-Token", credentials.session_token);
  }
  AwsV4Parts parts = AwsV4Sign(*request, credentials, region, service, now);
  request->headers.Set("Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.access_key +
                                            "/" + parts.scope + ", SignedHeaders=" +
                                            parts.signed_headers + ", Signature=" +
                                            parts.signature);
}

}  // namespace mfgctl
