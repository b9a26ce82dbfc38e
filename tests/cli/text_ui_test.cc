#include <gtest/gtest.h>

#include <sstream>

#include "cli/render/ui.h"
#include "engine/model/digest.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

TEST(TextUiTest, PlanReadsLikeTerraform) {
  ProviderRegistry providers;
  providers.Add(std::make_unique<FakeProvider>());
  Plan plan;
  PlanChange update;
  update.address = {"gw1", "thing", "a"};
  update.type = "fake.thing";
  update.action = Action::kUpdate;
  // A long attribute that does not change is hidden and does not widen the
  // column.
  update.before = {{"value", "old"}, {"a_very_long_unchanged_name", "same"}, {"size", 1}};
  update.after = {{"value", "new"}, {"a_very_long_unchanged_name", "same"}, {"size", 1}};
  PlanChange replace;
  replace.address = {"gw1", "thing", "b"};
  replace.type = "fake.thing";
  replace.action = Action::kReplace;
  replace.before = {{"kind", "x"}, {"secret", Sha256Digest("old")}};
  replace.after = {{"kind", "y"}, {"secret", Sha256Digest("new")}};
  replace.replace_because = {"kind"};
  plan.changes = {update, replace};
  std::ostringstream out, err;
  MakeTextUi(out, err, false)->ShowPlan(plan, providers, nullptr);
  EXPECT_EQ(out.str(),
            "mfgctl will perform the following actions:\n"
            "\n"
            "  # gw1:thing[a] will be updated in-place\n"
            "  ~ fake.thing \"gw1:thing[a]\" {\n"
            "      ~ value = \"old\" -> \"new\"\n"
            "        # (2 unchanged attributes hidden)\n"
            "    }\n"
            "\n"
            "  # gw1:thing[b] must be replaced\n"
            "-/+ fake.thing \"gw1:thing[b]\" {\n"
            "      ~ kind   = \"x\" -> \"y\" # forces replacement\n"
            "      ~ secret = (sensitive value) -> (sensitive value)\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 1 to change, 1 to destroy.\n");
  EXPECT_EQ(err.str(), "");
}

}  // namespace
}  // namespace mfgctl
