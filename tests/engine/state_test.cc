#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <algorithm>
#include <filesystem>
#include <fstream>

#include "engine/model/sensitive.h"
#include "engine/model/text_file.h"
#include "engine/state/backend.h"
#include "engine/apply/recorder.h"
#include "engine/state/journal.h"

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

  // A plan that creates files on gw1, and the change for one of them.
  static Plan FilesOnGw1() {
    Plan plan;
    plan.plant = "p";
    plan.targets["gw1"] = Target{"gw1", "ssh", {{"address", "a"}}, {}, {}};
    return plan;
  }
  static PlanChange CreateFile(const std::string& path) {
    PlanChange c;
    c.address = {"gw1", "file", path};
    c.type = "host.file";
    c.action = Action::kCreate;
    c.after = {{"mode", "0600"}};
    return c;
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
  Plan plan = FilesOnGw1();
  StateRecorder rec(b, StateSnapshot{}, plan);
  PlanChange c = CreateFile("/x");
  Diagnostics d;
  ASSERT_TRUE(rec.Record({{&c, c.after}}, &d));
  c.address.name = "/y";
  ASSERT_TRUE(rec.Record({{&c, c.after}}, &d));
  StateSnapshot back;
  ASSERT_TRUE(b.Read(&back, &d));
  EXPECT_EQ(back.serial, 2u);
  EXPECT_FALSE(back.lineage.empty());
  EXPECT_EQ(back.resources.size(), 2u);
  EXPECT_EQ(back.targets.at("gw1").config["address"], "a");
}

TEST_F(StateTest, RecorderJournalsAfterTheFirstWriteAndFoldsAtTheEnd) {
  LocalStateBackend b(path_);
  Plan plan = FilesOnGw1();
  StateRecorder rec(b, StateSnapshot{}, plan);
  Diagnostics d;
  for (int i = 0; i < 3; ++i) {
    PlanChange c = CreateFile("/x" + std::to_string(i));
    ASSERT_TRUE(rec.Record({{&c, c.after}}, &d));
  }
  // The file holds the first change, the journal the other two; a read
  // (the next run, had this one died here) sees all three.
  Value file = Value::parse(*ReadWholeFile(path_));
  EXPECT_EQ(file["resources"].size(), 1u);
  std::string journal = *ReadWholeFile(path_ + ".journal");
  EXPECT_EQ(std::count(journal.begin(), journal.end(), '\n'), 2);
  struct stat st {};
  ASSERT_EQ(::stat((path_ + ".journal").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  StateSnapshot back;
  ASSERT_TRUE(LocalStateBackend(path_).Read(&back, &d));
  EXPECT_EQ(back.serial, 3u);
  EXPECT_EQ(back.resources.size(), 3u);
  // Finish folds the journal into one whole write and removes it.
  ASSERT_TRUE(rec.Finish(&d));
  EXPECT_FALSE(std::filesystem::exists(path_ + ".journal"));
  EXPECT_EQ(Value::parse(*ReadWholeFile(path_))["resources"].size(), 3u);
}

TEST_F(StateTest, RecorderJournalsChangesThatFinishedTogetherInOneAppend) {
  LocalStateBackend b(path_);
  Plan plan = FilesOnGw1();
  StateRecorder rec(b, StateSnapshot{}, plan);
  Diagnostics d;
  PlanChange first = CreateFile("/first");
  ASSERT_TRUE(rec.Record({{&first, first.after}}, &d));
  std::vector<PlanChange> round = {CreateFile("/a"), CreateFile("/b"), CreateFile("/c")};
  std::vector<AppliedChange> done;
  for (const auto& c : round) done.push_back({&c, c.after});
  ASSERT_TRUE(rec.Record(done, &d));
  std::string journal = *ReadWholeFile(path_ + ".journal");
  EXPECT_EQ(std::count(journal.begin(), journal.end(), '\n'), 3);
  StateSnapshot back;
  ASSERT_TRUE(LocalStateBackend(path_).Read(&back, &d));
  EXPECT_EQ(back.serial, 4u);
  EXPECT_EQ(back.resources.size(), 4u);
}

TEST_F(StateTest, JournalLineCutShortIsNotFinishedWorkAndDeletionsFold) {
  StateSnapshot s = Sample(5);
  StateSnapshot later = s;
  later.serial = 6;
  later.resources.clear();
  later.targets.clear();  // the last resource on gw1 went, and gw1 with it
  std::string gone = JournalLine(later, "gw1:file[/etc/a b]", "gw1");
  later.serial = 7;
  ResourceState r;
  r.address = {"gw1", "file", "/etc/c"};
  r.type = "host.file";
  later.resources["gw1:file[/etc/c]"] = r;
  later.targets["gw1"] = s.targets["gw1"];
  std::string made = JournalLine(later, "gw1:file[/etc/c]", "gw1");
  Diagnostics d;
  StateSnapshot folded = s;
  ASSERT_TRUE(FoldJournal(gone + made.substr(0, made.size() - 5), "J", &folded, &d));
  EXPECT_EQ(folded.serial, 6u);
  EXPECT_TRUE(folded.resources.empty());
  EXPECT_TRUE(folded.targets.empty());
  folded = s;
  ASSERT_TRUE(FoldJournal(gone + made, "J", &folded, &d));
  EXPECT_EQ(folded.serial, 7u);
  EXPECT_EQ(folded.resources.count("gw1:file[/etc/c]"), 1u);
  EXPECT_EQ(folded.targets.at("gw1").config["address"], "10.0.0.1");
  // Lines the state already holds are skipped; a complete bad line is an error.
  StateSnapshot current = later;
  ASSERT_TRUE(FoldJournal(gone, "J", &current, &d));
  EXPECT_EQ(current.resources.size(), 1u);
  EXPECT_FALSE(FoldJournal("{\"serial\": 9}\n", "J", &current, &d));
  EXPECT_EQ(FormatDiagnostic(d.items()[0]),
            "error: state journal J line 1 is malformed\n  move it away to go on from the state "
            "without it");
}

}  // namespace
}  // namespace mfgctl
