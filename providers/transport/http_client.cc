// The one user of libcurl.
#include "providers/transport/http_client.h"

#include <curl/curl.h>
#include <strings.h>

#include <algorithm>
#include <array>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "providers/transport/http_redaction.h"
#include "providers/transport/http_retry.h"

namespace mfgctl {
namespace {

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

void InitLibcurlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A counting limit per endpoint, like ninja's pools: Acquire waits while
// `limit` requests to that endpoint are in flight.
class EndpointSlots {
 public:
  explicit EndpointSlots(int limit) : limit_(std::max(1, limit)) {}
  void Acquire(const std::string& endpoint) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return in_flight_[endpoint] < limit_; });
    ++in_flight_[endpoint];
  }
  void Release(const std::string& endpoint) {
    std::lock_guard lock(mu_);
    if (--in_flight_[endpoint] == 0) in_flight_.erase(endpoint);
    cv_.notify_all();
  }

 private:
  const int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> in_flight_;
};

// What one attempt came to.
struct Attempt {
  CURLcode code = CURLE_OK;
  bool sent = false;  // some of the request went out: the server may have acted on it
  int sends = 0;      // times it went out: libcurl resends on a stale reused connection
  HttpResponse response;
  std::string detail;  // curl's message when code is not CURLE_OK
};

// Transport failures another attempt may get past: nothing listening yet,
// a reset or dropped connection, a timeout. TLS verification, bad URLs and
// unsupported schemes fail the same way every time.
bool IsTransient(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

std::string Advice(CURLcode code, const HttpClientOptions& options) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return options.ca_file.empty()
                 ? " (the server's certificate is not trusted: give the CA that signed it "
                   "as the CA file)"
                 : " (the server's certificate is not signed by a CA in " + options.ca_file + ")";
    case CURLE_SSL_CACERT_BADFILE:
      return " (cannot read the CA file " + options.ca_file + ")";
    default:
      return "";
  }
}

size_t CollectBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

int CountSend(void* sends, char*, char*, int, int) {
  ++*static_cast<int*>(sends);
  return CURL_PREREQFUNC_OK;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* out) {
  auto* headers = static_cast<HttpHeaders*>(out);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    headers->fields.clear();  // a new response (after 100 Continue): its own headers
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    headers->fields.emplace_back(std::string(Trim(line.substr(0, colon))),
                                 std::string(Trim(line.substr(colon + 1))));
  }
  return size * n;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

void HttpHeaders::Set(std::string name, std::string value) {
  std::erase_if(fields, [&](const auto& f) { return EqualsNoCase(f.first, name); });
  fields.emplace_back(std::move(name), std::move(value));
}

std::optional<std::string> HttpHeaders::Get(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (EqualsNoCase(n, name)) return v;
  }
  return std::nullopt;
}

bool IsIdempotent(const HttpRequest& request) {
  if (request.idempotent) return true;
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}) {
    if (EqualsNoCase(request.method, m)) return true;
  }
  return false;
}

std::string HttpEndpointOf(std::string_view url) {
  size_t sep = url.find("://");
  if (sep == std::string_view::npos) return "";
  std::string scheme = Lower(url.substr(0, sep));
  std::string_view authority = url.substr(sep + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority, port;
  size_t colon = authority.rfind(':');
  size_t bracket = authority.rfind(']');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  std::string default_port = scheme == "https" ? "443" : scheme == "http" ? "80" : "";
  return scheme + "://" + Lower(host) + ":" + std::string(port.empty() ? default_port : port);
}

bool SafeForCredentials(std::string_view url) {
  std::string endpoint = HttpEndpointOf(url);
  if (endpoint.rfind("https://", 0) == 0) return true;
  for (const char* local : {"http://127.0.0.1:", "http://localhost:", "http://[::1]:"}) {
    if (endpoint.rfind(local, 0) == 0) return true;
  }
  return false;
}

struct CurlHttpClient::Impl {
  explicit Impl(HttpClientOptions o)
      : options(std::move(o)), slots(options.max_in_flight_per_endpoint) {
    if (!options.sleep) options.sleep = [](auto d) { std::this_thread::sleep_for(d); };
    InitLibcurlOnce();
    // DNS answers and TLS sessions are shared by all handles; connections
    // stay with the handle that made them, which the pool hands out last
    // in, first out, so a thread sending in sequence keeps its connection.
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::Lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::Unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    rng.seed(std::random_device{}());
  }
  ~Impl() {
    for (CURL* h : idle) curl_easy_cleanup(h);
    curl_share_cleanup(share);
  }

  static void Lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<Impl*>(self)->share_locks[data].lock();
  }
  static void Unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<Impl*>(self)->share_locks[data].unlock();
  }

  CURL* TakeHandle() {
    std::lock_guard lock(pool_mu);
    if (idle.empty()) return curl_easy_init();
    CURL* h = idle.back();
    idle.pop_back();
    return h;
  }
  void ReturnHandle(CURL* h) {
    std::lock_guard lock(pool_mu);
    idle.push_back(h);
  }

  double Unit() {
    std::lock_guard lock(rng_mu);
    return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  }

  void Log(const std::string& line) const {
    if (options.log) options.log("http: " + line);
  }

  Attempt Perform(const HttpRequest& request);
  std::chrono::milliseconds Delay(const Attempt& a, int retry, std::string* why);

  HttpClientOptions options;
  EndpointSlots slots;
  CURLSH* share = nullptr;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  std::mutex pool_mu;
  std::vector<CURL*> idle;
  std::mutex rng_mu;
  std::mt19937_64 rng;
};

Attempt CurlHttpClient::Impl::Perform(const HttpRequest& request) {
  Attempt a;
  CURL* h = TakeHandle();
  if (h == nullptr) {
    a.code = CURLE_OUT_OF_MEMORY;
    a.detail = "cannot make a libcurl handle";
    return a;
  }
  // A reset handle keeps its live connections and caches, not its options.
  curl_easy_reset(h);
  char error[CURL_ERROR_SIZE] = "";
  curl_slist* headers = nullptr;
  bool has_content_type = false, has_expect = false;
  for (const auto& [name, value] : request.headers.fields) {
    // `Name;` is libcurl's way to send a header with an empty value.
    std::string line = value.empty() ? name + ";" : name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
    has_content_type |= EqualsNoCase(name, "Content-Type");
    has_expect |= EqualsNoCase(name, "Expect");
  }
  // Sends exactly the caller's headers: no form content type for a body,
  // no `Expect: 100-continue` round trip (it would also change what a
  // SigV4 signature covers).
  if (!has_content_type) headers = curl_slist_append(headers, "Content-Type:");
  if (!has_expect) headers = curl_slist_append(headers, "Expect:");

  auto timeout = request.timeout.count() > 0 ? request.timeout : options.timeout;
  curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
  // The path goes out as written: a signed request (SigV4 signs the path)
  // whose object key holds `./` or `../` must not be rewritten by curl.
  curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // threads: no SIGALRM for DNS timeouts
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(h, CURLOPT_SHARE, share);
  // libcurl resends, once and silently, a request whose reused connection
  // fails before any reply: right for a stale keep-alive connection, wrong
  // for a POST the server may have acted on. Those get a connection of
  // their own (it is kept for the requests after).
  if (!IsIdempotent(request)) curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
  // Counts those resends: a caller asking whether an earlier attempt of
  // its own may have acted (a 409 on a create) must hear of them.
  curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, &CountSend);
  curl_easy_setopt(h, CURLOPT_PREREQDATA, &a.sends);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.response.headers);
  bool bodiless =
      request.body.empty() &&
      (EqualsNoCase(request.method, "GET") || EqualsNoCase(request.method, "HEAD") ||
       EqualsNoCase(request.method, "DELETE") || EqualsNoCase(request.method, "OPTIONS"));
  if (EqualsNoCase(request.method, "HEAD")) {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (!bodiless) {
    // Sent from the request itself on every attempt; a POST or PUT with an
    // empty body still says `Content-Length: 0`.
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  if (!EqualsNoCase(request.method, "GET") && !EqualsNoCase(request.method, "HEAD") &&
      !EqualsNoCase(request.method, "POST")) {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  a.code = curl_easy_perform(h);
  long status = 0, request_size = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &request_size);
  a.response.status = a.code == CURLE_OK ? static_cast<int>(status) : 0;
  a.sent = request_size > 0;
  if (a.code != CURLE_OK) a.detail = error[0] ? error : curl_easy_strerror(a.code);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
  curl_easy_setopt(h, CURLOPT_PREREQDATA, nullptr);
  curl_slist_free_all(headers);
  ReturnHandle(h);
  return a;
}

// The wait before retry `retry`: the server's Retry-After (capped) when it
// gave one, else the jittered backoff; `why` says which, for the log.
std::chrono::milliseconds CurlHttpClient::Impl::Delay(const Attempt& a, int retry,
                                                      std::string* why) {
  if (auto value = a.response.Header("Retry-After")) {
    if (auto d = ParseRetryAfter(*value, std::chrono::system_clock::now())) {
      *why = " (Retry-After: " + *value + ")";
      return std::min(*d, options.retry_after_cap);
    }
  }
  *why = "";
  return Backoff(retry, options.backoff_base, options.backoff_cap, Unit());
}

CurlHttpClient::CurlHttpClient(HttpClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

CurlHttpClient::~CurlHttpClient() = default;

HttpResponse CurlHttpClient::Send(const HttpRequest& request) {
  const HttpClientOptions& options = impl_->options;
  HttpRedactor redactor(request);
  const bool idempotent = IsIdempotent(request);
  const std::string endpoint = HttpEndpointOf(request.url);
  const int max_attempts = std::max(1, options.max_attempts);
  const std::string headers = redactor.Headers(request.headers);
  int resends = 0;  // libcurl's own, on a stale connection
  for (int attempt = 1;; ++attempt) {
    std::string step = redactor.Subject() + " attempt " + std::to_string(attempt) + "/" +
                       std::to_string(max_attempts);
    impl_->Log(step + (headers.empty() ? "" : " [" + headers + "]"));
    impl_->slots.Acquire(endpoint);
    Attempt a = impl_->Perform(request);
    impl_->slots.Release(endpoint);
    resends += std::max(0, a.sends - 1);
    a.response.attempts = attempt + resends;

    std::string outcome;  // what happened, for the log and an error
    std::string note;     // why there is no retry, for an error
    bool retry = false;
    if (a.code == CURLE_OK) {
      outcome = "HTTP " + std::to_string(a.response.status);
      if (!IsRetryableStatus(a.response.status) || !idempotent || max_attempts == 1) {
        impl_->Log(step + ": " + outcome);
        return std::move(a.response);
      }
      retry = true;
    } else {
      outcome = redactor.Scrub(a.detail);
      if (!IsTransient(a.code)) {
        note = Advice(a.code, options);
      } else if (a.sent && !idempotent) {
        note = " (not retried: the request may have reached the server and is not idempotent)";
      } else {
        retry = true;
      }
    }
    if (retry && attempt == max_attempts) {
      retry = false;
      if (max_attempts > 1) note = " (gave up after " + std::to_string(attempt) + " attempts)";
    }
    if (!retry) {
      impl_->Log(step + ": " + outcome + "; giving up");
      a.response.error = redactor.Subject() + ": " + outcome + note;
      return std::move(a.response);
    }
    std::string why;
    auto delay = impl_->Delay(a, attempt, &why);
    impl_->Log(step + ": " + outcome + "; retrying in " + Millis(delay) + why);
    options.sleep(delay);
  }
}

}  // namespace mfgctl
