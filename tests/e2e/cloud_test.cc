// Cloud services against the real Google Pub/Sub emulator on 127.0.0.1:8085
// (started once for the suite by tests/cloud/pubsub_emulator.sh). Each test
// works in a project of its own, so they share nothing. The live side is
// checked with curl, independently of mfgctl.
#include <filesystem>

#include "tests/e2e/e2e_support.h"
#include "tests/support/script_server.h"

namespace mfgctl::e2e {
namespace {

constexpr char kEmulator[] = "http://127.0.0.1:8085";

Result Curl(const std::string& method, const std::string& path, const std::string& body = "") {
  std::vector<std::string> argv = {"curl",
                                   "-s",
                                   "-X",
                                   method,
                                   "-H",
                                   "Content-Type: application/json",
                                   std::string(kEmulator) + "/v1/" + path};
  if (!body.empty()) argv.insert(argv.end(), {"-d", body});
  return RunProgram(argv);
}

Value Live(const std::string& path) {
  Result r = Curl("GET", path);
  return Value::parse(r.out, nullptr, false);
}

// Removes what an earlier run left in a project (the emulator keeps it
// until it stops).
void Scrub(const std::string& project, const std::vector<std::string>& topics,
           const std::vector<std::string>& subscriptions) {
  for (const auto& s : subscriptions) Curl("DELETE", "projects/" + project + "/subscriptions/" + s);
  for (const auto& t : topics) Curl("DELETE", "projects/" + project + "/topics/" + t);
}

void SkipWithoutEmulator() {
  if (!std::filesystem::exists(
          "/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator")) {
    GTEST_SKIP() << "the Pub/Sub emulator is not installed on this machine";
  }
}

std::string Cloud(const std::string& project, const std::string& pubsub) {
  return "  gcp: { project: " + project + ", endpoints: { pubsub: \"" + kEmulator +
         "\" } }\n"
         "cloud:\n  pubsub:\n" +
         pubsub;
}

TEST(CloudTest, BuildsTopicsAndASubscriptionAGatewayNamesThenPlansNothing) {
  SkipWithoutEmulator();
  Scrub("e2e-build", {"line1", "dead1"}, {"ingest"});
  Plant plant("cloud-build");
  plant.Write(Cloud("e2e-build",
                    "    topics:\n"
                    "      line1: { message_retention: 1d, labels: { plant: s1 } }\n"
                    "      dead1: {}\n"
                    "    subscriptions:\n"
                    "      ingest:\n"
                    "        topic: line1\n"
                    "        ack_deadline_seconds: 30\n"
                    "        expiration: never\n"
                    "        dead_letter: { topic: dead1, max_delivery_attempts: 5 }\n"
                    "        retry: { minimum_backoff: 10s, maximum_backoff: 10m }\n"
                    "        filter: 'attributes.line = \"L1\"'\n") +
              Gateway(1,
                      "    files:\n"
                      "      /srv/e2e-topic.conf: { content: "
                      "\"topic=${cloud:pubsub.topic[line1].name}\\n\" }\n"));
  Result plan = plant.Mfgctl({"plan"});
  // The name is known before the topic exists.
  EXPECT_NE(plan.out.find("+ content = \"topic=projects/e2e-build/topics/line1\\n\""),
            std::string::npos)
      << plan.out << plan.err;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  // The subscription after its topics.
  EXPECT_LT(apply.out.find("cloud:pubsub.topic[dead1]: Creation complete"),
            apply.out.find("cloud:pubsub.subscription[ingest]: Creating..."))
      << apply.out;
  Value topic = Live("projects/e2e-build/topics/line1");
  EXPECT_EQ(topic["messageRetentionDuration"], "86400s") << topic.dump();
  EXPECT_EQ(topic["labels"]["plant"], "s1");
  Value sub = Live("projects/e2e-build/subscriptions/ingest");
  EXPECT_EQ(sub["topic"], "projects/e2e-build/topics/line1") << sub.dump();
  EXPECT_EQ(sub["ackDeadlineSeconds"], 30);
  EXPECT_EQ(sub["expirationPolicy"], Value::object());
  EXPECT_EQ(sub["deadLetterPolicy"]["deadLetterTopic"], "projects/e2e-build/topics/dead1");
  EXPECT_EQ(sub["retryPolicy"]["maximumBackoff"], "600s");
  EXPECT_EQ(OnHost(1, "cat /srv/e2e-topic.conf").out, "topic=projects/e2e-build/topics/line1\n");
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  OnHost(1, "rm -f /srv/e2e-topic.conf");
}

TEST(CloudTest, UpdatesDriftReplacementAndDeletion) {
  SkipWithoutEmulator();
  Scrub("e2e-change", {"line1"}, {"ingest"});
  Plant plant("cloud-change");
  auto write = [&](const std::string& sub) {
    plant.Write(Cloud("e2e-change", "    topics:\n      line1: {}\n" + sub));
  };
  write("    subscriptions:\n      ingest: { topic: line1, ack_deadline_seconds: 30 }\n");
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);

  // Patched in place, with a mask naming the one field.
  write("    subscriptions:\n      ingest: { topic: line1, ack_deadline_seconds: 60 }\n");
  Result plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("~ ack_deadline_seconds = 30 -> 60"), std::string::npos) << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Live("projects/e2e-change/subscriptions/ingest")["ackDeadlineSeconds"], 60);

  // Drift made by hand is shown and fixed.
  Curl("PATCH", "projects/e2e-change/subscriptions/ingest",
       R"({"subscription": {"ackDeadlineSeconds": 90}, "updateMask": "ackDeadlineSeconds"})");
  plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 2);
  EXPECT_NE(plan.out.find("~ ack_deadline_seconds = 90 -> 60"), std::string::npos) << plan.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(Live("projects/e2e-change/subscriptions/ingest")["ackDeadlineSeconds"], 60);

  // A new filter cannot be patched: the subscription is replaced.
  write(
      "    subscriptions:\n      ingest: { topic: line1, ack_deadline_seconds: 60, "
      "filter: 'attributes.line = \"L2\"' }\n");
  plan = plant.Mfgctl({"plan"});
  EXPECT_NE(plan.out.find("-/+ gcp.pubsub.subscription \"cloud:pubsub.subscription[ingest]\""),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("# forces replacement"), std::string::npos) << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(Live("projects/e2e-change/subscriptions/ingest")["filter"], "attributes.line = \"L2\"");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Dropped from the blueprint: deleted.
  write("");
  apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(Curl("GET", "projects/e2e-change/subscriptions/ingest").out.find("NOT_FOUND"),
            std::string::npos);
}

TEST(CloudTest, AnExistingTopicAndSubscriptionAreImportedNotDuplicated) {
  SkipWithoutEmulator();
  Scrub("e2e-import", {"line1"}, {"ingest"});
  Curl("PUT", "projects/e2e-import/topics/line1", R"({"labels": {"plant": "s1"}})");
  Curl("PUT", "projects/e2e-import/subscriptions/ingest",
       R"({"topic": "projects/e2e-import/topics/line1", "ackDeadlineSeconds": 30})");
  Plant plant("cloud-import");
  plant.Write(Cloud("e2e-import", "    topics:\n      line1: { labels: { plant: s1 } }\n"
                                  "    subscriptions:\n"
                                  "      ingest: { topic: line1, ack_deadline_seconds: 30 }\n"));
  // The lists find them by their IDs and they match: nothing to create twice.
  Result plan = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  for (const auto& [address, id] : std::vector<std::pair<std::string, std::string>>{
           {"cloud:pubsub.topic[line1]", "line1"},
           {"cloud:pubsub.subscription[ingest]", "ingest"}}) {
    Result import = plant.Mfgctl({"import", address, id});
    ASSERT_EQ(import.exit_code, 0) << import.out << import.err;
  }
  Result show = plant.Mfgctl({"state", "list"});
  EXPECT_NE(show.out.find("cloud:pubsub.subscription[ingest]"), std::string::npos) << show.out;
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
  // Imported, it is managed: a change the blueprint makes is patched.
  plant.Write(Cloud("e2e-import", "    topics:\n      line1: { labels: { plant: s1 } }\n"
                                  "    subscriptions:\n"
                                  "      ingest: { topic: line1, ack_deadline_seconds: 45 }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_NE(Curl("GET", "projects/e2e-import/subscriptions/ingest").out.find("\"ackDeadlineSeconds\": 45"),
            std::string::npos);
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The tests' fault-injecting proxy in front of the emulator: a rate limit,
// an outage, a reset before and one after the server acted, a slow answer.
TEST(CloudTest, ApplyThroughFaultsCompletesWithNothingDuplicatedAndTheStateExact) {
  SkipWithoutEmulator();
  Scrub("e2e-faults", {"line1", "dead1"}, {"ingest"});
  std::string error;
  auto proxy = ScriptServer::Start(
      kFaultServer,
      {"--upstream", kEmulator, "--fault",
       R"({"kind": "503", "method": "GET", "path": "/topics", "times": 1})", "--fault",
       R"({"kind": "429", "method": "PUT", "path": "/topics/line1", "retry_after": 1})", "--fault",
       R"({"kind": "lost_reply", "method": "PUT", "path": "/topics/dead1"})", "--fault",
       R"({"kind": "reset", "method": "PUT", "path": "/subscriptions/ingest"})", "--fault",
       R"({"kind": "slow", "method": "GET", "path": "/subscriptions", "ms": 1500})"},
      &error);
  ASSERT_NE(proxy, nullptr) << error;
  Plant plant("cloud-faults");
  plant.Write("  gcp: { project: e2e-faults, endpoints: { pubsub: \"" + proxy->Url("") +
              "\" } }\n"
              "cloud:\n  pubsub:\n    topics:\n"
              "      line1: { labels: { plant: s1 } }\n"
              "      dead1: {}\n"
              "    subscriptions:\n"
              "      ingest: { topic: line1, ack_deadline_seconds: 20,"
              " dead_letter: { topic: dead1, max_delivery_attempts: 5 } }\n");
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  for (const char* address : {"cloud:pubsub.topic[line1]", "cloud:pubsub.topic[dead1]",
                              "cloud:pubsub.subscription[ingest]"}) {
    EXPECT_EQ(Count(apply.out, std::string(address) + ": Creation complete"), 1u) << address << "\n"
                                                                                  << apply.out;
  }
  Value stats =
      Value::parse(RunProgram({"curl", "-s", proxy->Url("/__proxy/stats")}).out, nullptr, false);
  EXPECT_EQ(stats["faults"], 5) << stats.dump();
  // Each create went out at most twice: the faulted attempt and one retry
  // (dead1's retry met its own topic: 409, adopted).
  const Value& sent = stats["by_request"];
  EXPECT_EQ(sent["PUT /v1/projects/e2e-faults/topics/line1"], 2) << sent.dump();
  EXPECT_EQ(sent["PUT /v1/projects/e2e-faults/topics/dead1"], 2) << sent.dump();
  EXPECT_EQ(sent["PUT /v1/projects/e2e-faults/subscriptions/ingest"], 2) << sent.dump();
  // The live objects are as written, the state records them exactly, and
  // the next plan (faults spent) has nothing to do.
  EXPECT_EQ(Live("projects/e2e-faults/topics/line1")["labels"]["plant"], "s1");
  Value sub = Live("projects/e2e-faults/subscriptions/ingest");
  EXPECT_EQ(sub["ackDeadlineSeconds"], 20) << sub.dump();
  EXPECT_EQ(sub["deadLetterPolicy"]["deadLetterTopic"], "projects/e2e-faults/topics/dead1");
  Value state = plant.ReadState();
  const Value* line1 = StateEntry(state, "cloud:pubsub.topic[line1]");
  ASSERT_NE(line1, nullptr) << state.dump();
  EXPECT_EQ((*line1)["attributes"]["labels"]["plant"], "s1") << line1->dump();
  const Value* ingest = StateEntry(state, "cloud:pubsub.subscription[ingest]");
  ASSERT_NE(ingest, nullptr) << state.dump();
  EXPECT_EQ((*ingest)["attributes"]["ack_deadline_seconds"], 20) << ingest->dump();
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode"});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
}

TEST(CloudTest, AnUnreachableServiceFailsOnlyTheCloudsResources) {
  SkipWithoutEmulator();
  Plant plant("cloud-down");
  plant.Write(
      "  gcp: { project: e2e-down, endpoints: { pubsub: \"http://127.0.0.1:1\" } }\n"
      "cloud:\n  pubsub:\n    topics:\n      line1: {}\n" +
      Gateway(1, "    files:\n      /tmp/e2e-cloud-down: { content: \"gw\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("cloud:pubsub.topic[line1]"), std::string::npos) << apply.err;
  EXPECT_EQ(OnHost(1, "cat /tmp/e2e-cloud-down").out, "gw\n");
  OnHost(1, "rm -f /tmp/e2e-cloud-down");
}

}  // namespace
}  // namespace mfgctl::e2e
