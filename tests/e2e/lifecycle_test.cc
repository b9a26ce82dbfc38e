// The plan/apply contract on a real host: plan, apply, idempotence, drift,
// deletion, exit codes, JSON output.
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

TEST(LifecycleTest, PlanApplyIdempotenceDriftDeletion) {
  Plant plant("lifecycle");
  // The hosts are shared by the suite and may be reused: start clean.
  ASSERT_EQ(OnHost(1, "rm -rf /srv/lifecycle; dpkg -r sl >/dev/null 2>&1; true").exit_code, 0);
  // The blueprint, with `extra` files added to it.
  auto write = [&](const std::string& extra) {
    plant.Write("variables:\n  greeting: { default: hello }\n" +
                Gateway(1,
                        "    packages: [sl]\n"
                        "    directories:\n"
                        "      /srv/lifecycle: { mode: \"0750\" }\n"
                        "    files:\n"
                        "      /srv/lifecycle/app.conf: { content: \"say=${var.greeting}\\n\", "
                        "mode: \"0640\" }\n" +
                            extra +
                            "    commands:\n"
                            "      init-db: { run: \"touch /srv/lifecycle/db\", creates: "
                            "/srv/lifecycle/db, after: [\"directory[/srv/lifecycle]\"] }\n"));
  };
  write("      /srv/lifecycle/old.conf: { content: \"old\\n\" }\n");

  // plan changes nothing and says exactly what apply will do.
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
  EXPECT_NE(plan.out.find("+ host.package \"gw:package[sl]\""), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ content = \"say=hello\\n\""), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("Plan: 5 to add, 0 to change, 0 to destroy."), std::string::npos);
  EXPECT_EQ(OnHost(1, "test -e /srv/lifecycle").exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath()));

  // apply makes it so.
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("Apply complete! Resources: 5 added, 0 changed, 0 destroyed."),
            std::string::npos)
      << apply.out;
  EXPECT_EQ(OnHost(1, "cat /srv/lifecycle/app.conf").out, "say=hello\n");
  EXPECT_EQ(OnHost(1, "stat -c %a /srv/lifecycle /srv/lifecycle/app.conf").out, "750\n640\n");
  EXPECT_EQ(OnHost(1, "test -e /srv/lifecycle/db && command -v sl || ls /usr/games/sl").exit_code,
            0);
  Value state = plant.ReadState();
  EXPECT_EQ(state["resources"].size(), 5u);
  EXPECT_EQ(std::filesystem::status(plant.StatePath()).permissions() &
                std::filesystem::perms::all,
            std::filesystem::perms(0600));

  // Apply twice: the second plan is empty.
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  EXPECT_NE(again.out.find("No changes."), std::string::npos);

  // Drift: a file edited on the host is an update back.
  ASSERT_EQ(OnHost(1, "echo tampered > /srv/lifecycle/app.conf; chmod 600 "
                      "/srv/lifecycle/app.conf").exit_code,
            0);
  Result drift = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(drift.exit_code, 2);
  EXPECT_NE(drift.out.find("# gw:file[/srv/lifecycle/app.conf] will be updated in-place"),
            std::string::npos)
      << drift.out;
  EXPECT_NE(drift.out.find("~ mode    = \"0600\" -> \"0640\""), std::string::npos) << drift.out;
  EXPECT_NE(drift.out.find("Plan: 0 to add, 1 to change, 0 to destroy."), std::string::npos);
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(1, "cat /srv/lifecycle/app.conf").out, "say=hello\n");

  // A --var changes the plan; the variable flows into the content.
  Result var = plant.Mfgctl({"plan", "--var", "greeting=guten tag"});
  EXPECT_NE(var.out.find("-> \"say=guten tag\\n\""), std::string::npos) << var.out;

  // Deletion: a resource removed from the blueprint is planned for deletion.
  write("");
  Result del = plant.Mfgctl({"plan"});
  EXPECT_NE(del.out.find("# gw:file[/srv/lifecycle/old.conf] will be destroyed"),
            std::string::npos)
      << del.out;
  EXPECT_NE(del.out.find("Plan: 0 to add, 0 to change, 1 to destroy."), std::string::npos);
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(1, "test -e /srv/lifecycle/old.conf").exit_code, 1);
  EXPECT_EQ(plant.ReadState()["resources"].size(), 4u);

  // state list and show read what was recorded.
  Result list = plant.Mfgctl({"state", "list"});
  EXPECT_EQ(list.out,
            "gw:command[init-db]\ngw:directory[/srv/lifecycle]\n"
            "gw:file[/srv/lifecycle/app.conf]\ngw:package[sl]\n");

  // destroy removes what it manages, but never a directory holding files it
  // does not manage (here the db the command created): that one fails,
  // clearly, and stays in the state.
  Result destroy = plant.Mfgctl({"destroy", "--auto-approve"});
  EXPECT_EQ(destroy.exit_code, 1) << destroy.out << destroy.err;
  EXPECT_NE(destroy.err.find("error: gw:directory[/srv/lifecycle]: delete failed (exit status 1): "
                             "rmdir: failed to remove '/srv/lifecycle': Directory not empty"),
            std::string::npos)
      << destroy.err;
  EXPECT_EQ(OnHost(1, "test -e /srv/lifecycle/app.conf").exit_code, 1);
  EXPECT_EQ(OnHost(1, "dpkg-query -W sl").exit_code, 1);
  Value left = plant.ReadState()["resources"];
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0]["address"], "gw:directory[/srv/lifecycle]");
  ASSERT_EQ(OnHost(1, "rm /srv/lifecycle/db").exit_code, 0);
  EXPECT_EQ(plant.Mfgctl({"destroy", "--auto-approve"}).exit_code, 0);
  EXPECT_TRUE(plant.ReadState()["resources"].empty());
}

TEST(LifecycleTest, JsonOutputIsOneObjectPerLine) {
  Plant plant("json");
  plant.Write(Gateway(1, "    files:\n      /tmp/json-test: { content: \"x\" }\n"));
  Result plan = plant.Mfgctl({"plan", "--json"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  std::vector<Value> lines;
  std::istringstream in(plan.out);
  for (std::string line; std::getline(in, line);) {
    Value v = Value::parse(line, nullptr, false);
    ASSERT_FALSE(v.is_discarded()) << line;
    lines.push_back(v);
  }
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["type"], "version");
  EXPECT_EQ(lines[1]["type"], "planned_change");
  EXPECT_EQ(lines[1]["change"]["resource"]["addr"], "gw:file[/tmp/json-test]");
  EXPECT_EQ(lines[1]["change"]["action"], "create");
  EXPECT_EQ(lines[2]["type"], "change_summary");
  EXPECT_EQ(lines[2]["changes"]["add"], 1);
  for (const auto& l : lines) {
    EXPECT_TRUE(l.contains("@level") && l.contains("@message") && l.contains("@timestamp"));
  }
}

TEST(LifecycleTest, ApplyWithoutTerminalRefusesWithoutAutoApprove) {
  Plant plant("notty");
  plant.Write(Gateway(1, "    files:\n      /tmp/notty-test: { content: \"x\" }\n"));
  Result apply = plant.Mfgctl({"apply"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("approval needed, but standard input is not a terminal"),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(OnHost(1, "test -e /tmp/notty-test").exit_code, 1);
}

TEST(LifecycleTest, BadBlueprintTouchesNothing) {
  Plant plant("bad");
  plant.Write(Gateway(1, "    files:\n      /tmp/bad-test: { content: \"${var.nope}\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("plant.yaml:13:34: error: undefined variable \"nope\""),
            std::string::npos)
      << apply.err;
  EXPECT_EQ(OnHost(1, "test -e /tmp/bad-test").exit_code, 1);
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath()));
}


TEST(LifecycleTest, PackageVersionPinningUpdatesInPlace) {
  Plant plant("pinning");
  ASSERT_EQ(OnHost(3, "dpkg -r mfg-demo >/dev/null 2>&1; true").exit_code, 0);
  auto write = [&](const std::string& version) {
    plant.Write("gateways:\n  gw:\n    address: " + HostAddress(3) +
                "\n    packages:\n      mfg-demo: { version: \"" + version + "\" }\n");
  };
  write("1.0-1");
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "dpkg-query -W -f='${Version}' mfg-demo").out, "1.0-1");
  write("2.0-1");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("~ version = \"1.0-1\" -> \"2.0-1\""), std::string::npos) << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "dpkg-query -W -f='${Version}' mfg-demo").out, "2.0-1");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(LifecycleTest, OwnerAndGroupAreSet) {
  Plant plant("owner");
  plant.Write("gateways:\n  gw:\n    address: " + HostAddress(3) +
              "\n    directories:\n      /srv/owned: { owner: daemon, group: daemon, mode: "
              "\"0700\" }\n"
              "    files:\n      /srv/owned/f: { content: \"x\", owner: nobody, group: nogroup "
              "}\n");
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "stat -c '%U:%G %a' /srv/owned /srv/owned/f").out,
            "daemon:daemon 700\nnobody:nogroup 644\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}


TEST(LifecycleTest, GatewayGroupRollsOutToEveryMember) {
  Plant plant("groups");
  plant.Write("gateway_groups:\n  line:\n    members: [a, b]\n    files:\n"
              "      /etc/mfgctl-group: { content: \"shared\\n\" }\n"
              "gateways:\n  a: { address: " + HostAddress(2) + " }\n"
              "  b:\n    address: " + HostAddress(3) + "\n    files:\n"
              "      /etc/mfgctl-group: { content: \"own\\n\" }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, "cat /etc/mfgctl-group").out, "shared\n");
  EXPECT_EQ(OnHost(3, "cat /etc/mfgctl-group").out, "own\n");
}

}  // namespace
}  // namespace mfgctl::e2e
