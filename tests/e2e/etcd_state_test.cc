// State in a real etcd (tests/cloud/etcd.sh, the e2e_etcd fixture): a
// plant's state, lock and journal as keys under its prefix, read here with
// etcdctl, independently of mfgctl. Two runs at once, a run killed while it
// holds the lock, a write made behind a run's back, a state too large.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr char kEtcd[] = "http://127.0.0.1:2379";

void SkipWithoutEtcd() {
  if (RunProgram({"curl", "-sf", "-o", "/dev/null", "--max-time", "2",
                  std::string(kEtcd) + "/health"})
          .exit_code != 0) {
    GTEST_SKIP() << "etcd is not running on " << kEtcd
                 << " (tests/cloud/etcd.sh up: Debian's etcd-server)";
  }
}

Result Etcdctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"etcdctl", "--endpoints", kEtcd};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProgram(argv);
}

// The state JSON the key holds: mfgctl writes it gzip-compressed.
Value StateIn(const std::string& key) {
  Result r = RunProgram({"sh", "-c", "etcdctl --endpoints " + std::string(kEtcd) +
                                         " get --print-value-only " + key + " | head -c -1 | gunzip"});
  return Value::parse(r.out, nullptr, false);
}

size_t Keys(const std::string& prefix) {
  Result r = Etcdctl({"get", "--prefix", "--keys-only", prefix});
  size_t n = 0;
  for (size_t at = r.out.find(prefix); at != std::string::npos; at = r.out.find(prefix, at + 1)) ++n;
  return n;
}

std::string EtcdState(const std::string& prefix, const std::string& extra = "") {
  return "state:\n  backend: etcd\n  endpoints: [" + std::string(kEtcd) + "]\n  prefix: " +
         prefix + "\n" + extra;
}

// Waits until `done` or 30 s pass.
template <typename F>
bool WaitFor(F done) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

size_t Recorded(const Plant& plant) {
  Result list = plant.Mfgctl({"state", "list"});
  return static_cast<size_t>(std::count(list.out.begin(), list.out.end(), '\n'));
}

TEST(EtcdStateTest, TheStateLivesInEtcdAndTheNextPlanIsEmpty) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/basic"});
  Plant plant("etcd-basic");
  plant.Write(EtcdState("/e2e/basic") +
              Gateway(1, "    files:\n      /srv/etcd-basic.conf: { content: \"a\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  Value state = StateIn("/e2e/basic/etcd-basic/state");
  ASSERT_FALSE(state.is_discarded());
  EXPECT_EQ(state["plant"], "etcd-basic");
  EXPECT_NE(StateEntry(state, "gw:file[/srv/etcd-basic.conf]"), nullptr) << state.dump();
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath())) << "no local state";
  // Written whole at the end: the journal is gone, the lock released.
  EXPECT_EQ(Keys("/e2e/basic/etcd-basic/journal/"), 0u);
  EXPECT_EQ(Keys("/e2e/basic/etcd-basic/lock"), 0u);
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  OnHost(1, "rm -f /srv/etcd-basic.conf");
}

TEST(EtcdStateTest, ASecondRunIsRefusedNamingTheHolderOrWaitsForIt) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/two"});
  Plant plant("etcd-two");
  plant.Write(EtcdState("/e2e/two") + Gateway(2, "    commands:\n      slow: { run: \"sleep 3\" }\n"));
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitFor([] { return Keys("/e2e/two/etcd-two/lock") == 1; }));
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("state of this plant is locked by pid " + std::to_string(pid) +
                             " (mfgctl apply)"),
            std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find(", since 20"), std::string::npos) << refused.err;
  // The other run, told to wait, gets the lock once the first is done.
  plant.Write(EtcdState("/e2e/two") + Gateway(2, "    commands:\n      slow: { run: \"sleep 3\" }\n"
                                                 "      next: { run: \"true\" }\n"));
  Result waited = plant.Mfgctl({"apply", "--auto-approve", "--lock-timeout", "30"});
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_EQ(waited.exit_code, 0) << waited.out << waited.err;
  Value state = StateIn("/e2e/two/etcd-two/state");
  EXPECT_NE(StateEntry(state, "gw:command[slow]"), nullptr) << state.dump();
  EXPECT_NE(StateEntry(state, "gw:command[next]"), nullptr) << state.dump();
}

TEST(EtcdStateTest, AKilledRunsLockExpiresWithItsLeaseAndItsFinishedWorkIsKept) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/killed"});
  ASSERT_EQ(OnHost(3, "rm -f /tmp/etcd-killed-log").exit_code, 0);
  Plant plant("etcd-killed");
  std::string body = EtcdState("/e2e/killed", "  lock_ttl: 3s\n") + Gateway(3, "    commands:\n");
  const int kSteps = 12;
  for (int i = 0; i < kSteps; ++i) {
    body += "      step" + std::to_string(i) + ": { run: \"sleep 0.3; echo " + std::to_string(i) +
            " >> /tmp/etcd-killed-log\" }\n";
  }
  plant.Write(body);
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  size_t recorded = 0;
  WaitFor([&] { return (recorded = Recorded(plant)) >= 3; });
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  ASSERT_GE(recorded, 3u);
  recorded = Recorded(plant);
  ASSERT_LT(recorded, static_cast<size_t>(kSteps));
  // What it finished is in the journal; nothing that did not finish.
  EXPECT_GE(Keys("/e2e/killed/etcd-killed/journal/"), 1u);
  Result log = OnHost(3, "wc -l < /tmp/etcd-killed-log");
  EXPECT_LE(recorded, static_cast<size_t>(std::stoi(log.out))) << log.out;
  // Its lock outlives it until the lease runs out.
  EXPECT_EQ(Keys("/e2e/killed/etcd-killed/lock"), 1u);
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("locked by pid " + std::to_string(pid)), std::string::npos)
      << refused.err;
  Result apply = plant.Mfgctl({"apply", "--auto-approve", "--lock-timeout", "20"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  // Only what was left ran again.
  size_t made = 0;
  for (size_t at = apply.out.find("Creation complete"); at != std::string::npos;
       at = apply.out.find("Creation complete", at + 1)) {
    ++made;
  }
  EXPECT_EQ(made, kSteps - recorded) << apply.out;
  EXPECT_EQ(StateIn("/e2e/killed/etcd-killed/state")["resources"].size(),
            static_cast<size_t>(kSteps));
  EXPECT_EQ(Keys("/e2e/killed/etcd-killed/journal/"), 0u);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(EtcdStateTest, ForceUnlockClearsALockLeftByAKilledRun) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/force"});
  Plant plant("etcd-force");
  plant.Write(EtcdState("/e2e/force", "  lock_ttl: 120s\n") +
              Gateway(1, "    commands:\n      slow: { run: \"sleep 5\" }\n"));
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitFor([] { return Keys("/e2e/force/etcd-force/lock") == 1; }));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  Result unlock = plant.Mfgctl({"force-unlock", "--force"});
  ASSERT_EQ(unlock.exit_code, 0) << unlock.out << unlock.err;
  EXPECT_NE(unlock.out.find("is locked by pid " + std::to_string(pid)), std::string::npos)
      << unlock.out;
  EXPECT_EQ(Keys("/e2e/force/etcd-force/lock"), 0u);
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
}

TEST(EtcdStateTest, AWriteBehindTheRunsBackIsAConflictNotOverwritten) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/cas"});
  Plant plant("etcd-cas");
  plant.Write(EtcdState("/e2e/cas") + Gateway(2, "    commands:\n      slow: { run: \"sleep 2\" }\n"));
  pid_t pid = plant.Start({"apply", "--auto-approve"});
  ASSERT_TRUE(WaitFor([] { return Keys("/e2e/cas/etcd-cas/lock") == 1; }));
  // Another writer, one that ignores the lock.
  ASSERT_EQ(Etcdctl({"put", "/e2e/cas/etcd-cas/state", "written-behind-its-back"}).exit_code, 0);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(Etcdctl({"get", "--print-value-only", "/e2e/cas/etcd-cas/state"}).out,
            "written-behind-its-back\n");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.err.find("etcd key /e2e/cas/etcd-cas/state is not a state"), std::string::npos)
      << plan.err;
}

TEST(EtcdStateTest, AStateTooLargeForEtcdIsRefusedAndTheFinishedWorkKept) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/size"});
  Plant plant("etcd-size");
  std::string files = "    files:\n";
  for (int i = 0; i < 5; ++i) {
    files += "      /srv/etcd-size-" + std::to_string(i) + ".conf: { content: \"x\\n\" }\n";
  }
  plant.Write(EtcdState("/e2e/size", "  max_request_bytes: 400\n") + Gateway(1, files));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1) << apply.out << apply.err;
  EXPECT_NE(apply.err.find("the state of plant etcd-size is too large for etcd"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.err.find("etcd takes at most 400: nothing was written"), std::string::npos)
      << apply.err;
  EXPECT_EQ(Keys("/e2e/size/etcd-size/state"), 0u);
  // Nothing finished is lost: the journal holds it, and with room the next
  // run writes it and has nothing left to do.
  EXPECT_EQ(Recorded(plant), 5u);
  plant.Write(EtcdState("/e2e/size") + Gateway(1, files));
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  files += "      /srv/etcd-size-5.conf: { content: \"x\\n\" }\n";
  plant.Write(EtcdState("/e2e/size") + Gateway(1, files));
  apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(apply.out.find("1 added, 0 changed"), std::string::npos) << apply.out;
  Value state = StateIn("/e2e/size/etcd-size/state");
  ASSERT_FALSE(state.is_discarded());
  EXPECT_EQ(state["resources"].size(), 6u);
  EXPECT_EQ(Keys("/e2e/size/etcd-size/journal/"), 0u);
  OnHost(1, "rm -f /srv/etcd-size-*.conf");
}

TEST(EtcdStateTest, ALocalStateMigratesAndPullAndPushKeepTheHistory) {
  SkipWithoutEtcd();
  Etcdctl({"del", "--prefix", "/e2e/migrate"});
  Plant plant("etcd-migrate");
  std::string gateway =
      Gateway(2, "    files:\n      /srv/etcd-migrate.conf: { content: \"a\\n\" }\n");
  plant.Write(gateway);
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  Value local = plant.ReadState();
  // The blueprint now names etcd: its state moves there.
  plant.Write(EtcdState("/e2e/migrate") + gateway);
  Result migrate = plant.Mfgctl({"state", "migrate"});
  ASSERT_EQ(migrate.exit_code, 0) << migrate.out << migrate.err;
  EXPECT_NE(migrate.out.find("Migrated 1 resource(s) from " + plant.StatePath().string() +
                             " to etcd key /e2e/migrate/etcd-migrate/state"),
            std::string::npos)
      << migrate.out;
  EXPECT_FALSE(std::filesystem::exists(plant.StatePath()));
  EXPECT_TRUE(std::filesystem::exists(plant.StatePath().string() + ".migrated"));
  Value moved = StateIn("/e2e/migrate/etcd-migrate/state");
  EXPECT_EQ(moved["lineage"], local["lineage"]);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // A second migration would overwrite: refused.
  std::filesystem::copy_file(plant.StatePath().string() + ".migrated", plant.StatePath());
  Result again = plant.Mfgctl({"state", "migrate"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("holds a state already"), std::string::npos) << again.err;

  // pull prints the state; push takes it back, not an older one.
  Result pull = plant.Mfgctl({"state", "pull"});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  Value pulled = Value::parse(pull.out, nullptr, false);
  ASSERT_FALSE(pulled.is_discarded()) << pull.out;
  EXPECT_EQ(pulled["serial"], moved["serial"]);
  std::ofstream(plant.dir() / "pulled.json") << pull.out;
  Result push = plant.Mfgctl({"state", "push", "pulled.json"});
  ASSERT_EQ(push.exit_code, 0) << push.out << push.err;
  EXPECT_EQ(StateIn("/e2e/migrate/etcd-migrate/state")["serial"],
            pulled["serial"].get<int>() + 1);
  Result older = plant.Mfgctl({"state", "push", "pulled.json"});
  EXPECT_EQ(older.exit_code, 1);
  EXPECT_NE(older.err.find("pulled.json is older (serial"), std::string::npos) << older.err;
  pulled["plant"] = "another-plant";
  std::ofstream(plant.dir() / "other.json") << pulled.dump();
  Result other = plant.Mfgctl({"state", "push", "--force", "other.json"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("other.json is the state of plant another-plant, not of etcd-migrate"),
            std::string::npos)
      << other.err;
  OnHost(2, "rm -f /srv/etcd-migrate.conf");
}

}  // namespace
}  // namespace mfgctl::e2e
