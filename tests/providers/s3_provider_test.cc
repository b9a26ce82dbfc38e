// The s3 provider against a scripted S3: the requests and bodies AWS's API
// reference documents for the bucket settings s3rver lacks (tagging,
// versioning, lifecycle, versioned listings), every request signed, what a
// read costs, deleting a versioned bucket with force_destroy, and a create
// whose answer was lost adopted.
#include "providers/s3/s3_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/support/fake_http.h"

namespace mfgctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kEndpoint[] = "https://minio.plant.example:9000";
constexpr char kNs[] = "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

HttpResponse Xml(int status, const std::string& body) {
  HttpResponse r = FakeHttpClient::Reply(status, body);
  r.headers.Set("Content-Type", "application/xml");
  return r;
}

std::string Url(const std::string& rest) { return std::string(kEndpoint) + rest; }

class S3ProviderTest : public ::testing::Test {
 protected:
  S3ProviderTest()
      : http_(std::make_shared<FakeHttpClient>()),
        s3_(http_, [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000)); }) {
    EXPECT_FALSE(Configure({{"endpoint", kEndpoint},
                            {"access_key", "AKIDPLANT"},
                            {"secret_key", "s3cr3t-never-sent"}})
                     .HasErrors());
  }
  Diagnostics Configure(const Value& settings) {
    ConfigureRequest req;
    req.settings = settings;
    return s3_.Configure(req).diagnostics;
  }
  ApplyResponse Apply(Action action, const std::string& name, Value before, Value after) {
    ApplyRequest req;
    req.target = &target_;
    req.address = {"cloud", "bucket", name};
    req.type = "s3.bucket";
    req.action = action;
    req.before = std::move(before);
    req.after = std::move(after);
    return s3_.Apply(req);
  }
  const HttpRequest* Sent(const std::string& method, const std::string& url) const {
    static std::vector<HttpRequest> all;
    all = http_->Requests();
    for (const auto& r : all) {
      if (r.method == method && r.url == url) return &r;
    }
    return nullptr;
  }

  Target target_{"cloud", "cloud", Value::object(), {}, {}};
  std::shared_ptr<FakeHttpClient> http_;
  S3Provider s3_;
};

TEST_F(S3ProviderTest, AReadListsTheBucketsOnceAndReadsEachDeclaredOnesSettings) {
  http_->Script("GET", Url("/"), {Xml(200, std::string("<ListAllMyBucketsResult ") + kNs +
                                               "><Buckets><Bucket><Name>historian-archive</Name>"
                                               "</Bucket><Bucket><Name>other</Name></Bucket>"
                                               "</Buckets></ListAllMyBucketsResult>")});
  http_->Script("GET", Url("/historian-archive?versioning"),
                {Xml(200, std::string("<VersioningConfiguration ") + kNs +
                              "><Status>Enabled</Status></VersioningConfiguration>")});
  http_->Script("GET", Url("/historian-archive?tagging"),
                {Xml(200, std::string("<Tagging ") + kNs + "><TagSet><Tag><Key>plant</Key>"
                                                             "<Value>suzhou-1</Value></Tag></TagSet></Tagging>")});
  // AWS's example answer: a rule with a transition mfgctl does not model.
  http_->Script("GET", Url("/historian-archive?lifecycle"),
                {Xml(200, std::string("<LifecycleConfiguration ") + kNs +
                              "><Rule><ID>Archive and then delete rule</ID><Filter><Prefix>raw/"
                              "</Prefix></Filter><Status>Enabled</Status><Transition><Days>30"
                              "</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"
                              "<Expiration><Days>365</Days></Expiration></Rule><Rule><ID>off</ID>"
                              "<Filter><Prefix>tmp/</Prefix></Filter><Status>Disabled</Status>"
                              "<Expiration><Days>1</Days></Expiration></Rule>"
                              "</LifecycleConfiguration>")});
  ReadRequest req{&target_,
                  {{{"cloud", "bucket", "historian-archive"}, "s3.bucket", Value::object(),
                    {{"force_destroy", true}}},
                   {{"cloud", "bucket", "missing"}, "s3.bucket", Value::object(), Value()}}};
  ReadResponse resp = s3_.Read(req);
  ASSERT_EQ(resp.results.size(), 2u);
  EXPECT_TRUE(resp.results[0].exists) << resp.results[0].diagnostics.items().size();
  EXPECT_EQ(resp.results[0].attributes,
            Value({{"name", "historian-archive"},
                   {"versioning", true},
                   {"tags", {{"plant", "suzhou-1"}}},
                   {"lifecycle_rules", Value::array({{{"prefix", "raw/"}, {"expire_days", 365}}})},
                   {"force_destroy", true}}))
      << resp.results[0].attributes.dump();
  EXPECT_FALSE(resp.results[1].exists);
  EXPECT_FALSE(resp.results[1].diagnostics.HasErrors());
  // One list, three settings of the one bucket that exists.
  EXPECT_EQ(http_->Requests().size(), 4u);
  for (const auto& r : http_->Requests()) {
    EXPECT_THAT(*r.headers.Get("Authorization"),
                StartsWith("AWS4-HMAC-SHA256 Credential=AKIDPLANT/20270115/us-east-1/s3/aws4_request, "
                           "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature="))
        << r.url;
    for (const auto& [name, value] : r.headers.fields) {
      EXPECT_THAT(value, Not(HasSubstr("s3cr3t")));
    }
  }
}

TEST_F(S3ProviderTest, SettingsNeverSetReadAsUnset) {
  http_->Script("GET", Url("/"), {Xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>b1"
                                           "</Name></Bucket></Buckets></ListAllMyBucketsResult>")});
  http_->Script("GET", Url("/b1?versioning"),
                {Xml(200, std::string("<VersioningConfiguration ") + kNs + "/>")});
  http_->Script("GET", Url("/b1?tagging"),
                {Xml(404, "<Error><Code>NoSuchTagSet</Code><Message>The TagSet does not exist"
                          "</Message></Error>")});
  http_->Script("GET", Url("/b1?lifecycle"),
                {Xml(404, "<Error><Code>NoSuchLifecycleConfiguration</Code></Error>")});
  ReadResponse resp =
      s3_.Read({&target_, {{{"cloud", "bucket", "b1"}, "s3.bucket", Value::object(), Value()}}});
  EXPECT_EQ(resp.results[0].attributes,
            Value({{"name", "b1"},
                   {"versioning", false},
                   {"tags", Value::object()},
                   {"lifecycle_rules", Value::array()}}));
}

TEST_F(S3ProviderTest, TheBucketListIsFollowedPageByPageAndALoopIsAnError) {
  // ListBuckets pages with ContinuationToken when an account has many.
  http_->Script("GET", Url("/"), {Xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>a1"
                                           "</Name></Bucket></Buckets><ContinuationToken>p2"
                                           "</ContinuationToken></ListAllMyBucketsResult>")});
  http_->Script("GET", Url("/?continuation-token=p2"),
                {Xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>b1</Name></Bucket>"
                          "</Buckets></ListAllMyBucketsResult>")});
  http_->SetHandler([](const HttpRequest&) {
    return Xml(404, "<Error><Code>NoSuchLifecycleConfiguration</Code></Error>");
  });
  ReadResponse resp =
      s3_.Read({&target_, {{{"cloud", "bucket", "b1"}, "s3.bucket", Value::object(), Value()}}});
  EXPECT_TRUE(resp.results[0].exists);

  http_->Script("GET", Url("/?continuation-token=p2"),
                {Xml(200, "<ListAllMyBucketsResult><Buckets/><ContinuationToken>p2"
                          "</ContinuationToken></ListAllMyBucketsResult>")});
  resp = s3_.Read({&target_, {{{"cloud", "bucket", "b1"}, "s3.bucket", Value::object(), Value()}}});
  ASSERT_TRUE(resp.results[0].diagnostics.HasErrors());
  EXPECT_EQ(resp.results[0].diagnostics.items()[0].summary,
            std::string("listing the buckets of ") + kEndpoint + " returned the same page twice");
}

TEST_F(S3ProviderTest, ACreateSendsTheBodiesAwsDocuments) {
  ASSERT_FALSE(Configure({{"endpoint", kEndpoint}, {"region", "eu-central-1"},
                          {"access_key", "AKIDPLANT"}, {"secret_key", "s3cr3t-never-sent"}})
                   .HasErrors());
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(200); });
  ApplyResponse resp = Apply(
      Action::kCreate, "historian-archive", Value(),
      {{"name", "historian-archive"},
       {"versioning", true},
       {"tags", {{"plant", "suzhou-1"}}},
       {"lifecycle_rules", Value::array({{{"expire_days", 365}, {"prefix", "raw/"}},
                                         {{"noncurrent_expire_days", 30},
                                          {"abort_incomplete_upload_days", 7}}})}});
  ASSERT_FALSE(resp.diagnostics.HasErrors());
  const HttpRequest* put = Sent("PUT", Url("/historian-archive"));
  ASSERT_NE(put, nullptr);
  EXPECT_EQ(put->body, std::string("<CreateBucketConfiguration ") + kNs +
                           "><LocationConstraint>eu-central-1</LocationConstraint>"
                           "</CreateBucketConfiguration>");
  const HttpRequest* tagging = Sent("PUT", Url("/historian-archive?tagging"));
  ASSERT_NE(tagging, nullptr);
  EXPECT_EQ(tagging->body, std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Tagging ") +
                               kNs + "><TagSet><Tag><Key>plant</Key><Value>suzhou-1</Value>"
                                     "</Tag></TagSet></Tagging>");
  // Base64 of the body's MD5, as S3 requires on these writes.
  EXPECT_EQ(tagging->headers.Get("Content-MD5")->size(), 24u);
  const HttpRequest* versioning = Sent("PUT", Url("/historian-archive?versioning"));
  ASSERT_NE(versioning, nullptr);
  EXPECT_EQ(versioning->body,
            std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><VersioningConfiguration ") +
                kNs + "><Status>Enabled</Status></VersioningConfiguration>");
  const HttpRequest* lifecycle = Sent("PUT", Url("/historian-archive?lifecycle"));
  ASSERT_NE(lifecycle, nullptr);
  EXPECT_EQ(lifecycle->body,
            std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><LifecycleConfiguration ") +
                kNs +
                "><Rule><ID>rule-001</ID><Filter><Prefix>raw/</Prefix></Filter><Status>Enabled"
                "</Status><Expiration><Days>365</Days></Expiration></Rule><Rule><ID>rule-002</ID>"
                "<Filter><Prefix></Prefix></Filter><Status>Enabled</Status><NoncurrentVersionExpiration>"
                "<NoncurrentDays>30</NoncurrentDays></NoncurrentVersionExpiration>"
                "<AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation>"
                "</AbortIncompleteMultipartUpload></Rule></LifecycleConfiguration>");
  EXPECT_THAT(*lifecycle->headers.Get("Authorization"),
              HasSubstr("/20270115/eu-central-1/s3/aws4_request, SignedHeaders=content-md5;"
                        "content-type;host;x-amz-content-sha256;x-amz-date,"));
  // It waited for the bucket to answer before writing its settings.
  EXPECT_EQ(http_->Count("HEAD", Url("/historian-archive")), 1);
  EXPECT_EQ(resp.state["name"], "historian-archive");
}

TEST_F(S3ProviderTest, AnUpdateWritesOnlyWhatChangedAndClearsWhatWasEmptied) {
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(204); });
  Value before = {{"name", "b1"}, {"versioning", true}, {"tags", {{"plant", "s1"}}},
                  {"lifecycle_rules", Value::array({{{"expire_days", 30}}})}};
  Value after = {{"name", "b1"}, {"versioning", false}, {"tags", Value::object()},
                 {"lifecycle_rules", Value::array({{{"expire_days", 30}}})}, {"force_destroy", true}};
  ASSERT_FALSE(Apply(Action::kUpdate, "b1", before, after).diagnostics.HasErrors());
  std::vector<HttpRequest> sent = http_->Requests();
  ASSERT_EQ(sent.size(), 2u);
  // S3 cannot unversion a bucket: it suspends versioning.
  EXPECT_EQ(sent[0].method + " " + sent[0].url, "PUT " + Url("/b1?versioning"));
  EXPECT_THAT(sent[0].body, HasSubstr("<Status>Suspended</Status>"));
  EXPECT_EQ(sent[1].method + " " + sent[1].url, "DELETE " + Url("/b1?tagging"));
}

TEST_F(S3ProviderTest, ForceDestroyDeletesEveryVersionPageByPageThenTheBucket) {
  http_->Script("GET", Url("/b1?versions&max-keys=1000"),
                {Xml(200, std::string("<ListVersionsResult ") + kNs +
                              "><Name>b1</Name><IsTruncated>true</IsTruncated>"
                              "<NextKeyMarker>raw/b c.bin</NextKeyMarker><NextVersionIdMarker>v/3"
                              "</NextVersionIdMarker><Version><Key>raw/a.bin</Key><VersionId>v1"
                              "</VersionId><IsLatest>true</IsLatest></Version><DeleteMarker><Key>"
                              "raw/b c.bin</Key><VersionId>v/3</VersionId></DeleteMarker>"
                              "</ListVersionsResult>")});
  http_->Script("GET",
                Url("/b1?versions&max-keys=1000&key-marker=raw%2Fb%20c.bin&version-id-marker=v%2F3"),
                {Xml(200, std::string("<ListVersionsResult ") + kNs +
                              "><IsTruncated>false</IsTruncated><Version><Key>raw/b c.bin</Key>"
                              "<VersionId>v2</VersionId></Version></ListVersionsResult>")});
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(204); });
  ASSERT_FALSE(Apply(Action::kDelete, "b1", {{"name", "b1"}, {"force_destroy", true}}, Value())
                   .diagnostics.HasErrors());
  std::vector<std::string> deletes;
  for (const auto& r : http_->Requests()) {
    if (r.method == "DELETE") deletes.push_back(r.url);
  }
  EXPECT_EQ(deletes, (std::vector<std::string>{Url("/b1/raw/a.bin?versionId=v1"),
                                               Url("/b1/raw/b%20c.bin?versionId=v%2F3"),
                                               Url("/b1/raw/b%20c.bin?versionId=v2"),
                                               Url("/b1")}));
}

TEST_F(S3ProviderTest, ANonEmptyBucketIsNotDeletedWithoutForceDestroy) {
  http_->Script("GET", Url("/b1?versions&max-keys=1000"),
                {Xml(200, "<ListVersionsResult><IsTruncated>false</IsTruncated><Version><Key>"
                          "raw/a.bin</Key><VersionId>v1</VersionId></Version></ListVersionsResult>")});
  ApplyResponse resp = Apply(Action::kDelete, "b1", {{"name", "b1"}}, Value());
  ASSERT_TRUE(resp.diagnostics.HasErrors());
  EXPECT_THAT(resp.diagnostics.items()[0].summary,
              HasSubstr("bucket b1 holds objects (raw/a.bin): it is not deleted"));
  EXPECT_EQ(http_->Count("DELETE", Url("/b1")), 0);
}

TEST_F(S3ProviderTest, ACreateWhoseAnswerWasLostIsAdoptedAndAClashOnTheFirstTryIsNot) {
  HttpResponse again = Xml(409, "<Error><Code>BucketAlreadyOwnedByYou</Code></Error>");
  again.attempts = 2;
  http_->Script("PUT", Url("/b1"), {again});
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(200); });
  EXPECT_FALSE(Apply(Action::kCreate, "b1", Value(), {{"name", "b1"}}).diagnostics.HasErrors());

  // BucketAlreadyExists after a retry is adopted only when our account
  // lists the bucket (s3rver answers its owner so); else it is another's.
  HttpResponse taken = Xml(409, "<Error><Code>BucketAlreadyExists</Code></Error>");
  taken.attempts = 2;
  http_->Script("PUT", Url("/b3"), {taken});
  http_->Script("GET", Url("/"), {Xml(200, "<ListAllMyBucketsResult><Buckets><Bucket><Name>b1"
                                           "</Name></Bucket></Buckets></ListAllMyBucketsResult>")});
  EXPECT_TRUE(Apply(Action::kCreate, "b3", Value(), {{"name", "b3"}}).diagnostics.HasErrors());
  http_->Script("PUT", Url("/b1"), {taken});
  EXPECT_FALSE(Apply(Action::kCreate, "b1", Value(), {{"name", "b1"}}).diagnostics.HasErrors());

  http_->Script("PUT", Url("/b2"),
                {Xml(409, "<Error><Code>BucketAlreadyExists</Code><Message>The requested bucket "
                          "name is not available.</Message></Error>")});
  ApplyResponse resp = Apply(Action::kCreate, "b2", Value(), {{"name", "b2"}});
  ASSERT_TRUE(resp.diagnostics.HasErrors());
  EXPECT_EQ(resp.diagnostics.items()[0].summary,
            "PUT " + Url("/b2") + ": HTTP 409 BucketAlreadyExists: The requested bucket name is "
            "not available.\n  it exists already: `mfgctl import cloud:bucket[b2] b2` adopts it "
            "(when it is yours)");
}

TEST_F(S3ProviderTest, SettingsRefuseCleartextAndMissingCredentials) {
  unsetenv("AWS_ACCESS_KEY_ID");
  unsetenv("AWS_SECRET_ACCESS_KEY");
  unsetenv("AWS_ENDPOINT_URL");
  unsetenv("AWS_ENDPOINT_URL_S3");
  Diagnostics d = Configure({{"endpoint", "http://minio.plant.example:9000"},
                             {"access_key", "a"}, {"secret_key", "b"}});
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].summary, "s3: endpoint http://minio.plant.example:9000 is plain HTTP: "
                                  "signed requests would cross the network in the clear");
  d = Configure({{"endpoint", kEndpoint}});
  ASSERT_TRUE(d.HasErrors());
  EXPECT_EQ(d.items()[0].summary, std::string("s3: no credentials for ") + kEndpoint);
  // AWS itself: virtual-hosted addresses in the region's endpoint.
  ASSERT_FALSE(Configure({{"region", "eu-west-1"}, {"access_key", "a"}, {"secret_key", "b"}})
                   .HasErrors());
  http_->SetHandler([](const HttpRequest&) { return FakeHttpClient::Reply(200); });
  Apply(Action::kCreate, "b1", Value(), {{"name", "b1"}, {"tags", {{"plant", "s1"}}}});
  EXPECT_EQ(http_->Requests()[0].url, "https://b1.s3.eu-west-1.amazonaws.com/");
  EXPECT_EQ(http_->Requests().back().url, "https://b1.s3.eu-west-1.amazonaws.com/?tagging");
  // A dotted name goes by path: as a host it would not match the
  // *.s3.eu-west-1.amazonaws.com certificate.
  size_t before = http_->Requests().size();
  Apply(Action::kCreate, "plant.archive", Value(), {{"name", "plant.archive"}});
  EXPECT_EQ(http_->Requests()[before].url, "https://s3.eu-west-1.amazonaws.com/plant.archive");
}

}  // namespace
}  // namespace mfgctl
