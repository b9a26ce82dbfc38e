#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include "cli/render/ui.h"
#include "engine/model/digest.h"
#include "engine/model/sensitive.h"
#include "tests/support/fake_provider.h"

namespace mfgctl {
namespace {

// What `show` makes the text UI print, without colour; nothing on stderr.
std::string ShowText(const std::function<void(Ui&, const ProviderRegistry&)>& show) {
  ProviderRegistry providers;
  AddFakeProvider(&providers);
  std::ostringstream out, err;
  show(*MakeTextUi(out, err, false), providers);
  EXPECT_EQ(err.str(), "");
  return out.str();
}

std::string ShowPlanText(const Plan& plan) {
  return ShowText([&](Ui& ui, const ProviderRegistry& p) { ui.ShowPlan(plan, p, nullptr); });
}

// A change to gw1:thing[NAME].
PlanChange ThingChange(const std::string& name, Action action, Value before, Value after) {
  PlanChange c;
  c.address = {"gw1", "thing", name};
  c.type = "fake.thing";
  c.action = action;
  c.before = std::move(before);
  c.after = std::move(after);
  return c;
}

TEST(TextUiTest, PlanReadsLikeTerraform) {
  Plan plan;
  // A long attribute that does not change is hidden and does not widen the
  // column.
  PlanChange update =
      ThingChange("a", Action::kUpdate,
                  {{"value", "old"}, {"a_very_long_unchanged_name", "same"}, {"size", 1}},
                  {{"value", "new"}, {"a_very_long_unchanged_name", "same"}, {"size", 1}});
  PlanChange replace =
      ThingChange("b", Action::kReplace, {{"kind", "x"}, {"secret", Sha256Digest("old")}},
                  {{"kind", "y"}, {"secret", Sha256Digest("new")}});
  replace.replace_because = {"kind"};
  plan.changes = {update, replace};
  EXPECT_EQ(ShowPlanText(plan),
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
}

TEST(TextUiTest, MapsShowElementByElement) {
  Plan plan;
  PlanChange update = ThingChange("a", Action::kUpdate,
                                  {{"labels", {{"kept", "1"}, {"gone", "2"}, {"moved", "3"}}}},
                                  {{"labels", {{"kept", "1"}, {"moved", "4"}, {"new", "5"}}}});
  PlanChange create =
      ThingChange("b", Action::kCreate, Value(), {{"labels", {{"a.deb", Sha256Digest("a")}}}});
  plan.changes = {update, create};
  EXPECT_EQ(ShowPlanText(plan),
            "mfgctl will perform the following actions:\n"
            "\n"
            "  # gw1:thing[a] will be updated in-place\n"
            "  ~ fake.thing \"gw1:thing[a]\" {\n"
            "      ~ labels = {\n"
            "          - \"gone\" = \"2\"\n"
            "          ~ \"moved\" = \"3\" -> \"4\"\n"
            "          + \"new\" = \"5\"\n"
            "            # (1 unchanged element hidden)\n"
            "        }\n"
            "    }\n"
            "\n"
            "  # gw1:thing[b] will be created\n"
            "  + fake.thing \"gw1:thing[b]\" {\n"
            "      + name   = \"b\"\n"
            "      + labels = {\n"
            "          + \"a.deb\" = (sha256:" + Sha256Hex("a").substr(0, 12) + ")\n"
            "        }\n"
            "    }\n"
            "\n"
            "Plan: 1 to add, 1 to change, 0 to destroy.\n");
}

TEST(TextUiTest, NestedAttributesShowPathByPath) {
  Plan plan;
  // `enabled` is live only: not managed, not shown.
  PlanChange update = ThingChange(
      "a", Action::kReplace,
      {{"lifecycle", {{"enabled", true}, {"rule", {{{"days", 30}, {"storage", "hot"}}}}}}},
      {{"lifecycle", {{"rule", {{{"days", 90}, {"storage", "cold"}}, {{"days", 1}}}}}}});
  update.replace_because = {"lifecycle.rule[0].storage"};
  PlanChange create = ThingChange("b", Action::kCreate, Value(),
                                  {{"ports", {{"http", {{"number", 80}, {"protocol", "tcp"}}}}}});
  plan.changes = {update, create};
  EXPECT_EQ(ShowPlanText(plan),
            "mfgctl will perform the following actions:\n"
            "\n"
            "  # gw1:thing[a] must be replaced\n"
            "-/+ fake.thing \"gw1:thing[a]\" {\n"
            "      ~ lifecycle {\n"
            "          ~ rule[0].days    = 30 -> 90\n"
            "          ~ rule[0].storage = \"hot\" -> \"cold\" # forces replacement\n"
            "          + rule[1].days    = 1\n"
            "        }\n"
            "    }\n"
            "\n"
            "  # gw1:thing[b] will be created\n"
            "  + fake.thing \"gw1:thing[b]\" {\n"
            "      + name  = \"b\"\n"
            "      + ports {\n"
            "          + [\"http\"].number   = 80\n"
            "          + [\"http\"].protocol = \"tcp\"\n"
            "        }\n"
            "    }\n"
            "\n"
            "Plan: 2 to add, 0 to change, 1 to destroy.\n");
}

TEST(TextUiTest, WhatTheProviderWillTellIsKnownAfterApply) {
  Plan plan;
  PlanChange create = ThingChange("sl", Action::kCreate, Value(), Value::object());
  create.unknown = {"id"};
  PlanChange replace =
      ThingChange("b", Action::kReplace, {{"kind", "x"}, {"id", "id-b-1"}}, {{"kind", "y"}});
  replace.replace_because = {"kind"};
  replace.unknown = {"id"};
  replace.notes = {"redefines the VM"};
  plan.changes = {create, replace};
  EXPECT_EQ(ShowPlanText(plan),
            "mfgctl will perform the following actions:\n"
            "\n"
            "  # gw1:thing[sl] will be created\n"
            "  + fake.thing \"gw1:thing[sl]\" {\n"
            "      + name = \"sl\"\n"
            "      + id   = (known after apply)\n"
            "    }\n"
            "\n"
            "  # gw1:thing[b] must be replaced\n"
            "-/+ fake.thing \"gw1:thing[b]\" {\n"
            "      # note: redefines the VM\n"
            "      ~ kind = \"x\" -> \"y\" # forces replacement\n"
            "      ~ id   = \"id-b-1\" -> (known after apply)\n"
            "    }\n"
            "\n"
            "Plan: 2 to add, 0 to change, 1 to destroy.\n");
}

TEST(TextUiTest, DriftSaysWhatChangedOutsideMfgctl) {
  Plan drift;
  drift.changes = {
      ThingChange("a", Action::kUpdate,
                  {{"value", "x"}, {"size", 1}, {"secret", Seal("old", "salt")}},
                  {{"value", "edited"}, {"size", 1}, {"secret", Seal("new", "salt")}}),
      ThingChange("b", Action::kDelete, {{"value", "y"}}, Value())};
  drift.changes[0].sensitive = {"secret"};
  auto show = [&](Ui& ui, const ProviderRegistry& p) { ui.ShowDrift(drift, p); };
  EXPECT_EQ(ShowText(show),
            "Note: Objects have changed outside of mfgctl\n"
            "\n"
            "mfgctl detected the following changes made outside of mfgctl since the last apply:\n"
            "\n"
            "  # gw1:thing[a] has changed outside mfgctl\n"
            "  ~ fake.thing \"gw1:thing[a]\" {\n"
            "      ~ value  = \"x\" -> \"edited\"\n"
            "      ~ secret = (sensitive value) -> (sensitive value)\n"
            "        # (1 unchanged attribute hidden)\n"
            "    }\n"
            "\n"
            "  # gw1:thing[b] has been deleted outside mfgctl\n"
            "  - fake.thing \"gw1:thing[b]\" {\n"
            "      - value = \"y\"\n"
            "    }\n"
            "\n"
            "Drift: 1 changed, 1 deleted outside mfgctl.\n"
            "\n"
            "This is a refresh-only plan: mfgctl will not undo these changes. To record them in "
            "the state\nwithout changing anything on the plant, run: mfgctl apply "
            "--refresh-only\n");
  drift.changes.clear();
  EXPECT_EQ(ShowText(show), "No changes. The live objects still match what the state recorded.\n");
}

// Compilers' rule: the first errors are those to fix; the rest are counted.
TEST(TextUiTest, DiagnosticsPastFiftyAreCounted) {
  Diagnostics diags;
  for (int i = 0; i < 60; ++i) diags.Error("e" + std::to_string(i));
  diags.Warning("w");
  std::ostringstream out, err;
  MakeTextUi(out, err, false)->ShowDiagnostics(diags);
  std::string shown;
  for (int i = 0; i < 50; ++i) shown += "error: e" + std::to_string(i) + "\n";
  EXPECT_EQ(err.str(), shown + "... and 10 more errors and 1 more warning\n");
}

// Each file is read once for all its snippets, not once per diagnostic:
// the second snippet comes from the first read, after the file is gone.
TEST(TextUiTest, EachFileIsReadOnceForItsSnippets) {
  std::string path = (std::filesystem::temp_directory_path() /
                      ("mfgctl-snippets-" + std::to_string(getpid()) + ".yaml"))
                         .string();
  std::ofstream(path) << "a: 1\nb: 2\n";
  std::ostringstream out, err;
  auto ui = MakeTextUi(out, err, false);
  Diagnostics first, second;
  first.Warning("w", {path, 1, 1});
  second.Warning("w", {path, 2, 4});
  ui->ShowDiagnostics(first);
  std::filesystem::remove(path);
  ui->ShowDiagnostics(second);
  EXPECT_EQ(err.str(), path + ":1:1: warning: w\n  1 | a: 1\n    | ^\n" + path +
                           ":2:4: warning: w\n  2 | b: 2\n    |    ^\n");
}

}  // namespace
}  // namespace mfgctl
