// `mfgctl plan --refresh-only` and `apply --refresh-only` on a real host
// (test host 4, paths under /tmp/drift-*): what was changed or deleted by
// hand since the last apply is reported attribute by attribute, and
// accepting it records it in state without touching the host.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr int kHost = 4;

TEST(DriftTest, ChangesMadeByHandAreReportedThenAccepted) {
  Plant plant("drift");
  ASSERT_EQ(OnHost(kHost, "rm -f /tmp/drift-a /tmp/drift-b").exit_code, 0);
  plant.Write(Gateway(kHost, "    files:\n"
                             "      /tmp/drift-a: { content: \"a\\n\", mode: \"0644\" }\n"
                             "      /tmp/drift-b: { content: \"b\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Result clean = plant.Mfgctl({"plan", "--refresh-only", "--detailed-exitcode"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  EXPECT_EQ(clean.out, "No changes. The live objects still match what the state recorded.\n");

  ASSERT_EQ(OnHost(kHost, "chmod 0600 /tmp/drift-a && rm /tmp/drift-b").exit_code, 0);
  uint64_t serial = plant.ReadState()["serial"].get<uint64_t>();
  Result drift = plant.Mfgctl({"plan", "--refresh-only", "--detailed-exitcode"});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  // The text around the changes is pinned by the text UI's unit tests.
  size_t from = drift.out.find("  # gw:"), to = drift.out.find("\nDrift: ");
  ASSERT_TRUE(from != std::string::npos && to != std::string::npos) << drift.out;
  EXPECT_EQ(drift.out.substr(from, to - from),
            "  # gw:file[/tmp/drift-a] has changed outside mfgctl\n"
            "  ~ host.file \"gw:file[/tmp/drift-a]\" {\n"
            "      ~ mode = \"0644\" -> \"0600\"\n"
            "        # (1 unchanged attribute hidden)\n"
            "    }\n"
            "\n"
            "  # gw:file[/tmp/drift-b] has been deleted outside mfgctl\n"
            "  - host.file \"gw:file[/tmp/drift-b]\" {\n"
            "      - content = (sha256:0263829989b6)\n"
            "    }\n");
  EXPECT_EQ(drift.out.substr(to, 45), "\nDrift: 1 changed, 1 deleted outside mfgctl.\n");
  Result json = plant.Mfgctl({"plan", "--refresh-only", "--json"});
  EXPECT_NE(json.out.find("\"type\":\"resource_drift\""), std::string::npos) << json.out;
  EXPECT_EQ(plant.ReadState()["serial"], serial);  // a plan records nothing

  Result accept = plant.Mfgctl({"apply", "--refresh-only", "--auto-approve"});
  ASSERT_EQ(accept.exit_code, 0) << accept.out << accept.err;
  Value state = plant.ReadState();
  const Value* a = StateEntry(state, "gw:file[/tmp/drift-a]");
  ASSERT_NE(a, nullptr) << state.dump(2);
  EXPECT_EQ((*a)["attributes"]["mode"], "0600");
  EXPECT_EQ(StateEntry(state, "gw:file[/tmp/drift-b]"), nullptr) << state.dump(2);
  // Nothing changed on the host.
  EXPECT_EQ(OnHost(kHost, "stat -c %a /tmp/drift-a; test -e /tmp/drift-b || echo gone").out,
            "600\ngone\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--refresh-only", "--detailed-exitcode"}).exit_code, 0);

  // The blueprint still wants its mode and the deleted file back.
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("Plan: 1 to add, 1 to change, 0 to destroy."), std::string::npos)
      << plan.out;
  ASSERT_EQ(OnHost(kHost, "rm -f /tmp/drift-a /tmp/drift-b").exit_code, 0);
}

}  // namespace
}  // namespace mfgctl::e2e
