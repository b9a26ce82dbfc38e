// Secrets in blueprints: where they come from, and that whatever derives
// from one is marked sensitive and never shows in an error.
#include <sys/stat.h>

#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

class SecretsTest : public BlueprintTest {
 protected:
  std::string WriteSecretFile(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }

  static bool Has(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  }
};

TEST_F(SecretsTest, SecretFromTheEnvironmentMakesWhatUsesItSensitive) {
  env_["MFGCTL_SECRET_DB_PASSWORD"] = "hunter2-db";
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/app/db.conf: { content: "password=${secret.DB_PASSWORD}\n" }
      /etc/app/plain.conf: { content: "nothing secret\n" }
    commands:
      migrate: { run: "migrate --url ${gw1:file[/etc/app/db.conf].content}", creates: /x }
)")) << Error();
  const Resource* db = Find("gw1:file[/etc/app/db.conf]");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->attributes["content"], "password=hunter2-db\n");
  EXPECT_EQ(db->sensitive, (std::vector<std::string>{"content"}));
  EXPECT_TRUE(Find("gw1:file[/etc/app/plain.conf]")->sensitive.empty());
  // Derived through a reference: sensitive too.
  EXPECT_EQ(Find("gw1:command[migrate]")->sensitive, (std::vector<std::string>{"run"}));
  EXPECT_EQ(config_.secret_values, (std::vector<std::string>{"hunter2-db"}));
}

TEST_F(SecretsTest, SecretFromADeclaredFileOnlyItsOwnerCanRead) {
  WriteSecretFile("token", "tok-123456\n", 0600);
  std::string blueprint = std::string(kHead) + R"(secrets:
  api_token: { file: ./token, description: the historian's API token }
gateways:
  gw1:
    address: 10.0.0.1
    commands:
      register: { run: "register", environment: { TOKEN: "${secret.api_token}" }, creates: /x }
)";
  ASSERT_TRUE(Load(blueprint)) << Error();
  const Resource* r = Find("gw1:command[register]");
  EXPECT_EQ(r->attributes["environment"]["TOKEN"], "tok-123456");  // one line break dropped
  EXPECT_EQ(r->sensitive, (std::vector<std::string>{"environment"}));

  // The environment wins over the file.
  env_["MFGCTL_SECRET_api_token"] = "from-env-99";
  ASSERT_TRUE(Load(blueprint)) << Error();
  EXPECT_EQ(Find("gw1:command[register]")->attributes["environment"]["TOKEN"], "from-env-99");
  env_.clear();

  ::chmod((dir_ / "token").c_str(), 0644);
  EXPECT_FALSE(Load(blueprint));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:59: error: the secret file DIR/token may be read by others "
            "(mode 0644); run chmod 600 DIR/token");
}

TEST_F(SecretsTest, AMissingSecretSaysWhereToPutIt) {
  EXPECT_FALSE(Load(std::string(kHead) + R"(secrets:
  db_password: {}
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/a: { content: "${secret.db_pasword}" }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:11:27: error: secret \"db_pasword\" is not set: export "
            "MFGCTL_SECRET_db_pasword, or declare it under \"secrets:\" with a file; did you "
            "mean \"db_password\"?");
  EXPECT_FALSE(Load(std::string(kHead) + R"(secrets:
  db_password: { file: ./nowhere, mode: 600 }
)"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:6:35: error: unknown key \"mode\" in secret \"db_password\"");
}

TEST_F(SecretsTest, SensitiveVariablesAreSecretsAndNeverShownInErrors) {
  std::string blueprint = std::string(kHead) + R"(variables:
  db_password: { sensitive: true }
  port: { type: number, sensitive: true, default: 5432 }
gateways:
  gw1:
    address: 10.0.0.1
    files:
      /etc/a: { content: "${var.db_password}", mode: "${var.db_password}" }
)";
  // A value that cannot be what the attribute wants: the error says so
  // without the value.
  ASSERT_TRUE(Load(blueprint, {{"db_password", "0640"}})) << Error();
  EXPECT_TRUE(Has(Find("gw1:file[/etc/a]")->sensitive, "content"));
  EXPECT_TRUE(Has(Find("gw1:file[/etc/a]")->sensitive, "mode"));
  EXPECT_EQ(config_.sensitive_variables, (std::vector<std::string>{"db_password", "port"}));
  EXPECT_TRUE(Has(config_.secret_values, "0640"));
  EXPECT_TRUE(Has(config_.secret_values, "5432"));

  EXPECT_FALSE(Load(blueprint, {{"port", "hunter2"}, {"db_password", "x"}}));
  EXPECT_EQ(Error(), "--var port: error: variable \"port\" must be a number, got "
                     "(sensitive value)");
  EXPECT_FALSE(Load(std::string(kHead) + R"(variables:
  pw: { sensitive: true, default: hunter2 }
gateways:
  gw1:
    address: 10.0.0.1
    port: "${var.pw}"
)"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:10:11: error: attribute \"port\" must be a number, got "
                     "(sensitive value)");
}

TEST_F(SecretsTest, HostSettingsDerivedFromSecretsAreMarked) {
  env_["MFGCTL_SECRET_JUMP"] = "jump-user-7";
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateway_groups:
  line:
    members: [gw1, gw2]
    bastion: "${secret.JUMP}@10.0.0.9"
gateways:
  gw1: { address: 10.0.0.1 }
  gw2: { address: 10.0.0.2, bastion: 10.0.0.8 }
)")) << Error();
  EXPECT_EQ(config_.targets["gw1"].sensitive, (std::vector<std::string>{"bastion"}));
  // Set again by the host without a secret: not sensitive any more.
  EXPECT_TRUE(config_.targets["gw2"].sensitive.empty());
}

}  // namespace
}  // namespace mfgctl
