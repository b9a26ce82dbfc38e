// The recording fake HTTP client that provider tests use.
#include <gtest/gtest.h>

#include "providers/transport/http_json.h"
#include "tests/support/fake_http.h"

namespace mfgctl {
namespace {

TEST(HttpFakeTest, ScriptsAnswerInOrderAndTheLastRepeats) {
  FakeHttpClient fake;
  std::string url = "http://pubsub:8085/v1/projects/p/topics/t";
  fake.Script("PUT", url, {FakeHttpClient::Reply(503), FakeHttpClient::Json(200, {{"name", "t"}})});
  HttpRequest put;
  put.method = "PUT";
  put.url = url;
  EXPECT_EQ(fake.Send(put).status, 503);
  EXPECT_EQ(fake.Send(put).status, 200);
  EXPECT_EQ(fake.Send(put).body, R"({"name":"t"})");
  EXPECT_EQ(fake.Count("PUT", url), 3);
  EXPECT_EQ(fake.Count("GET", url), 0);
}

TEST(HttpFakeTest, RecordsRequestsWhole) {
  FakeHttpClient fake;
  fake.SetHandler([](const HttpRequest& r) {
    return FakeHttpClient::Json(200, {{"echo", Value::parse(r.body)}});
  });
  HttpRequest req = JsonRequest("POST", "http://etcd:2379/v3/kv/put", {{"key", "a2V5"}});
  req.headers.Set("Authorization", "Bearer t");
  Value out;
  std::string error;
  ASSERT_TRUE(SendJson(fake, req, &out, &error)) << error;
  EXPECT_EQ(out["echo"]["key"], "a2V5");
  std::vector<HttpRequest> seen = fake.Requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].url, "http://etcd:2379/v3/kv/put");
  EXPECT_EQ(seen[0].headers.Get("authorization"), "Bearer t");
  EXPECT_EQ(seen[0].body, R"({"key":"a2V5"})");
}

TEST(HttpFakeTest, AnUnscriptedRequestFailsByName) {
  FakeHttpClient fake;
  HttpRequest get;
  get.url = "http://state/tf";
  HttpResponse r = fake.Send(get);
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.error, "fake: no response scripted for GET http://state/tf");
  fake.Script("GET", get.url, {FakeHttpClient::Failure("GET http://state/tf: Connection refused")});
  Value out;
  std::string error;
  EXPECT_FALSE(SendJson(fake, get, &out, &error));
  EXPECT_EQ(error, "GET http://state/tf: Connection refused");
}

}  // namespace
}  // namespace mfgctl
