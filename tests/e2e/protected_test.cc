// lifecycle.protected on a real host: a protected file survives being
// dropped from the blueprint and `destroy`, staying in state, until a run
// names it in --allow-destroy.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

bool InState(const Plant& plant, const std::string& address) {
  Value state = plant.ReadState();
  const Value* entry = StateEntry(state, address);
  return entry && entry->value("protected", false);
}

TEST(ProtectedTest, SurvivesRemovalAndDestroyUntilAllowed) {
  Plant plant("protected");
  ASSERT_EQ(OnHost(3, "rm -f /tmp/protected-interlock /tmp/protected-other").exit_code, 0);
  const std::string kept = "gw:file[/tmp/protected-interlock]";
  plant.Write(Gateway(3, "    files:\n"
                         "      /tmp/protected-interlock: { content: \"armed\\n\", "
                         "lifecycle: { protected: true } }\n"
                         "      /tmp/protected-other: { content: \"x\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_TRUE(InState(plant, kept));

  // Dropped from the blueprint: not deleted, still in state, and said so.
  plant.Write(Gateway(3, "    files:\n      /tmp/protected-other: { content: \"x\\n\" }\n"));
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  EXPECT_NE(plan.err.find("warning: " + kept + ": protected (lifecycle.protected): it is not "
                          "deleted and stays in state\n  name it in --allow-destroy " + kept +
                          " to delete it"),
            std::string::npos)
      << plan.err;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "cat /tmp/protected-interlock").out, "armed\n");
  EXPECT_TRUE(InState(plant, kept));

  // destroy takes everything else, and leaves it.
  Result destroy = plant.Mfgctl({"destroy", "--auto-approve"});
  ASSERT_EQ(destroy.exit_code, 0) << destroy.out << destroy.err;
  EXPECT_EQ(OnHost(3, "test -e /tmp/protected-other").exit_code, 1);
  EXPECT_EQ(OnHost(3, "cat /tmp/protected-interlock").out, "armed\n");

  // Named in --allow-destroy: it goes.
  Result allowed = plant.Mfgctl({"destroy", "--auto-approve", "--allow-destroy", kept});
  ASSERT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
  EXPECT_EQ(OnHost(3, "test -e /tmp/protected-interlock").exit_code, 1);
  EXPECT_EQ(plant.ReadState()["resources"].size(), 0u);
}

}  // namespace
}  // namespace mfgctl::e2e
