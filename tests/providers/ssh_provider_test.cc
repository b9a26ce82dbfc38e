// The SSH provider's own logic — steps with uploads, their checks and
// clean-up — over a shell that runs on this machine: the scripts are the
// ones a host gets, the files land in a temporary folder.
#include "providers/ssh/ssh_provider.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "engine/model/digest.h"
#include "engine/model/text_file.h"
#include "tests/support/process.h"

namespace mfgctl {
namespace {

// Runs commands with the local /bin/sh and "uploads" by copying.
class LocalShell : public RemoteShell {
 public:
  bool Run(const std::string& command, std::string_view input, CommandResult* result,
           std::string*, const OutputWatch&) override {
    ProcessResult r = RunProgram({"sh", "-c", command}, "", std::string(input));
    *result = {r.exit_code, r.out, r.err};
    return true;
  }
  bool Upload(const std::string& local_path, const std::string& remote_path,
              std::string* sent_digest, std::string* error) override {
    std::error_code ec;
    std::filesystem::copy_file(local_path, remote_path,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) *error = ec.message();
    *sent_digest = Sha256FileDigest(local_path).value_or("");
    return !ec;
  }
};

class SshProviderTest : public ::testing::Test {
 protected:
  SshProviderTest()
      : connections_([](const Target&, std::string*) { return std::make_unique<LocalShell>(); }),
        provider_(connections_) {
    dir_ = std::filesystem::temp_directory_path() / ("mfgctl-prov-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_ / "local");
    target_ = {"local", "ssh", {{"address", "localhost"}}, {}, {}};
  }
  ~SshProviderTest() override { std::filesystem::remove_all(dir_); }

  ApplyRequest BundleCreate(const std::string& path, const Value& files) {
    ApplyRequest req;
    req.target = &target_;
    req.address = {"local", "bundle", path};
    req.type = "host.bundle";
    req.action = Action::kCreate;
    req.after = {{"source", (dir_ / "local").string()}, {"files", files}};
    return req;
  }

  std::filesystem::path dir_;
  Target target_;
  HostConnections connections_;
  SshProvider provider_;
};

TEST_F(SshProviderTest, OneRoundCarriesOutActionsOfEveryTypeAndEachFailsAlone) {
  auto file = [&](const std::string& path, const std::string& content, Value extra = {}) {
    ApplyRequest req;
    req.target = &target_;
    req.address = {"local", "file", (dir_ / path).string()};
    req.type = "host.file";
    req.action = Action::kCreate;
    req.after = {{"content", content}};
    if (extra.is_object()) req.after.update(extra);
    return req;
  };
  std::ofstream(dir_ / "blocker") << "a regular file, not a directory";
  std::filesystem::create_directories(dir_ / "kept");
  std::ofstream(dir_ / "kept" / "old") << "old";
  std::filesystem::permissions(dir_ / "kept" / "old", std::filesystem::perms(0600));
  std::vector<ApplyRequest> reqs = {
      file("a/one", std::string("bin\0ary", 6), {{"mode", "0640"}}),
      file("a/two", ""),
      file("b/three", "3\n"),
      file("blocker/four", "cannot be"),
      file("kept/old", "new"),
  };
  reqs.back().action = Action::kUpdate;
  reqs.back().before = {{"content", Sha256Digest("old")}, {"mode", "0600"}};
  ApplyRequest cmd;
  cmd.target = &target_;
  cmd.address = {"local", "command", "fails"};
  cmd.type = "host.command";
  cmd.action = Action::kCreate;
  cmd.after = {{"run", "echo no luck >&2; exit 7"}};
  reqs.push_back(cmd);
  std::vector<ApplyResponse> out(reqs.size());
  std::vector<int> reported(reqs.size());
  provider_.ApplyBatch(reqs, [&](std::vector<std::pair<size_t, ApplyResponse>> done) {
    for (auto& [i, response] : done) {
      out[i] = std::move(response);
      ++reported[i];
    }
  });
  EXPECT_EQ(reported, std::vector<int>(reqs.size(), 1));  // each exactly once
  for (size_t i : {0, 1, 2, 4}) {
    EXPECT_FALSE(out[i].diagnostics.HasErrors()) << out[i].diagnostics.items()[0].summary;
  }
  ASSERT_TRUE(out[3].diagnostics.HasErrors());
  EXPECT_EQ(out[3].diagnostics.items()[0].summary.substr(0, 29), "create failed (exit status 1)");
  ASSERT_TRUE(out[5].diagnostics.HasErrors());
  EXPECT_EQ(out[5].diagnostics.items()[0].summary, "create failed (exit status 7): no luck");
  EXPECT_EQ(ReadWholeFile((dir_ / "a/one").string()), std::string("bin\0ary", 6));
  EXPECT_EQ(ReadWholeFile((dir_ / "a/two").string()), "");
  EXPECT_EQ(ReadWholeFile((dir_ / "b/three").string()), "3\n");
  EXPECT_EQ(ReadWholeFile((dir_ / "kept/old").string()), "new");
  auto mode = [&](const char* path) {
    return static_cast<int>(std::filesystem::status(dir_ / path).permissions()) & 0777;
  };
  EXPECT_EQ(mode("a/one"), 0640);
  EXPECT_EQ(mode("a/two"), 0644);
  EXPECT_EQ(mode("kept/old"), 0600);  // unmanaged: as the file it replaced
  // No staging directory is left behind.
  for (const char* d : {"a", "b", "kept"}) {
    for (const auto& e : std::filesystem::directory_iterator(dir_ / d)) {
      EXPECT_EQ(e.path().filename().string().rfind(".mfgctl", 0), std::string::npos) << e.path();
    }
  }
}

TEST_F(SshProviderTest, BundleFilesAreUploadedThenMovedIntoPlace) {
  std::ofstream(dir_ / "local" / "a.deb") << "package";
  std::string path = (dir_ / "bundle").string();
  ApplyResponse r = provider_.Apply(BundleCreate(path, {{"a.deb", Sha256Digest("package")}}));
  ASSERT_FALSE(r.diagnostics.HasErrors()) << r.diagnostics.items()[0].summary;
  EXPECT_EQ(ReadWholeFile(path + "/a.deb"), "package");
  EXPECT_FALSE(std::filesystem::exists(path + "/.mfgctl-incoming"));
}

TEST_F(SshProviderTest, LocalFileChangedSincePlanningFailsAndLeavesNothing) {
  std::ofstream(dir_ / "local" / "a.deb") << "changed after planning";
  std::string path = (dir_ / "bundle").string();
  ApplyResponse r = provider_.Apply(BundleCreate(path, {{"a.deb", Sha256Digest("planned")}}));
  ASSERT_TRUE(r.diagnostics.HasErrors());
  EXPECT_EQ(r.diagnostics.items()[0].summary,
            (dir_ / "local" / "a.deb").string() +
                " changed since the plan was made (its checksum differs); plan again");
  EXPECT_FALSE(std::filesystem::exists(path + "/a.deb"));
  EXPECT_FALSE(std::filesystem::exists(path + "/.mfgctl-incoming"));
}

}  // namespace
}  // namespace mfgctl
