// The HTTP client's pure parts: redaction, the retry policy, JSON helpers,
// headers and endpoints. No network.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/model/sensitive.h"
#include "providers/transport/http_client.h"
#include "providers/transport/http_json.h"
#include "providers/transport/http_redaction.h"
#include "providers/transport/http_retry.h"

namespace mfgctl {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(HttpRedactionTest, UrlsHideSecretQueryValuesAndPasswords) {
  EXPECT_EQ(
      RedactUrl("https://s3.plant/b/k?X-Amz-Signature=abc&X-Amz-Date=1#f", {"X-Amz-Signature"}),
      "https://s3.plant/b/k?X-Amz-Signature=(sensitive value)&X-Amz-Date=1#f");
  EXPECT_EQ(RedactUrl("https://u:pw@h:8443/p?token=t&token=u", {"token"}),
            "https://u:(sensitive value)@h:8443/p?token=(sensitive value)&token=(sensitive value)");
  EXPECT_EQ(RedactUrl("http://user@h/p?x-amz-signature=abc", {"X-Amz-Signature"}),
            "http://user@h/p?x-amz-signature=abc");  // names are exact
  EXPECT_EQ(RedactUrl("http://h/p", {"token"}), "http://h/p");
}

TEST(HttpRedactionTest, HeadersAndTextsHideEverySecretValue) {
  HttpRequest r;
  r.method = "PUT";
  r.url = "https://h/o?sig=s1gnature";
  r.headers.Set("Authorization", "Bearer t0ken");
  r.headers.Set("COOKIE", "session=c00kie");
  r.headers.Set("X-Amz-Security-Token", "sts-t0ken");
  r.headers.Set("X-Vault-Token", "v4ult");
  r.headers.Set("Accept", "*/*");
  r.secret_headers = {"x-vault-token"};
  r.secret_query = {"sig"};
  HttpRedactor redactor(r);
  EXPECT_EQ(redactor.Subject(), "PUT https://h/o?sig=(sensitive value)");
  EXPECT_EQ(redactor.Headers(r.headers),
            "Authorization: (sensitive value); COOKIE: (sensitive value); "
            "X-Amz-Security-Token: (sensitive value); X-Vault-Token: (sensitive value); "
            "Accept: */*");
  EXPECT_EQ(redactor.Scrub("bad token t0ken, sig s1gnature, v4ult, Bearer t0ken, sts-t0ken"),
            "bad token (sensitive value), sig (sensitive value), (sensitive value), "
            "(sensitive value), (sensitive value)");
}

TEST(HttpRetryTest, RetryableStatuses) {
  for (int s : {429, 500, 502, 503, 504}) EXPECT_TRUE(IsRetryableStatus(s)) << s;
  for (int s : {200, 301, 400, 401, 403, 404, 409, 412, 501, 505}) {
    EXPECT_FALSE(IsRetryableStatus(s)) << s;
  }
}

TEST(HttpRetryTest, RetryAfterInSecondsOrAsADate) {
  auto now = std::chrono::system_clock::from_time_t(1445412480);  // Wed, 21 Oct 2015 07:28:00
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("99999999999", now), std::chrono::hours(24));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now), seconds(30));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), seconds(0));  // past
  EXPECT_EQ(ParseRetryAfter("-5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("1.5", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("soon", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:30 PST", now), std::nullopt);
  EXPECT_EQ(ParseRetryAfter("", now), std::nullopt);
}

TEST(HttpRetryTest, BackoffDoublesToTheCapWithJitter) {
  milliseconds base(100), cap(1000);
  EXPECT_EQ(Backoff(1, base, cap, 0.0), milliseconds(50));
  EXPECT_EQ(Backoff(1, base, cap, 1.0), milliseconds(100));
  EXPECT_EQ(Backoff(2, base, cap, 1.0), milliseconds(200));
  EXPECT_EQ(Backoff(3, base, cap, 0.5), milliseconds(300));
  EXPECT_EQ(Backoff(5, base, cap, 1.0), milliseconds(1000));
  EXPECT_EQ(Backoff(60, base, cap, 0.0), milliseconds(500));  // no overflow
}

TEST(HttpJsonTest, RequestsCarryJson) {
  HttpRequest r = JsonRequest("POST", "http://h/v1/topics", {{"name", "t"}, {"n", 1}});
  EXPECT_EQ(r.body, R"({"name":"t","n":1})");
  EXPECT_EQ(r.headers.Get("content-type"), "application/json");
  EXPECT_EQ(r.headers.Get("Accept"), "application/json");
  HttpRequest get = JsonRequest("GET", "http://h/v1/topics");
  EXPECT_EQ(get.body, "");
  EXPECT_EQ(get.headers.Get("Content-Type"), std::nullopt);
}

HttpResponse Response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.attempts = 1;
  return r;
}

TEST(HttpJsonTest, ErrorsNameMethodUrlAndStatus) {
  HttpRequest req = JsonRequest("GET", "http://h/v1/x?key=s3cret");
  req.secret_query = {"key"};
  Value out;
  std::string error;
  EXPECT_TRUE(ParseJsonResponse(req, Response(200, R"({"a":[1]})"), &out, &error));
  EXPECT_EQ(out, Value({{"a", {1}}}));
  EXPECT_TRUE(ParseJsonResponse(req, Response(204, ""), &out, &error));
  EXPECT_TRUE(out.is_null());

  EXPECT_FALSE(ParseJsonResponse(req, Response(200, "oops\nmore"), &out, &error));
  EXPECT_EQ(error,
            "GET http://h/v1/x?key=(sensitive value): HTTP 200: the response is not JSON (parse "
            "error at line 1, column 1: syntax error while parsing value - invalid literal; last "
            "read: 'o'): oops more");
  EXPECT_FALSE(
      ParseJsonResponse(req, Response(403, R"({"error":"key s3cret revoked"})"), &out, &error));
  EXPECT_EQ(error,
            "GET http://h/v1/x?key=(sensitive value): HTTP 403: "
            R"({"error":"key (sensitive value) revoked"})");
  EXPECT_FALSE(ParseJsonResponse(req, Response(500, std::string(1000, 'x')), &out, &error));
  EXPECT_EQ(error,
            "GET http://h/v1/x?key=(sensitive value): HTTP 500: " + std::string(300, 'x') + "...");

  HttpResponse failed;
  failed.error = "GET http://h/v1/x?key=(sensitive value): Connection refused";
  EXPECT_FALSE(ParseJsonResponse(req, failed, &out, &error));
  EXPECT_EQ(error, failed.error);
}

TEST(HttpHeadersTest, NamesAnyCase) {
  HttpHeaders h;
  h.Set("Content-Type", "text/plain");
  h.Set("ETag", "\"1\"");
  h.Set("content-type", "application/json");  // replaces
  EXPECT_EQ(h.fields.size(), 2u);
  EXPECT_EQ(h.Get("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(h.Get("etag"), "\"1\"");
  EXPECT_EQ(h.Get("Retry-After"), std::nullopt);
}

TEST(HttpEndpointTest, SchemeHostAndPort) {
  EXPECT_EQ(HttpEndpointOf("https://Storage.GoogleAPIs.com/b/o?x=1"),
            "https://storage.googleapis.com:443");
  EXPECT_EQ(HttpEndpointOf("http://127.0.0.1:8085/v1/projects"), "http://127.0.0.1:8085");
  EXPECT_EQ(HttpEndpointOf("http://u:p@etcd:2379"), "http://etcd:2379");
  EXPECT_EQ(HttpEndpointOf("http://[::1]/x"), "http://[::1]:80");
  EXPECT_EQ(HttpEndpointOf("http://[::1]:9000"), "http://[::1]:9000");
  EXPECT_EQ(HttpEndpointOf("no-scheme"), "");
}

TEST(HttpIdempotenceTest, ByMethodOrByFlag) {
  HttpRequest r;
  for (const char* m : {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "get"}) {
    r.method = m;
    EXPECT_TRUE(IsIdempotent(r)) << m;
  }
  for (const char* m : {"POST", "PATCH"}) {
    r.method = m;
    EXPECT_FALSE(IsIdempotent(r)) << m;
    r.idempotent = true;
    EXPECT_TRUE(IsIdempotent(r)) << m;
    r.idempotent = false;
  }
}

}  // namespace
}  // namespace mfgctl
