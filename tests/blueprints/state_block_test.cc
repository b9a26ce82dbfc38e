// The `state:` block: which backend, its settings typed and evaluated like
// a provider's (the password from a secret, kept out of output), and the
// errors at file:line:col.
#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

using StateBlockTest = BlueprintTest;

TEST_F(StateBlockTest, AnEtcdBlockIsEvaluatedWithItsSecret) {
  env_["MFGCTL_SECRET_ETCD_PASSWORD"] = "s3cret-etcd";
  ASSERT_TRUE(Load(std::string(kHead) + R"(state:
  backend: etcd
  endpoints: [https://etcd1.plant.example:2379, https://etcd2.plant.example:2379]
  prefix: /mfgctl/acme
  username: mfgctl
  password: ${secret.ETCD_PASSWORD}
  lock_ttl: 1m
)")) << Error();
  ASSERT_TRUE(config_.state);
  EXPECT_EQ(config_.state->provider, "etcd");
  EXPECT_EQ(config_.state->settings["endpoints"].size(), 2u);
  EXPECT_EQ(config_.state->settings["password"], "s3cret-etcd");
  EXPECT_EQ(config_.state->sensitive, std::vector<std::string>{"password"});
  EXPECT_NE(std::find(config_.secret_values.begin(), config_.secret_values.end(), "s3cret-etcd"),
            config_.secret_values.end());
  EXPECT_EQ(config_.state->pos.ToString(), path_ + ":6:3");
}

TEST_F(StateBlockTest, WithoutABlockTheStateIsLocal) {
  ASSERT_TRUE(Load(std::string(kHead))) << Error();
  EXPECT_FALSE(config_.state);
}

TEST_F(StateBlockTest, ErrorsNameWhereAndWhatWasExpected) {
  EXPECT_FALSE(Load(std::string(kHead) + "state:\n  backend: etcdd\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:12: error: \"state.backend\" must be one of etcd, http, "
                     "local, "
                     "got \"etcdd\"; did you mean \"etcd\"?");
  EXPECT_FALSE(Load(std::string(kHead) + "state:\n  backend: etcd\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:6:3: error: the etcd state backend needs \"endpoints\": "
                     "client URLs such as [http://127.0.0.1:2379], tried in order");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "state:\n  backend: etcd\n  endpoints: [http://127.0.0.1:2379]\n"
                    "  prefx: /a\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:8:3: error: unknown key \"prefx\" in \"state\" (backend "
                     "etcd); did you mean \"prefix\"?");
  EXPECT_FALSE(Load(std::string(kHead) +
                    "state:\n  backend: etcd\n  endpoints: [http://127.0.0.1:2379]\n"
                    "  lock_ttl: soon\n"));
  EXPECT_NE(Error().find("DIR/plant.yaml:8:13: error: attribute \"lock_ttl\" must be a duration"),
            std::string::npos)
      << Error();
  EXPECT_FALSE(Load(std::string(kHead) + "state: [etcd]\n"));
  EXPECT_EQ(Error(), "DIR/plant.yaml:5:8: error: \"state\" must be a map, got a list");
}

}  // namespace
}  // namespace mfgctl
