// The gcp provider against a scripted HTTP service: one paginated list per
// collection, the request bodies Google documents, update masks naming
// exactly what changed, a create whose answer was lost adopted, and the
// settings that decide endpoint and credentials.
#include "providers/gcp/gcp_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/support/fake_http.h"
#include "tests/support/process.h"

namespace mfgctl {
namespace {

constexpr char kBase[] = "http://127.0.0.1:8085/v1/projects/acme/";

class GcpProviderTest : public ::testing::Test {
 protected:
  GcpProviderTest() : http_(std::make_shared<FakeHttpClient>()), gcp_(http_) {
    Configure({{"project", "acme"}, {"endpoints", {{"pubsub", "http://127.0.0.1:8085/"}}}});
  }
  Diagnostics Configure(const Value& settings) {
    ConfigureRequest req;
    req.settings = settings;
    return gcp_.Configure(req).diagnostics;
  }
  static ReadItem Item(const std::string& kind, const std::string& name, Value desired) {
    return {{"cloud", kind, name}, "gcp." + kind, std::move(desired), Value()};
  }
  ApplyResponse Apply(Action action, const std::string& kind, const std::string& name,
                      Value before, Value after) {
    ApplyRequest req;
    req.target = &target_;
    req.address = {"cloud", kind, name};
    req.type = "gcp." + kind;
    req.action = action;
    req.before = std::move(before);
    req.after = std::move(after);
    return gcp_.Apply(req);
  }
  static HttpResponse Json(int status, const char* json) {
    return FakeHttpClient::Json(status, Value::parse(json));
  }

  Target target_{"cloud", "cloud", Value::object(), {}, {}};
  std::shared_ptr<FakeHttpClient> http_;
  GcpProvider gcp_;
};

TEST_F(GcpProviderTest, ReadListsEachCollectionOncePageByPage) {
  http_->Script("GET", std::string(kBase) + "topics?pageSize=1000",
                {Json(200, R"({"topics": [
                    {"name": "projects/acme/topics/line1", "labels": {"plant": "s1"},
                     "messageRetentionDuration": "604800s"},
                    {"name": "projects/acme/topics/line2"}],
                  "nextPageToken": "projects/acme/topics/line3"})")});
  http_->Script("GET", std::string(kBase) + "topics?pageSize=1000&pageToken=projects%2Facme%2Ftopics%2Fline3",
                {Json(200, R"({"topics": [{"name": "projects/acme/topics/line3"}]})")});
  ReadRequest req{&target_, {Item("pubsub.topic", "line1", Value::object()),
                             Item("pubsub.topic", "line3", Value::object()),
                             Item("pubsub.topic", "gone", Value::object())}};
  ReadResponse resp = gcp_.Read(req);
  ASSERT_EQ(resp.results.size(), 3u);
  EXPECT_TRUE(resp.results[0].exists);
  EXPECT_EQ(resp.results[0].attributes.dump(),
            R"({"name":"projects/acme/topics/line1","labels":{"plant":"s1"},)"
            R"("message_retention":"604800s"})");
  EXPECT_TRUE(resp.results[1].exists);
  EXPECT_EQ(resp.results[1].attributes["labels"], Value::object());  // none: {}
  EXPECT_FALSE(resp.results[2].exists);
  EXPECT_EQ(http_->Requests().size(), 2u);  // two pages, not one GET per topic
  EXPECT_FALSE(http_->Requests()[0].headers.Get("Authorization"));  // the emulator: none
}

TEST_F(GcpProviderTest, AFailedListFailsOnlyThatCollectionsResources) {
  http_->Script("GET", std::string(kBase) + "topics?pageSize=1000",
                {Json(503, R"({"error": {"code": 503, "status": "UNAVAILABLE"}})")});
  http_->Script("GET", std::string(kBase) + "subscriptions?pageSize=1000",
                {Json(200, R"({"subscriptions": [{"name": "projects/acme/subscriptions/ingest",
                    "topic": "projects/acme/topics/line1", "ackDeadlineSeconds": 10,
                    "expirationPolicy": {},
                    "deadLetterPolicy": {"deadLetterTopic": "projects/acme/topics/dead",
                                         "maxDeliveryAttempts": 5}}]})")});
  ReadResponse resp = gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object()),
                                            Item("pubsub.subscription", "ingest",
                                                 Value::object())}});
  ASSERT_EQ(resp.results.size(), 2u);
  ASSERT_TRUE(resp.results[0].diagnostics.HasErrors());
  EXPECT_NE(resp.results[0].diagnostics.items()[0].summary.find(
                "GET http://127.0.0.1:8085/v1/projects/acme/topics?pageSize=1000"),
            std::string::npos)
      << resp.results[0].diagnostics.items()[0].summary;
  EXPECT_NE(resp.results[0].diagnostics.items()[0].summary.find("503"), std::string::npos);
  EXPECT_FALSE(resp.results[1].diagnostics.HasErrors());
  // What the service leaves out is its default; full names of this
  // project's topics read back as IDs, as the blueprint writes them.
  EXPECT_EQ(resp.results[1].attributes.dump(),
            R"({"name":"projects/acme/subscriptions/ingest","topic":"line1",)"
            R"("ack_deadline_seconds":10,"retain_acked_messages":false,)"
            R"("enable_message_ordering":false,"filter":"","labels":{},"expiration":"never",)"
            R"("dead_letter":{"topic":"dead","max_delivery_attempts":5}})");
}

TEST_F(GcpProviderTest, CreateSendsGooglesShapeAndWaitsUntilItReadsBack) {
  std::string url = std::string(kBase) + "subscriptions/ingest";
  http_->Script("PUT", url, {Json(200, R"({"name": "projects/acme/subscriptions/ingest"})")});
  http_->Script("GET", url,
                {Json(404, R"({"error": {"code": 404}})"),
                 Json(200, R"({"name": "projects/acme/subscriptions/ingest",
                              "topic": "projects/acme/topics/line1", "ackDeadlineSeconds": 30})")});
  ApplyResponse resp =
      Apply(Action::kCreate, "pubsub.subscription", "ingest", Value(), Value::parse(R"({
        "name": "projects/acme/subscriptions/ingest", "topic": "line1",
        "ack_deadline_seconds": 30, "expiration": "never", "filter": "attributes.line = \"L1\"",
        "dead_letter": {"topic": "dead", "max_delivery_attempts": 5},
        "retry": {"minimum_backoff": "10s", "maximum_backoff": "600s"}, "state": "present"})"));
  ASSERT_FALSE(resp.diagnostics.HasErrors()) << resp.diagnostics.items()[0].summary;
  std::vector<HttpRequest> sent = http_->Requests();
  ASSERT_EQ(sent.size(), 3u);  // PUT, GET (not yet there), GET
  EXPECT_EQ(Value::parse(sent[0].body).dump(),
            R"({"topic":"projects/acme/topics/line1","ackDeadlineSeconds":30,)"
            R"("filter":"attributes.line = \"L1\"","expirationPolicy":{},)"
            R"("deadLetterPolicy":{"deadLetterTopic":"projects/acme/topics/dead",)"
            R"("maxDeliveryAttempts":5},"retryPolicy":{"minimumBackoff":"10s",)"
            R"("maximumBackoff":"600s"}})");
  EXPECT_EQ(resp.state["ack_deadline_seconds"], 30);
  EXPECT_EQ(resp.state["topic"], "line1");
}

TEST_F(GcpProviderTest, AnAlreadyExistsAfterOurOwnRetryIsAdoptedOtherwiseItSaysImport) {
  std::string url = std::string(kBase) + "topics/line1";
  HttpResponse conflict = Json(409, R"({"error": {"code": 409, "status": "ALREADY_EXISTS"}})");
  conflict.attempts = 2;  // the first attempt made it; its answer was lost
  http_->Script("PUT", url, {conflict});
  http_->Script("GET", url, {Json(200, R"({"name": "projects/acme/topics/line1"})")});
  ApplyResponse resp = Apply(Action::kCreate, "pubsub.topic", "line1", Value(),
                             {{"name", "projects/acme/topics/line1"}});
  EXPECT_FALSE(resp.diagnostics.HasErrors());
  EXPECT_EQ(resp.state["name"], "projects/acme/topics/line1");

  conflict.attempts = 1;  // there before us
  http_->Script("PUT", url, {conflict});
  resp = Apply(Action::kCreate, "pubsub.topic", "line1", Value(),
               {{"name", "projects/acme/topics/line1"}});
  ASSERT_TRUE(resp.diagnostics.HasErrors());
  EXPECT_NE(resp.diagnostics.items()[0].summary.find(
                "it exists already: `mfgctl import cloud:pubsub.topic[line1] line1` adopts it"),
            std::string::npos)
      << resp.diagnostics.items()[0].summary;
}

TEST_F(GcpProviderTest, AnUpdatePatchesExactlyTheChangedFields) {
  std::string url = std::string(kBase) + "subscriptions/ingest";
  http_->Script("PATCH", url, {Json(200, R"({"name": "projects/acme/subscriptions/ingest",
      "topic": "projects/acme/topics/line1", "ackDeadlineSeconds": 60})")});
  Value before = Value::parse(R"({"name": "projects/acme/subscriptions/ingest", "topic": "line1",
      "ack_deadline_seconds": 30, "retry": {"minimum_backoff": "10s"}, "labels": {}})");
  Value after = Value::parse(R"({"name": "projects/acme/subscriptions/ingest", "topic": "line1",
      "ack_deadline_seconds": 60, "retry": {"minimum_backoff": "20s"}, "labels": {}})");
  ApplyResponse resp = Apply(Action::kUpdate, "pubsub.subscription", "ingest", before, after);
  ASSERT_FALSE(resp.diagnostics.HasErrors()) << resp.diagnostics.items()[0].summary;
  ASSERT_EQ(http_->Requests().size(), 1u);
  EXPECT_EQ(Value::parse(http_->Requests()[0].body).dump(),
            R"({"subscription":{"ackDeadlineSeconds":60,"retryPolicy":{"minimumBackoff":"20s"}},)"
            R"("updateMask":"ackDeadlineSeconds,retryPolicy"})");
  EXPECT_EQ(resp.state["ack_deadline_seconds"], 60);
}

TEST_F(GcpProviderTest, DeletingWhatIsGoneIsNoErrorAReplacementDeletesThenCreates) {
  std::string url = std::string(kBase) + "topics/line1";
  http_->Script("DELETE", url, {Json(404, R"({"error": {"code": 404}})")});
  EXPECT_FALSE(Apply(Action::kDelete, "pubsub.topic", "line1", {{"name", "x"}}, Value())
                   .diagnostics.HasErrors());
  http_->Script("DELETE", url, {Json(200, "{}")});
  http_->Script("PUT", url, {Json(200, R"({"name": "projects/acme/topics/line1"})")});
  http_->Script("GET", url, {Json(200, R"({"name": "projects/acme/topics/line1"})")});
  ApplyResponse resp = Apply(Action::kReplace, "pubsub.topic", "line1", {{"name", "x"}},
                             {{"name", "projects/acme/topics/line1"}});
  EXPECT_FALSE(resp.diagnostics.HasErrors());
  std::vector<HttpRequest> sent = http_->Requests();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1].method, "DELETE");
  EXPECT_EQ(sent[2].method, "PUT");
}

TEST_F(GcpProviderTest, SettingsDecideEndpointAndCredentials) {
  unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  unsetenv("PUBSUB_EMULATOR_HOST");
  Diagnostics d = Configure(Value::object());
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].summary,
            "the gcp provider needs a project: providers: { gcp: { project: ID } }");
  // Without credentials, each Google service's resources fail when first
  // read, naming the service; nothing is sent.
  ASSERT_FALSE(Configure({{"project", "acme"}}).HasErrors());
  ReadResponse none = gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object()),
                                            Item("bigquery.dataset", "twin", Value::object())}});
  for (const auto& r : none.results) {
    ASSERT_TRUE(r.diagnostics.HasErrors());
  }
  EXPECT_EQ(none.results[0].diagnostics.items()[0].summary.substr(0, 53),
            "gcp: no credentials for https://pubsub.googleapis.com");
  EXPECT_EQ(none.results[1].diagnostics.items()[0].summary.substr(0, 55),
            "gcp: no credentials for https://bigquery.googleapis.com");
  EXPECT_TRUE(http_->Requests().empty());
  d = Configure({{"project", "acme"}, {"credentials_file", "/nonexistent/k.json"}});
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].summary, "gcp: cannot read the service-account key "
                                  "/nonexistent/k.json: No such file or directory");

  // A key the environment names (a gcloud user's file, not a service
  // account's) fails what signs in with it, not the emulator beside it.
  setenv("GOOGLE_APPLICATION_CREDENTIALS", "/nonexistent/adc.json", 1);
  setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:8086", 1);
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });
  d = Configure({{"project", "acme"}});
  unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  unsetenv("PUBSUB_EMULATOR_HOST");
  ASSERT_FALSE(d.HasErrors());
  ReadResponse mixed = gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object()),
                                             Item("bigquery.dataset", "twin", Value::object())}});
  EXPECT_FALSE(mixed.results[0].diagnostics.HasErrors());
  ASSERT_TRUE(mixed.results[1].diagnostics.HasErrors());
  EXPECT_THAT(mixed.results[1].diagnostics.items()[0].summary,
              ::testing::StartsWith("gcp: cannot read the service-account key "
                                    "/nonexistent/adc.json: No such file or directory "
                                    "(GOOGLE_APPLICATION_CREDENTIALS)"));

  // A token goes to Google, over HTTPS only.
  ASSERT_FALSE(Configure({{"project", "acme"}, {"access_token", "ya29.secret"}}).HasErrors());
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });
  gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object())}});
  HttpRequest sent = http_->Requests().back();
  EXPECT_EQ(sent.url, "https://pubsub.googleapis.com/v1/projects/acme/topics?pageSize=1000");
  EXPECT_EQ(sent.headers.Get("Authorization"), "Bearer ya29.secret");
  // An answer that repeats the token is scrubbed before anyone quotes it.
  http_->SetHandler([](const HttpRequest&) {
    return FakeHttpClient::Json(401, {{"error", "bad token ya29.secret"}});
  });
  ReadResponse denied = gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object())}});
  ASSERT_TRUE(denied.results[0].diagnostics.HasErrors());
  EXPECT_EQ(denied.results[0].diagnostics.items()[0].summary.find("ya29.secret"), std::string::npos)
      << denied.results[0].diagnostics.items()[0].summary;
  EXPECT_NE(denied.results[0].diagnostics.items()[0].summary.find("(sensitive value)"),
            std::string::npos);
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Json(200, Value::object()); });

  // The emulator, as Google's clients find it: plain HTTP, no token sent.
  setenv("PUBSUB_EMULATOR_HOST", "127.0.0.1:8086", 1);
  ASSERT_FALSE(Configure({{"project", "acme"}, {"access_token", "ya29.secret"}}).HasErrors());
  unsetenv("PUBSUB_EMULATOR_HOST");
  gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object())}});
  sent = http_->Requests().back();
  EXPECT_EQ(sent.url, "http://127.0.0.1:8086/v1/projects/acme/topics?pageSize=1000");
  EXPECT_FALSE(sent.headers.Get("Authorization"));
}

// A key file signs in at its token_uri before the first request, once for
// the run; every HTTPS request then carries the token it got.
TEST_F(GcpProviderTest, AServiceAccountKeySignsInOnceAndItsTokenGoesOnEveryRequest) {
  unsetenv("GOOGLE_OAUTH_ACCESS_TOKEN");
  unsetenv("PUBSUB_EMULATOR_HOST");
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "mfgctl-gcp-key-test";
  std::filesystem::create_directories(dir);
  RunProgram({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
              "-out", (dir / "sa.pem").string()});
  std::ifstream pem(dir / "sa.pem");
  std::string private_key(std::istreambuf_iterator<char>(pem), {});
  ASSERT_FALSE(private_key.empty());
  Value key = {{"type", "service_account"},
               {"client_email", "twin@acme.iam.gserviceaccount.com"},
               {"private_key", private_key},
               {"token_uri", "https://oauth2.example/token"}};
  std::ofstream(dir / "sa.json") << key.dump();
  http_->SetHandler([](const HttpRequest& r) {
    if (r.url == "https://oauth2.example/token") {
      return FakeHttpClient::Json(200, {{"access_token", "ya29.from-key"}, {"expires_in", 3600}});
    }
    return FakeHttpClient::Json(200, Value::object());
  });
  ASSERT_FALSE(
      Configure({{"project", "acme"}, {"credentials_file", (dir / "sa.json").string()}})
          .HasErrors());
  gcp_.Read({&target_, {Item("pubsub.topic", "line1", Value::object()),
                        Item("pubsub.subscription", "s1", Value::object())}});
  std::filesystem::remove_all(dir);
  std::vector<HttpRequest> sent = http_->Requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].url, "https://oauth2.example/token");
  EXPECT_EQ(sent[0].body.rfind("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                               "&assertion=ey", 0),
            0u)
      << sent[0].body;
  EXPECT_FALSE(sent[0].headers.Get("Authorization"));
  for (size_t i = 1; i < sent.size(); ++i) {
    EXPECT_EQ(sent[i].headers.Get("Authorization"), "Bearer ya29.from-key") << sent[i].url;
  }
}

}  // namespace
}  // namespace mfgctl
