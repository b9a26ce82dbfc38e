#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "engine/model/sensitive.h"
#include "engine/model/text_file.h"
#include "engine/state/backend.h"
#include "engine/apply/recorder.h"

namespace mfgctl {
namespace {

class StateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mfgctl-state-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / ".mfgctl" / "p.state.json").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static StateSnapshot Sample(uint64_t serial) {
    StateSnapshot s;
    s.lineage = "L";
    s.serial = serial;
    s.plant = "p";
    s.targets["gw1"] = Target{"gw1", "ssh", {{"address", "10.0.0.1"}}, {}, {}};
    ResourceState r;
    r.address = {"gw1", "file", "/etc/a b"};
    r.type = "host.file";
    r.attributes = {{"mode", "0640"}};
    s.resources[r.address.ToString()] = r;
    return s;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(StateTest, SealedValuesRoundTripAndSecretSettingsAreLeftOut) {
  StateSnapshot s = Sample(3);
  s.salt = "0123abcd";
  s.targets["gw1"].config["bastion"] = "jump-secret@10.0.0.9";
  s.targets["gw1"].sensitive = {"bastion"};
  ResourceState& r = s.resources.begin()->second;
  r.attributes["content"] = Seal("pw=hunter2", s.salt);
  r.sensitive = {"content"};
  Diagnostics d;
  LocalStateBackend b(path_);
  ASSERT_TRUE(b.Write(s, &d));
  std::string text = ReadWholeFile(path_).value_or("");
  EXPECT_EQ(text.find("jump-secret"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  StateSnapshot back;
  ASSERT_TRUE(b.Read(&back, &d));
  EXPECT_EQ(back.salt, "0123abcd");
  EXPECT_EQ(back.targets["gw1"].config, (Value{{"address", "10.0.0.1"}}));
  EXPECT_EQ(back.resources.begin()->second.sensitive, (std::vector<std::string>{"content"}));
  EXPECT_EQ(back.resources.begin()->second.attributes["content"], Seal("pw=hunter2", "0123abcd"));
}

TEST_F(StateTest, MissingStateReadsEmpty) {
  LocalStateBackend b(path_);
  StateSnapshot s;
  Diagnostics d;
  ASSERT_TRUE(b.Read(&s, &d));
  EXPECT_TRUE(s.lineage.empty());
  EXPECT_TRUE(s.resources.empty());
}

TEST_F(StateTest, WritesRoundTripWithMode0600AndKeepsABackup) {
  Diagnostics d;
  {
    LocalStateBackend b(path_);
    ASSERT_TRUE(b.Write(Sample(1), &d));
  }
  LocalStateBackend b(path_);
  ASSERT_TRUE(b.Write(Sample(2), &d));
  ASSERT_TRUE(b.Write(Sample(3), &d));
  StateSnapshot back;
  ASSERT_TRUE(b.Read(&back, &d));
  EXPECT_EQ(back.serial, 3u);
  EXPECT_EQ(StateToJson(back), StateToJson(Sample(3)));
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // The backup is the state as it was before this backend's first write.
  LocalStateBackend backup(path_ + ".backup");
  ASSERT_TRUE(backup.Read(&back, &d));
  EXPECT_EQ(back.serial, 1u);
}

TEST_F(StateTest, CorruptStateIsAClearError) {
  std::filesystem::create_directories(dir_ / ".mfgctl");
  std::ofstream(path_) << "{not json";
  LocalStateBackend b(path_);
  StateSnapshot s;
  Diagnostics d;
  EXPECT_FALSE(b.Read(&s, &d));
  EXPECT_EQ(d.items()[0].summary, "state file " + path_ + " is not valid JSON");
}

TEST_F(StateTest, SecondLockIsRefusedNamingTheHolder) {
  Diagnostics d;
  LocalStateBackend first(path_);
  ASSERT_TRUE(first.Lock("pid 1 (mfgctl apply)", 0, &d));
  LocalStateBackend second(path_);
  EXPECT_FALSE(second.Lock("pid 2", 0, &d));
  EXPECT_EQ(d.items()[0].summary, "state of this plant is locked by pid 1 (mfgctl apply)");
  first.Unlock();
  Diagnostics d2;
  EXPECT_TRUE(second.Lock("pid 2", 0, &d2));
}

TEST_F(StateTest, LockOfAKilledProcessNeverBlocks) {
  std::filesystem::create_directories(dir_ / ".mfgctl");
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  pid_t child = fork();
  if (child == 0) {
    Diagnostics d;
    LocalStateBackend held(path_);
    held.Lock("doomed", 0, &d);
    (void)!write(ready[1], "x", 1);
    pause();
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  Diagnostics d;
  LocalStateBackend b(path_);
  EXPECT_FALSE(b.Lock("me", 0, &d));
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  Diagnostics d2;
  EXPECT_TRUE(b.Lock("me", 0, &d2));
}

TEST_F(StateTest, LockHolderNamesALiveHolderAndForceUnlockRefusesIt) {
  Diagnostics d;
  LocalStateBackend other(path_);
  std::string who = "x";
  ASSERT_TRUE(other.LockHolder(&who, &d));
  EXPECT_EQ(who, "");  // never locked: no lock file
  EXPECT_TRUE(other.ForceUnlock(&d));
  LocalStateBackend holder(path_);
  ASSERT_TRUE(holder.Lock("pid 7 (mfgctl apply) of ops@eng", 0, &d));
  ASSERT_TRUE(other.LockHolder(&who, &d));
  EXPECT_EQ(who, "pid 7 (mfgctl apply) of ops@eng");
  ASSERT_TRUE(holder.LockHolder(&who, &d));  // its own lock is held too
  EXPECT_EQ(who, "pid 7 (mfgctl apply) of ops@eng");
  EXPECT_FALSE(other.LockOutlivesHolder());
  EXPECT_FALSE(other.ForceUnlock(&d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d.items()[0].summary,
            "state of this plant is locked by pid 7 (mfgctl apply) of ops@eng, a run that is "
            "still alive");
  EXPECT_NE(d.items()[0].detail.find("the kernel drops when its holder exits"),
            std::string::npos);
  Diagnostics d2;
  EXPECT_FALSE(other.Lock("pid 8", 0, &d2));  // refused: the lock still stands
  holder.Unlock();
  ASSERT_TRUE(other.LockHolder(&who, &d));
  EXPECT_EQ(who, "");
}

TEST_F(StateTest, ALockFileWhoseHolderDiedIsFree) {
  std::filesystem::create_directories(dir_ / ".mfgctl");
  pid_t child = fork();
  if (child == 0) {
    Diagnostics d;
    LocalStateBackend held(path_);
    held.Lock("doomed", 0, &d);
    kill(getpid(), SIGKILL);  // leaves its description in the lock file
  }
  waitpid(child, nullptr, 0);
  EXPECT_EQ(ReadWholeFile(path_ + ".lock").value_or(""), "doomed\n");
  Diagnostics d;
  LocalStateBackend b(path_);
  std::string who = "x";
  ASSERT_TRUE(b.LockHolder(&who, &d));
  EXPECT_EQ(who, "");
  EXPECT_TRUE(b.ForceUnlock(&d));
  EXPECT_TRUE(d.empty());
}

TEST_F(StateTest, RecorderBumpsSerialOnEveryChange) {
  LocalStateBackend b(path_);
  Plan plan;
  plan.plant = "p";
  plan.targets["gw1"] = Target{"gw1", "ssh", {{"address", "a"}}, {}, {}};
  StateRecorder rec(b, StateSnapshot{}, plan);
  PlanChange c;
  c.address = {"gw1", "file", "/x"};
  c.type = "host.file";
  c.action = Action::kCreate;
  c.after = {{"mode", "0600"}};
  Diagnostics d;
  ASSERT_TRUE(rec.Record(c, c.after, &d));
  c.address.name = "/y";
  ASSERT_TRUE(rec.Record(c, c.after, &d));
  StateSnapshot back;
  ASSERT_TRUE(b.Read(&back, &d));
  EXPECT_EQ(back.serial, 2u);
  EXPECT_FALSE(back.lineage.empty());
  EXPECT_EQ(back.resources.size(), 2u);
  EXPECT_EQ(back.targets.at("gw1").config["address"], "a");
}

}  // namespace
}  // namespace mfgctl
