// `providers:` blocks: a provider's own settings (its ConfigSchema) are
// typed and evaluated like any attribute, those that are sensitive or come
// from a secret are marked and kept out of output, and the ssh block's
// target defaults are what they were.
#include "tests/blueprints/blueprint_fixture.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

// The real providers and a cloud-like `fake` one.
class ProviderSettingsTest : public BlueprintTest {
 protected:
  ProviderSettingsTest() {
    Diagnostics diags;
    EXPECT_TRUE(registry_.Add(std::make_unique<FakeProvider>(), &diags));
    schemas_ = SchemasOf(registry_);
  }
};

TEST_F(ProviderSettingsTest, SettingsAreEvaluatedAndTheSensitiveOnesMarked) {
  env_["MFGCTL_SECRET_S3_SECRET"] = "wJalrXUtnFEMI-example";
  const std::string creds = "{\"private_key\": \"-----BEGIN KEY-----\"}\n";
  std::ofstream(dir_ / "creds.json") << creds;
  ASSERT_TRUE(Load(R"(mfgctl: 1
plant: line-demo
variables:
  region: { default: eu-central-1 }
providers:
  ssh: { user: root }
  fake:
    endpoint: http://127.0.0.1:9000
    region: ${var.region}
    access_key: AKIA-EXAMPLE-KEY
    secret_key: ${secret.S3_SECRET}
    credentials_file: ./creds.json
)")) << Error();
  const ProviderConfig& fake = config_.providers.at("fake");
  EXPECT_EQ(fake.settings, (Value{{"endpoint", "http://127.0.0.1:9000"},
                                  {"region", "eu-central-1"},
                                  {"access_key", "AKIA-EXAMPLE-KEY"},
                                  {"secret_key", "wJalrXUtnFEMI-example"},
                                  {"credentials", creds}}));
  EXPECT_EQ(fake.sensitive,
            (std::vector<std::string>{"access_key", "secret_key", "credentials"}));
  EXPECT_EQ(fake.pos.ToString(), path_ + ":7:3");
  for (const char* secret : {"AKIA-EXAMPLE-KEY", "wJalrXUtnFEMI-example"}) {
    EXPECT_NE(std::find(config_.secret_values.begin(), config_.secret_values.end(), secret),
              config_.secret_values.end())
        << secret;
  }
}

TEST_F(ProviderSettingsTest, TheSshBlockStaysTargetDefaults) {
  ASSERT_TRUE(Load(std::string(kHead) + "gateways:\n  gw1: { address: 10.0.0.1 }\n")) << Error();
  EXPECT_EQ(config_.providers.at("ssh").settings, Value::object());
  EXPECT_EQ(config_.targets.at("gw1").config["user"], "root");
}

TEST_F(ProviderSettingsTest, ASettingIsCheckedLikeAnAttribute) {
  EXPECT_FALSE(Load(std::string(kHead) + "  fake: { endpont: http://x }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:5:11: error: unknown key \"endpont\" in provider \"fake\"; "
                     "did you mean \"endpoint\"?");
  EXPECT_FALSE(Load(std::string(kHead) + "  fake: { region: [a, b] }\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:5:19: error: attribute \"region\" must be a string, got a "
                     "list");
  EXPECT_FALSE(Load(std::string(kHead) + "  fake: { region: \"${gw1:file[/x].content}\" }\n"));
  EXPECT_NE(Error().find("plant.yaml:5:"), std::string::npos) << Error();
}

}  // namespace
}  // namespace mfgctl
