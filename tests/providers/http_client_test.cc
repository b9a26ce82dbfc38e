// The libcurl client against tests/support/fault_server.py on loopback: a
// plain and a TLS server started once for the suite. Waits between attempts
// are recorded by the sleep hook, never slept, and asserted exactly.
#include "providers/transport/http_client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>
#include <thread>

#include "providers/transport/http_json.h"
#include "tests/support/script_server.h"

namespace mfgctl {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class HttpClientTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir[] = "/tmp/mfgctl-http-test-XXXXXX";
    tls_dir_ = new std::string(mkdtemp(dir));
    error_ = new std::string;
    plain_ = ScriptServer::Start(kFaultServer, {}, error_).release();
    if (plain_ != nullptr)
      tls_ = ScriptServer::Start(kFaultServer, {"--tls", *tls_dir_}, error_).release();
  }
  static void TearDownTestSuite() {
    delete plain_;
    delete tls_;
    std::filesystem::remove_all(*tls_dir_);
    delete tls_dir_;
    delete error_;
  }
  void SetUp() override {
    ASSERT_NE(plain_, nullptr) << *error_;
    ASSERT_NE(tls_, nullptr) << *error_;
  }

  // Options whose sleeps and log lines are recorded.
  HttpClientOptions Options() {
    HttpClientOptions o;
    o.sleep = [this](milliseconds d) {
      std::lock_guard lock(mu_);
      sleeps_.push_back(d);
    };
    o.log = [this](const std::string& line) {
      std::lock_guard lock(mu_);
      log_.push_back(line);
    };
    return o;
  }

  // A counter key of this test's own on the server.
  static std::string Key() {
    return ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  static std::string Url(const std::string& kind, const std::string& query) {
    return plain_->Url("/" + kind + "/" + Key() + "?" + query);
  }
  // How many requests with this test's key reached the server, and the most at once.
  static Value Stats() {
    CurlHttpClient client;
    Value stats;
    std::string error;
    EXPECT_TRUE(
        SendJson(client, JsonRequest("GET", plain_->Url("/stats/" + Key())), &stats, &error))
        << error;
    return stats;
  }
  static HttpRequest Get(std::string url) {
    HttpRequest r;
    r.url = std::move(url);
    return r;
  }
  std::string Log() const {
    std::string all;
    for (const auto& line : log_) all += line + "\n";
    return all;
  }

  static ScriptServer* plain_;
  static ScriptServer* tls_;
  static std::string* tls_dir_;
  static std::string* error_;
  std::mutex mu_;
  std::vector<milliseconds> sleeps_;
  std::vector<std::string> log_;
};

ScriptServer* HttpClientTest::plain_ = nullptr;
ScriptServer* HttpClientTest::tls_ = nullptr;
std::string* HttpClientTest::tls_dir_ = nullptr;
std::string* HttpClientTest::error_ = nullptr;

TEST_F(HttpClientTest, TooManyRequestsIsRetriedAfterWhatRetryAfterSays) {
  CurlHttpClient client(Options());
  std::string url = Url("ratelimit", "fails=2&after=7");
  HttpResponse r = client.Send(Get(url));
  EXPECT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_THAT(sleeps_, ElementsAre(milliseconds(7000), milliseconds(7000)));
  EXPECT_EQ(Stats()["requests"], 3);
  EXPECT_THAT(
      log_,
      ElementsAre(
          "http: GET " + url + " attempt 1/4",
          "http: GET " + url + " attempt 1/4: HTTP 429; retrying in 7000 ms (Retry-After: 7)",
          "http: GET " + url + " attempt 2/4",
          "http: GET " + url + " attempt 2/4: HTTP 429; retrying in 7000 ms (Retry-After: 7)",
          "http: GET " + url + " attempt 3/4", "http: GET " + url + " attempt 3/4: HTTP 200"));
}

TEST_F(HttpClientTest, RetryAfterIsCappedAndMayBeADate) {
  HttpClientOptions o = Options();
  o.retry_after_cap = milliseconds(5000);
  CurlHttpClient client(o);
  EXPECT_TRUE(client.Send(Get(Url("ratelimit", "fails=1&after=3600"))).Ok());
  ASSERT_THAT(sleeps_, ElementsAre(milliseconds(5000)));

  // An HTTP-date 3 s ahead, to the second: what is left of those seconds.
  sleeps_.clear();
  HttpResponse r =
      client.Send(Get(plain_->Url("/ratelimit/" + Key() + "-date?fails=1&after=3&date=1")));
  EXPECT_TRUE(r.Ok()) << r.error;
  ASSERT_EQ(sleeps_.size(), 1u);
  EXPECT_GE(sleeps_[0], milliseconds(1000));
  EXPECT_LE(sleeps_[0], milliseconds(3000));
}

TEST_F(HttpClientTest, ServiceUnavailableIsRetriedWithJitteredBackoff) {
  HttpClientOptions o = Options();
  o.backoff_base = milliseconds(100);
  CurlHttpClient client(o);
  HttpResponse r = client.Send(Get(Url("status", "codes=503,502,504,200")));
  EXPECT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(r.attempts, 4);
  ASSERT_EQ(sleeps_.size(), 3u);
  for (int k = 0; k < 3; ++k) {  // retry k+1 waits within [d/2, d], d = 100 ms * 2^k
    EXPECT_GE(sleeps_[k], milliseconds(50 << k)) << k;
    EXPECT_LE(sleeps_[k], milliseconds(100 << k)) << k;
  }
  EXPECT_EQ(Stats()["requests"], 4);
}

TEST_F(HttpClientTest, ResetConnectionIsRetried) {
  CurlHttpClient client(Options());
  HttpResponse r = client.Send(Get(Url("reset", "fails=2")));
  EXPECT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(Value::parse(r.body)["attempt"], 3);
}

TEST_F(HttpClientTest, GivesUpAfterMaxAttemptsWithTheLastAnswer) {
  HttpClientOptions o = Options();
  o.max_attempts = 3;
  CurlHttpClient client(o);
  std::string url = Url("status", "codes=503");
  HttpResponse r = client.Send(Get(url));
  EXPECT_FALSE(r.Ok());
  EXPECT_EQ(r.error, "GET " + url + ": HTTP 503 (gave up after 3 attempts)");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(Value::parse(r.body)["attempt"], 3);
  EXPECT_EQ(sleeps_.size(), 2u);
  EXPECT_EQ(Stats()["requests"], 3);

  std::string reset = plain_->Url("/reset/again-" + Key() + "?fails=9");
  r = client.Send(Get(reset));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "GET " + reset + ": Recv failure: Connection reset by peer " +
                         "(gave up after 3 attempts)");
}

TEST_F(HttpClientTest, PostIsNotRetriedOnceItMayHaveArrived) {
  CurlHttpClient client(Options());
  HttpRequest post = Get(Url("status", "codes=503,200"));
  post.method = "POST";
  HttpResponse r = client.Send(post);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(r.error, "");  // a final answer, for the caller to judge
  EXPECT_EQ(r.attempts, 1);

  post.url = plain_->Url("/reset/post-" + Key() + "?fails=1");
  r = client.Send(post);
  EXPECT_EQ(r.error, "POST " + post.url +
                         ": Recv failure: Connection reset by peer (not retried: the request "
                         "may have reached the server and is not idempotent)");
  EXPECT_TRUE(sleeps_.empty());
  EXPECT_EQ(Stats()["requests"], 1);

  // Marked idempotent, it is retried like a PUT.
  post.url = plain_->Url("/status/idempotent-" + Key() + "?codes=503,200");
  post.idempotent = true;
  r = client.Send(post);
  EXPECT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(r.attempts, 2);
}

// libcurl resends a request, silently, whose reused connection dies before
// any reply. The server may have acted on the first: it counts as an attempt
// (a create that then meets 409 knows the object may be its own).
TEST_F(HttpClientTest, LibcurlsResendOnAStaleConnectionCountsAsAnAttempt) {
  CurlHttpClient client(Options());
  ASSERT_TRUE(client.Send(Get(plain_->Url("/echo"))).Ok());  // a connection to reuse
  HttpRequest put = Get(Url("reset", "fails=1"));
  put.method = "PUT";
  HttpResponse r = client.Send(put);
  EXPECT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(Stats()["requests"], 2);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_TRUE(sleeps_.empty());  // libcurl's resend, not one of ours
}

TEST_F(HttpClientTest, PostIsRetriedWhenNoConnectionWasMade) {
  // A port nobody listens on: bound, then closed.
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  std::string url = "http://127.0.0.1:" + std::to_string(ntohs(a.sin_port)) + "/x";

  HttpClientOptions o = Options();
  o.max_attempts = 3;
  CurlHttpClient client(o);
  HttpRequest post = Get(url);
  post.method = "POST";
  HttpResponse r = client.Send(post);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("POST " + url + ": Failed to connect to 127.0.0.1 port "));
  EXPECT_THAT(r.error, HasSubstr(": Couldn't connect to server (gave up after 3 attempts)"));
  EXPECT_EQ(sleeps_.size(), 2u);
}

TEST_F(HttpClientTest, WhatCannotSucceedIsNotRetried) {
  CurlHttpClient client(Options());
  HttpResponse r = client.Send(Get("ftp://127.0.0.1:1/x"));
  EXPECT_EQ(r.attempts, 1);
  EXPECT_THAT(r.error, HasSubstr("GET ftp://127.0.0.1:1/x: Protocol \"ftp\" not supported"));
  EXPECT_TRUE(sleeps_.empty());

  r = client.Send(Get(Url("status", "codes=501")));
  EXPECT_EQ(r.status, 501);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.attempts, 1);
}

TEST_F(HttpClientTest, SlowResponseTimesOut) {
  HttpClientOptions o = Options();
  o.max_attempts = 2;
  CurlHttpClient client(o);
  HttpRequest get = Get(Url("slow", "ms=3000"));
  get.timeout = milliseconds(200);
  HttpResponse r = client.Send(get);
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.error, HasSubstr("GET " + get.url + ": Operation timed out after "));
  EXPECT_THAT(r.error, HasSubstr("(gave up after 2 attempts)"));
  EXPECT_EQ(Stats()["requests"], 2);

  // The client's own default applies when the request sets none.
  o.timeout = milliseconds(200);
  o.max_attempts = 1;
  CurlHttpClient impatient(o);
  get.timeout = milliseconds(0);
  EXPECT_THAT(impatient.Send(get).error, HasSubstr("Operation timed out after "));
}

TEST_F(HttpClientTest, TlsIsVerifiedAndTheCaFileTrusted) {
  CurlHttpClient client(Options());
  std::string url = tls_->Url("/echo");
  HttpResponse r = client.Send(Get(url));
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.attempts, 1);  // refused the same way every time: not retried
  EXPECT_THAT(r.error, HasSubstr("GET " + url + ": SSL certificate problem: "));
  EXPECT_THAT(r.error, HasSubstr("(the server's certificate is not trusted: give the CA that "
                                 "signed it as the CA file)"));

  HttpClientOptions o = Options();
  o.ca_file = *tls_dir_ + "/cert.pem";
  CurlHttpClient trusting(o);
  r = trusting.Send(Get(url));
  EXPECT_TRUE(r.Ok()) << r.error;

  o.ca_file = *tls_dir_ + "/missing.pem";
  CurlHttpClient misconfigured(o);
  EXPECT_THAT(misconfigured.Send(Get(url)).error, HasSubstr("cannot read the CA file "));
}

TEST_F(HttpClientTest, ConnectionsAreReused) {
  CurlHttpClient client(Options());
  std::vector<int> connections;
  for (int k = 0; k < 3; ++k) {
    HttpResponse r = client.Send(Get(plain_->Url("/echo")));
    ASSERT_TRUE(r.Ok()) << r.error;
    connections.push_back(Value::parse(r.body)["connection"]);
  }
  EXPECT_EQ(connections[0], connections[1]);
  EXPECT_EQ(connections[1], connections[2]);
}

TEST_F(HttpClientTest, APathGoesOutAsWritten) {
  // S3 object keys may hold ../ and ./; the signature covers the path sent.
  CurlHttpClient client(Options());
  HttpResponse r = client.Send(Get(plain_->Url("/echo/raw/../x/./y")));
  ASSERT_TRUE(r.Ok()) << r.error;
  EXPECT_EQ(Value::parse(r.body)["path"], "/echo/raw/../x/./y");
}

TEST_F(HttpClientTest, RequestsInFlightPerEndpointAreBounded) {
  HttpClientOptions o = Options();
  o.max_in_flight_per_endpoint = 2;
  CurlHttpClient client(o);
  std::vector<std::thread> threads;
  std::vector<int> statuses(6);
  std::string url = Url("concurrent", "ms=150");
  for (int k = 0; k < 6; ++k) {
    threads.emplace_back([&, k] { statuses[k] = client.Send(Get(url)).status; });
  }
  for (auto& t : threads) t.join();
  EXPECT_THAT(statuses, ::testing::Each(200));
  Value stats = Stats();
  EXPECT_EQ(stats["requests"], 6);
  EXPECT_LE(stats["max_concurrent"].get<int>(), 2);
  EXPECT_GE(stats["max_concurrent"].get<int>(), 1);
}

TEST_F(HttpClientTest, SecretsAreRedactedInLogsAndErrors) {
  HttpClientOptions o = Options();
  o.max_attempts = 2;
  CurlHttpClient client(o);
  HttpRequest get = Get(Url("status", "codes=503&X-Amz-Signature=sig-456&x=1"));
  get.headers.Set("authorization", "Bearer tok-123");
  get.headers.Set("X-Api-Key", "key-789");
  get.headers.Set("Accept", "application/json");
  get.secret_headers = {"x-api-key"};
  get.secret_query = {"X-Amz-Signature"};
  HttpResponse r = client.Send(get);
  std::string shown = Url("status", "codes=503&X-Amz-Signature=(sensitive value)&x=1");
  EXPECT_EQ(r.error, "GET " + shown + ": HTTP 503 (gave up after 2 attempts)");
  EXPECT_EQ(log_[0], "http: GET " + shown +
                         " attempt 1/2 [authorization: (sensitive value); X-Api-Key: (sensitive "
                         "value); Accept: application/json]");
  for (const char* secret : {"tok-123", "key-789", "sig-456"}) {
    EXPECT_THAT(Log(), Not(HasSubstr(secret)));
    EXPECT_THAT(r.error, Not(HasSubstr(secret)));
  }

  // What the server got is the real thing; an error quoting it shows none.
  get.url = plain_->Url("/echo?X-Amz-Signature=sig-456");
  r = client.Send(get);
  EXPECT_THAT(r.body, HasSubstr("Bearer tok-123"));
  Value echo;
  std::string error;
  HttpResponse wrapped = r;
  wrapped.body = "<" + r.body;  // not JSON: the error quotes it
  EXPECT_FALSE(ParseJsonResponse(get, wrapped, &echo, &error));
  EXPECT_THAT(error, HasSubstr("the response is not JSON"));
  EXPECT_THAT(error, HasSubstr("[\"authorization\", \"(sensitive value)\"]"));
  for (const char* secret : {"tok-123", "key-789", "sig-456"}) {
    EXPECT_THAT(error, Not(HasSubstr(secret)));
  }
}

TEST_F(HttpClientTest, SendsTheCallersMethodHeadersAndBody) {
  CurlHttpClient client(Options());
  HttpRequest put = Get(plain_->Url("/echo"));
  put.method = "PUT";
  put.body = std::string("a\0b", 3);
  put.headers.Set("Content-Type", "application/octet-stream");
  put.headers.Set("X-Empty", "");
  HttpResponse r = client.Send(put);
  ASSERT_TRUE(r.Ok()) << r.error;
  Value echo = Value::parse(r.body);
  EXPECT_EQ(echo["method"], "PUT");
  EXPECT_EQ(echo["body"], std::string("a\0b", 3));
  std::map<std::string, std::string> seen;
  for (const auto& h : echo["headers"]) seen[h[0]] = h[1];
  EXPECT_EQ(seen["Content-Type"], "application/octet-stream");
  EXPECT_EQ(seen["X-Empty"], "");
  EXPECT_EQ(seen["Content-Length"], "3");
  EXPECT_EQ(seen["User-Agent"], "mfgctl");
  EXPECT_EQ(seen.count("Expect"), 0u);
  EXPECT_EQ(r.Header("content-type"), "application/json");  // any case

  // No content type of libcurl's own for a body; an empty POST says so.
  HttpRequest post = Get(plain_->Url("/echo"));
  post.method = "POST";
  echo = Value::parse(client.Send(post).body);
  seen.clear();
  for (const auto& h : echo["headers"]) seen[h[0]] = h[1];
  EXPECT_EQ(seen.count("Content-Type"), 0u);
  EXPECT_EQ(seen["Content-Length"], "0");

  for (const char* method : {"DELETE", "PATCH", "OPTIONS"}) {
    HttpRequest other = Get(plain_->Url("/echo"));
    other.method = method;
    EXPECT_EQ(Value::parse(client.Send(other).body)["method"], method);
  }
  HttpRequest head = Get(plain_->Url("/echo"));
  head.method = "HEAD";
  r = client.Send(head);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
}

TEST_F(HttpClientTest, JsonRoundTripAndErrors) {
  CurlHttpClient client(Options());
  Value out;
  std::string error;
  ASSERT_TRUE(
      SendJson(client, JsonRequest("POST", plain_->Url("/echo"), {{"topic", "t1"}}), &out, &error))
      << error;
  EXPECT_EQ(Value::parse(out["body"].get<std::string>()), Value({{"topic", "t1"}}));

  std::string url = plain_->Url("/reply?status=404&body=no+such+topic");
  EXPECT_FALSE(SendJson(client, JsonRequest("GET", url), &out, &error));
  EXPECT_EQ(error, "GET " + url + ": HTTP 404: no such topic");

  url = plain_->Url("/status/" + Key() + "?codes=503");
  HttpClientOptions o = Options();
  o.max_attempts = 2;
  CurlHttpClient retrying(o);
  EXPECT_FALSE(SendJson(retrying, JsonRequest("GET", url), &out, &error));
  EXPECT_EQ(error, "GET " + url + ": HTTP 503 (gave up after 2 attempts)");
}

}  // namespace
}  // namespace mfgctl
