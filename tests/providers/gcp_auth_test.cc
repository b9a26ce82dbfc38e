// Service-account sign-in against a real token endpoint: fault_server.py's
// /oauth/ verifies each assertion's RS256 signature with the public half of
// a key the suite makes with the openssl CLI, its audience, scope and
// lifetime, and hands out numbered tokens, so caching shows in the count.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/model/value.h"
#include "providers/gcp/service_account.h"
#include "tests/support/process.h"
#include "tests/support/script_server.h"

namespace mfgctl {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class GcpAuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir[] = "/tmp/mfgctl-gcp-auth-XXXXXX";
    dir_ = new std::string(mkdtemp(dir));
    error_ = new std::string;
    for (const char* name : {"sa", "other"}) {
      std::string key = *dir_ + "/" + name + ".pem";
      RunProgram({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                  "-out", key});
      RunProgram({"openssl", "pkey", "-in", key, "-pubout", "-out", *dir_ + "/" + name + ".pub"});
    }
    server_ = ScriptServer::Start(kFaultServer, {}, error_).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    std::filesystem::remove_all(*dir_);
    delete dir_;
    delete error_;
  }
  void SetUp() override { ASSERT_NE(server_, nullptr) << *error_; }

  // The endpoint for counter `name`, trusting the public half of `verify_with`.
  static std::string TokenUri(const std::string& name, const std::string& verify_with = "sa") {
    return server_->Url("/oauth/" + name + "?public_key=" + *dir_ + "/" + verify_with + ".pub");
  }
  static ServiceAccountKey Key(const std::string& token_uri, const std::string& signer = "sa") {
    return {"twin@acme-twin.iam.gserviceaccount.com", Slurp(*dir_ + "/" + signer + ".pem"), "k1",
            token_uri};
  }
  static int Exchanges(const std::string& name) {
    ProcessResult r = RunProgram({"curl", "-s", server_->Url("/stats/" + name)});
    return Value::parse(r.out, nullptr, false).value("requests", -1);
  }

  static std::string* dir_;
  static std::string* error_;
  static ScriptServer* server_;
  std::shared_ptr<HttpClient> http_ = std::make_shared<CurlHttpClient>();
};

std::string* GcpAuthTest::dir_ = nullptr;
std::string* GcpAuthTest::error_ = nullptr;
ScriptServer* GcpAuthTest::server_ = nullptr;

TEST_F(GcpAuthTest, ASignedAssertionIsExchangedAndTheTokenKeptUntilAMinuteBeforeItExpires) {
  const auto now = std::chrono::system_clock::now();
  auto clock = now - seconds(3500);
  ServiceAccountTokens tokens(Key(TokenUri("cache")), http_, [&] { return clock; });
  std::string token, error;
  ASSERT_TRUE(tokens.Token(&token, &error)) << error;
  EXPECT_EQ(token, "token-cache-1");
  clock = now - seconds(3000);  // 600 s left
  ASSERT_TRUE(tokens.Token(&token, &error)) << error;
  EXPECT_EQ(token, "token-cache-1");
  EXPECT_EQ(Exchanges("cache"), 1);
  clock = now + seconds(50);  // 50 s left: a new one
  ASSERT_TRUE(tokens.Token(&token, &error)) << error;
  EXPECT_EQ(token, "token-cache-2");
  EXPECT_EQ(Exchanges("cache"), 2);
}

TEST_F(GcpAuthTest, AnAssertionTheEndpointCannotVerifyFailsWithItsReason) {
  ServiceAccountTokens tokens(Key(TokenUri("wrong-key"), "other"), http_);
  std::string token, error;
  EXPECT_FALSE(tokens.Token(&token, &error));
  EXPECT_THAT(error, HasSubstr("signing in as twin@acme-twin.iam.gserviceaccount.com"));
  EXPECT_THAT(error, HasSubstr("400"));
  EXPECT_THAT(error, HasSubstr("the signature does not verify with the public key"));
  EXPECT_THAT(error, Not(HasSubstr("assertion=")));
  EXPECT_TRUE(token.empty());
}

TEST_F(GcpAuthTest, TheAssertionNamesTheAccountAndTheEndpointAndLastsAnHour) {
  std::string jwt, error;
  auto at = std::chrono::system_clock::time_point(seconds(1'800'000'000));
  ASSERT_TRUE(SignJwtAssertion(Key("https://oauth2.googleapis.com/token"),
                               ServiceAccountTokens::kScope, at, &jwt, &error))
      << error;
  // base64url of {"alg":"RS256","typ":"JWT","kid":"k1"}.
  EXPECT_EQ(jwt.substr(0, jwt.find('.')), "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0");
  std::string claims = jwt.substr(jwt.find('.') + 1);
  claims = claims.substr(0, claims.find('.'));
  ProcessResult decoded =
      RunProgram({"python3", "-c",
                  "import base64,sys; s=sys.stdin.read(); "
                  "print(base64.urlsafe_b64decode(s+'='*(-len(s)%4)).decode())"},
                 "", claims);
  Value c = Value::parse(decoded.out, nullptr, false);
  EXPECT_EQ(c["iss"], "twin@acme-twin.iam.gserviceaccount.com") << decoded.out;
  EXPECT_EQ(c["aud"], "https://oauth2.googleapis.com/token");
  EXPECT_EQ(c["scope"], "https://www.googleapis.com/auth/cloud-platform");
  EXPECT_EQ(c["iat"], 1'800'000'000);
  EXPECT_EQ(c["exp"], 1'800'003'600);
  // 2048-bit RSA: 256 signature bytes, 342 base64url characters.
  EXPECT_EQ(jwt.size() - jwt.rfind('.') - 1, 342u);
}

TEST_F(GcpAuthTest, KeyFilesThatCannotSignInAreRefusedNamingTheFileAndTheField) {
  ServiceAccountKey key;
  std::string error;
  EXPECT_FALSE(ParseServiceAccountKey("not json", "keys/sa.json", &key, &error));
  EXPECT_EQ(error, "keys/sa.json is not JSON: a service-account key file was expected");
  EXPECT_FALSE(
      ParseServiceAccountKey(R"({"type": "authorized_user"})", "keys/sa.json", &key, &error));
  EXPECT_EQ(error,
            "keys/sa.json is not a service-account key (its type is \"authorized_user\", "
            "\"service_account\" was expected)");
  EXPECT_FALSE(ParseServiceAccountKey(R"({"type": "service_account", "client_email": "a@b"})",
                                      "keys/sa.json", &key, &error));
  EXPECT_EQ(error, "keys/sa.json has no private_key");
  EXPECT_FALSE(ParseServiceAccountKey(
      R"({"type": "service_account", "client_email": "a@b", "private_key": "x",
          "token_uri": "http://oauth.example/token"})",
      "keys/sa.json", &key, &error));
  EXPECT_EQ(error,
            "keys/sa.json: token_uri http://oauth.example/token is not HTTPS; the signed "
            "assertion is sent only over HTTPS");
  ASSERT_TRUE(ParseServiceAccountKey(
      R"({"type": "service_account", "client_email": "a@b", "private_key": "x"})", "keys/sa.json",
      &key, &error));
  EXPECT_EQ(key.token_uri, "https://oauth2.googleapis.com/token");

  std::string jwt;
  key.private_key = "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n";
  EXPECT_FALSE(SignJwtAssertion(key, ServiceAccountTokens::kScope, std::chrono::system_clock::now(),
                                &jwt, &error));
  EXPECT_EQ(error,
            "the service-account key of a@b: its private_key is not an RSA private key "
            "in PEM");
}

}  // namespace
}  // namespace mfgctl
