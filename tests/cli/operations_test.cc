// What the commands share: a saved plan and import configure the providers
// they use from the blueprint's `providers:` blocks, as a plan does.
#include "cli/operations.h"

#include <gtest/gtest.h>

#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

TEST(OperationsTest, TheProvidersOfTheTypesAreConfiguredFromTheBlueprint) {
  Workspace ws;
  FakeProvider* provider = AddFakeProvider(&ws.providers);
  Diagnostics diags;
  Value settings = {{"region", "r1"}};
  ws.config.providers["fake"] = {"fake", settings, {"plant.yaml", 3, 3}, {}};
  EXPECT_TRUE(ConfigureProvidersOf(ws, {"fake.thing", "fake.pkg"}, &diags));
  EXPECT_EQ(provider->configured, std::vector<Value>{settings});  // once for both types
  provider->configure_errors = {"no such region"};
  EXPECT_FALSE(ConfigureProvidersOf(ws, {"fake.thing"}, &diags));
  ASSERT_EQ(diags.size(), 1u);
  EXPECT_EQ(FormatDiagnostic(diags.items()[0]),
            "plant.yaml:3:3: error: provider \"fake\": no such region");
}

}  // namespace
}  // namespace mfgctl
