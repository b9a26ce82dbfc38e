// Buckets against s3rver on 127.0.0.1:4569 (tests/cloud/s3rver.sh, started
// once with the hosts), the S3-compatible server that runs here. It has no
// bucket tagging, versioning or lifecycle: those requests are pinned
// against AWS's documented shapes in tests/providers/s3_provider_test.cc,
// and here a bucket asking for one fails naming the server. The live side is
// checked with curl (--aws-sigv4), independently of mfgctl.
#include <cstdlib>

#include "engine/model/digest.h"
#include "engine/model/text_file.h"
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

constexpr char kS3[] = "http://127.0.0.1:4569";

Result S3(const std::string& method, const std::string& path, const std::string& body = "",
          const std::string& key = "S3RVER") {
  std::vector<std::string> argv = {"curl", "-s", "-X", method, "--aws-sigv4",
                                   "aws:amz:us-east-1:s3", "-u", key + ":S3RVER", "-H",
                                   "x-amz-content-sha256: UNSIGNED-PAYLOAD",
                                   std::string(kS3) + path};
  if (!body.empty()) argv.insert(argv.end(), {"--data-binary", body});
  return RunProgram(argv);
}

void SkipWithoutS3rver() {
  if (RunProgram({"curl", "-s", "-o", "/dev/null", "--max-time", "2", kS3}).exit_code != 0) {
    GTEST_SKIP() << "s3rver is not running on " << kS3
                 << " (tests/cloud/s3rver.sh up could not install it from npm)";
  }
}

bool Exists(const std::string& bucket) {
  return S3("GET", "/").out.find("<Name>" + bucket + "</Name>") != std::string::npos;
}

// Removes a bucket an earlier run left, with its objects (s3rver keeps
// them until it stops).
void Scrub(const std::string& bucket) {
  std::string listing = S3("GET", "/" + bucket + "?list-type=2").out;
  for (size_t at = listing.find("<Key>"); at != std::string::npos;
       at = listing.find("<Key>", at + 1)) {
    size_t end = listing.find("</Key>", at);
    std::string key;  // the tests' keys have spaces, nothing else to escape
    for (char c : listing.substr(at + 5, end - at - 5)) key += c == ' ' ? "%20" : std::string(1, c);
    S3("DELETE", "/" + bucket + "/" + key);
  }
  S3("DELETE", "/" + bucket);
}

std::string Buckets(const std::string& buckets, const std::string& key = "S3RVER") {
  return "  s3: { endpoint: \"" + std::string(kS3) + "\", access_key: " + key +
         ", secret_key: S3RVER }\ncloud:\n  buckets:\n" + buckets;
}

TEST(BucketsTest, BuildsABucketAGatewayNamesThenPlansNothing) {
  SkipWithoutS3rver();
  Scrub("e2e-build-archive");
  Plant plant("buckets-build");
  plant.Write(Buckets("    e2e-build-archive: { force_destroy: true }\n") +
              Gateway(1, "    files:\n"
                         "      /srv/e2e-bucket.conf: { content: \"bucket=${cloud:bucket[e2e-build-archive].name}\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_TRUE(Exists("e2e-build-archive"));
  EXPECT_EQ(OnHost(1, "cat /srv/e2e-bucket.conf").out, "bucket=e2e-build-archive\n");
  Value state = plant.ReadState();
  const Value* entry = StateEntry(state, "cloud:bucket[e2e-build-archive]");
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ((*entry)["attributes"]["force_destroy"], true);
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  OnHost(1, "rm -f /srv/e2e-bucket.conf");
  Scrub("e2e-build-archive");
}

TEST(BucketsTest, ABucketWithObjectsStaysUntilForceDestroyThenGoesWithThem) {
  SkipWithoutS3rver();
  const std::vector<std::string> keys = {"raw/2026/line1.bin", "raw/b%20c.bin"};
  Scrub("e2e-keep");
  Plant plant("buckets-keep");
  plant.Write(Buckets("    e2e-keep: {}\n"));
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  for (const auto& k : keys) S3("PUT", "/e2e-keep/" + k, "telemetry");
  plant.Write(Buckets("    {}\n"));
  Result refused = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_NE(refused.err.find("bucket e2e-keep holds objects (raw/2026/line1.bin and more): it is "
                             "not deleted"),
            std::string::npos)
      << refused.err;
  EXPECT_TRUE(Exists("e2e-keep"));
  // Still recorded: the next plan offers the deletion again.
  Value state = plant.ReadState();
  EXPECT_NE(StateEntry(state, "cloud:bucket[e2e-keep]"), nullptr);

  plant.Write(Buckets("    e2e-keep: { force_destroy: true }\n"));
  Result flag = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(flag.exit_code, 0) << flag.out << flag.err;
  plant.Write(Buckets("    {}\n"));
  Result gone = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(gone.exit_code, 0) << gone.out << gone.err;
  EXPECT_FALSE(Exists("e2e-keep"));
  state = plant.ReadState();
  EXPECT_EQ(StateEntry(state, "cloud:bucket[e2e-keep]"), nullptr);
}

TEST(BucketsTest, AnExistingBucketIsFoundAndImportedNotMadeTwice) {
  SkipWithoutS3rver();
  Scrub("e2e-import");
  S3("PUT", "/e2e-import");
  ASSERT_TRUE(Exists("e2e-import"));
  Plant plant("buckets-import");
  plant.Write(Buckets("    e2e-import: {}\n"));
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  Result import = plant.Mfgctl({"import", "cloud:bucket[e2e-import]", "e2e-import"});
  ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  Value state = plant.ReadState();
  EXPECT_NE(StateEntry(state, "cloud:bucket[e2e-import]"), nullptr);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  Scrub("e2e-import");
}

TEST(BucketsTest, AnUnknownAccessKeyFailsOnlyTheBuckets) {
  SkipWithoutS3rver();
  Plant plant("buckets-denied");
  plant.Write(Buckets("    e2e-denied: {}\n", "NOSUCHKEY") +
              Gateway(1, "    files:\n      /tmp/e2e-bucket-denied: { content: \"gw\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("cloud:bucket[e2e-denied]"), std::string::npos) << apply.err;
  EXPECT_NE(apply.err.find("InvalidAccessKeyId"), std::string::npos) << apply.err;
  EXPECT_EQ(OnHost(1, "cat /tmp/e2e-bucket-denied").out, "gw\n");
  EXPECT_FALSE(Exists("e2e-denied"));
  OnHost(1, "rm -f /tmp/e2e-bucket-denied");
}

// The keys as secrets (s3rver's one account is S3RVER:S3RVER): neither
// their bytes nor their SHA-256 in any output or any file mfgctl writes.
TEST(BucketsTest, TheKeysReachNoOutputAndNoFile) {
  SkipWithoutS3rver();
  Scrub("e2e-secret");
  ::setenv("MFGCTL_SECRET_S3_ACCESS_KEY", "S3RVER", 1);
  ::setenv("MFGCTL_SECRET_S3_SECRET_KEY", "S3RVER", 1);
  Plant plant("buckets-secrets");
  plant.Write("  s3: { endpoint: \"" + std::string(kS3) + "\", access_key: \"${secret.S3_ACCESS_KEY}\","
              " secret_key: \"${secret.S3_SECRET_KEY}\" }\n"
              "cloud:\n  buckets:\n    e2e-secret: { force_destroy: true }\n");
  std::vector<Result> runs = {plant.Mfgctl({"plan", "--out", "saved.plan"}),
                              plant.Mfgctl({"apply", "--auto-approve"}),
                              plant.Mfgctl({"plan", "--json"}),
                              plant.Mfgctl({"show"}),
                              plant.Mfgctl({"destroy", "--auto-approve"})};
  ::unsetenv("MFGCTL_SECRET_S3_ACCESS_KEY");
  ::unsetenv("MFGCTL_SECRET_S3_SECRET_KEY");
  EXPECT_EQ(runs[1].exit_code, 0) << runs[1].out << runs[1].err;
  EXPECT_EQ(runs[4].exit_code, 0) << runs[4].out << runs[4].err;
  for (const auto& r : runs) {
    for (const std::string& text : {r.out, r.err}) {
      EXPECT_EQ(text.find("S3RVER"), std::string::npos) << text;
      EXPECT_EQ(text.find(Sha256Hex("S3RVER")), std::string::npos) << text;
    }
  }
  for (const auto& e : std::filesystem::recursive_directory_iterator(plant.dir())) {
    if (!e.is_regular_file() || e.path().filename() == "plant.yaml") continue;
    std::string text = ReadWholeFile(e.path().string()).value_or("");
    EXPECT_EQ(text.find("S3RVER"), std::string::npos) << e.path();
    EXPECT_EQ(text.find(Sha256Hex("S3RVER")), std::string::npos) << e.path();
  }
  EXPECT_FALSE(Exists("e2e-secret"));
}

// s3rver has no versioning: it takes `PUT ?versioning` for a second create.
TEST(BucketsTest, ASettingTheServerLacksFailsNamingTheServer) {
  SkipWithoutS3rver();
  Scrub("e2e-versioned");
  Plant plant("buckets-versioned");
  plant.Write(Buckets("    e2e-versioned: { versioning: true, force_destroy: true }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("the S3 server at http://127.0.0.1:4569 does not implement bucket "
                           "versioning"),
            std::string::npos)
      << apply.err;
  Scrub("e2e-versioned");
}

}  // namespace
}  // namespace mfgctl::e2e
