// Signature V4 against the values AWS publishes: the Signature Version 4
// test suite (credentials AKIDEXAMPLE, service "service", 2015-08-30) and the
// worked examples of S3's "Signature Calculations for the Authorization
// Header" (examplebucket, 2013-05-24), whose canonical-request hash is
// published as well.
#include "providers/transport/aws_sigv4.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/model/digest.h"

namespace mfgctl {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;
using ::testing::EndsWith;

const AwsCredentials kSuite = {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const AwsCredentials kS3Docs = {"AKIAIOSFODNN7EXAMPLE",
                                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const system_clock::time_point kSuiteTime{seconds(1440938160)};  // 20150830T123600Z
const system_clock::time_point kS3Time{seconds(1369353600)};     // 20130524T000000Z

HttpRequest Request(std::string method, std::string url) {
  HttpRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  return r;
}

std::string Authorization(HttpRequest r, const AwsCredentials& c, const std::string& service,
                          system_clock::time_point at) {
  SignAwsV4(&r, c, "us-east-1", service, at);
  return r.headers.Get("Authorization").value_or("");
}

TEST(AwsSigV4Test, TheTestSuitesVanillaRequests) {
  EXPECT_EQ(Authorization(Request("GET", "https://example.amazonaws.com/"), kSuite, "service",
                          kSuiteTime),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  // get-vanilla-query-order-key-case: the query is signed in sorted order.
  EXPECT_THAT(Authorization(Request("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"),
                            kSuite, "service", kSuiteTime),
              EndsWith("Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  // post-x-www-form-urlencoded: the content type is signed, the body hashed.
  HttpRequest post = Request("POST", "https://example.amazonaws.com/");
  post.headers.Set("Content-Type", "application/x-www-form-urlencoded");
  post.body = "Param1=value1";
  EXPECT_EQ(Authorization(post, kSuite, "service", kSuiteTime),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a");
}

TEST(AwsSigV4Test, S3sWorkedExamples) {
  // GET Object, with a Range header.
  HttpRequest get = Request("GET", "https://examplebucket.s3.amazonaws.com/test.txt");
  get.headers.Set("Range", "bytes=0-9");
  SignAwsV4(&get, kS3Docs, "us-east-1", "s3", kS3Time);
  EXPECT_EQ(get.headers.Get("X-Amz-Content-Sha256"),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(get.headers.Get("X-Amz-Date"), "20130524T000000Z");
  EXPECT_EQ(get.headers.Get("Authorization"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  AwsV4Parts parts = AwsV4Sign(get, kS3Docs, "us-east-1", "s3", kS3Time);
  EXPECT_EQ(Sha256Hex(parts.canonical_request),
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972")
      << parts.canonical_request;

  // PUT Object: a reserved character in the key, a Date and a storage class.
  HttpRequest put = Request("PUT", "https://examplebucket.s3.amazonaws.com/test%24file.text");
  put.headers.Set("Date", "Fri, 24 May 2013 00:00:00 GMT");
  put.headers.Set("x-amz-storage-class", "REDUCED_REDUNDANCY");
  put.body = "Welcome to Amazon S3.";
  EXPECT_THAT(Authorization(put, kS3Docs, "s3", kS3Time),
              EndsWith("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;"
                       "x-amz-storage-class, "
                       "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));

  // GET Bucket Lifecycle: a subresource without a value.
  EXPECT_THAT(Authorization(Request("GET", "https://examplebucket.s3.amazonaws.com/?lifecycle"),
                            kS3Docs, "s3", kS3Time),
              EndsWith("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
  // GET Bucket (list objects): parameters sorted.
  EXPECT_THAT(Authorization(Request("GET", "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J"),
                            kS3Docs, "s3", kS3Time),
              EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
}

TEST(AwsSigV4Test, TheHostKeepsAPortThatIsNotTheDefaultAndATokenIsSigned) {
  HttpRequest r = Request("GET", "http://127.0.0.1:4569/bucket?tagging");
  AwsV4Parts parts = AwsV4Sign(r, kSuite, "us-east-1", "s3", kSuiteTime);
  EXPECT_EQ(parts.canonical_request.substr(0, parts.canonical_request.find("\n\n")),
            "GET\n/bucket\ntagging=\nhost:127.0.0.1:4569");
  parts = AwsV4Sign(Request("GET", "https://example.amazonaws.com:443/"), kSuite, "us-east-1",
                    "service", kSuiteTime);
  EXPECT_NE(parts.canonical_request.find("\nhost:example.amazonaws.com\n"), std::string::npos);

  AwsCredentials temporary = kSuite;
  temporary.session_token = "FQoGZXIvYXdzEXAMPLE";
  HttpRequest t = Request("GET", "https://example.amazonaws.com/");
  SignAwsV4(&t, temporary, "us-east-1", "service", kSuiteTime);
  EXPECT_EQ(t.headers.Get("X-Amz-Security-Token"), "FQoGZXIvYXdzEXAMPLE");
  EXPECT_THAT(*t.headers.Get("Authorization"),
              ::testing::HasSubstr("SignedHeaders=host;x-amz-date;x-amz-security-token,"));
}

}  // namespace
}  // namespace mfgctl
