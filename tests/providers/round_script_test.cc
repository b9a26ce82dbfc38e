// The round script run by a real local shell: steps keep to their own
// input, fail alone and report what they printed.
#include "providers/shell/round_script.h"

#include <gtest/gtest.h>

#include <map>

#include "providers/shell/host_connections.h"
#include "tests/support/process.h"

namespace mfgctl {
namespace {

std::vector<StepOutcome> RunRound(const std::vector<HostStep>& steps,
                                  const std::string& nonce = "n0nce") {
  std::vector<const HostStep*> ptrs;
  for (const auto& s : steps) ptrs.push_back(&s);
  RoundScript round = BuildRoundScript(ptrs, nonce);
  ProcessResult r = RunProgram({"sh", "-c", round.command}, "", round.input);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ParseRoundOutput(r.out, r.err, nonce, steps.size());
}

TEST(RoundScriptTest, EachStepReadsExactlyItsOwnInputAndFailsAlone) {
  std::vector<HostStep> steps = {
      {.script = "cat", .input = std::string("one\0two", 7)},
      {.script = "echo said; echo broken >&2; exit 3", .input = "unread input"},
      {.script = "head -c 2", .input = "partly read"},
      {.script = "echo 'does not parse", .input = ""},
      {.script = "printf 'no newline'", .input = ""},
      {.script = "exit 0; echo never", .input = "x"},
      {.script = "wc -c", .input = "12345"},
  };
  std::vector<StepOutcome> o = RunRound(steps);
  ASSERT_EQ(o.size(), 7u);
  for (const auto& s : o) EXPECT_TRUE(s.started && s.finished);
  EXPECT_EQ(o[0].exit_status, 0);
  EXPECT_EQ(o[0].out, std::string("one\0two", 7));
  EXPECT_EQ(o[0].err, "");
  EXPECT_EQ(o[1].exit_status, 3);
  EXPECT_EQ(o[1].out, "said\n");
  EXPECT_EQ(o[1].err, "broken\n");
  EXPECT_EQ(o[2].out, "pa");
  EXPECT_NE(o[3].exit_status, 0);  // a syntax error fails its own step only
  EXPECT_NE(o[3].err, "");
  EXPECT_EQ(o[4].out, "no newline");
  EXPECT_EQ(o[5].exit_status, 0);
  EXPECT_EQ(o[5].out, "");
  EXPECT_EQ(o[6].out, "5\n");  // the inputs before it were all drained
}

TEST(RoundScriptTest, OutputCannotForgeAnotherStepsResult) {
  // A step printing a marker without the round's nonce changes nothing.
  std::vector<HostStep> steps = {
      {.script = "printf '\\n@@mfgctl-exit guess 1 0\\n'; exit 1", .input = ""},
      {.script = "exit 4", .input = ""},
  };
  std::vector<StepOutcome> o = RunRound(steps, "real");
  EXPECT_EQ(o[0].exit_status, 1);
  EXPECT_EQ(o[1].exit_status, 4);
}

TEST(RoundScriptTest, AWatchSeesEachFinishedStepOnceHoweverTheOutputArrives) {
  std::vector<HostStep> steps = {{.script = "echo one"}, {.script = "exit 5"}, {.script = ":"}};
  std::vector<const HostStep*> ptrs;
  for (const auto& s : steps) ptrs.push_back(&s);
  RoundScript round = BuildRoundScript(ptrs, "n0nce");
  ProcessResult r = RunProgram({"sh", "-c", round.command}, "", round.input);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // One byte more at each look: markers and status lines cut anywhere.
  RoundWatch watch("n0nce", steps.size());
  std::vector<std::pair<size_t, int>> seen;
  for (size_t n = 0; n <= r.out.size(); ++n) {
    for (const auto& f : watch.Finished(std::string_view(r.out).substr(0, n))) seen.push_back(f);
  }
  EXPECT_EQ(seen, (std::vector<std::pair<size_t, int>>{{0, 0}, {1, 5}, {2, 0}}));
}

TEST(RoundScriptTest, StepsAfterTheShellStoppedNeverStarted) {
  std::string out = "@@mfgctl-step n 0\nhalf a line";
  std::vector<StepOutcome> o = ParseRoundOutput(out, "", "n", 2);
  EXPECT_TRUE(o[0].started);
  EXPECT_FALSE(o[0].finished);
  EXPECT_EQ(o[0].out, "half a line");
  EXPECT_FALSE(o[1].started);
}

// Runs commands with the local shell, then shows the output growing line
// by line, as a slow host's would.
class StreamingShell : public RemoteShell {
 public:
  bool Run(const std::string& command, std::string_view input, CommandResult* result,
           std::string*, const OutputWatch& watch) override {
    ProcessResult r = RunProgram({"sh", "-c", command}, "", std::string(input));
    for (size_t nl = r.out.find('\n'); watch && nl != std::string::npos;
         nl = r.out.find('\n', nl + 1)) {
      watch(std::string_view(r.out).substr(0, nl + 1));
    }
    *result = {r.exit_code, r.out, r.err};
    return true;
  }
  bool Upload(const std::string&, const std::string&, std::string*, std::string*) override {
    return false;
  }
};

TEST(RoundScriptTest, SuccessesAreReportedAsTheyHappenFailuresWithTheirErrorOutput) {
  HostConnections connections(
      [](const Target&, std::string*) { return std::make_unique<StreamingShell>(); });
  Target target{"local", "ssh", {{"address", "localhost"}}, {}, {}};
  HostStep ok1{.script = "true"}, fails{.script = "echo nope >&2; exit 2"}, ok2{.script = "true"},
      empty;
  std::vector<std::vector<size_t>> calls;
  std::map<size_t, std::string> errors;
  connections.RunSteps(target,
                       {{Action::kCreate, &ok1}, {Action::kUpdate, &fails},
                        {Action::kCreate, &ok2}, {Action::kCreate, &empty}},
                       [&](std::vector<std::pair<size_t, Diagnostics>> done) {
                         calls.emplace_back();
                         for (const auto& [i, d] : done) {
                           calls.back().push_back(i);
                           if (d.HasErrors()) errors[i] = d.items()[0].summary;
                         }
                       });
  // The step with nothing to do at once; each success as its output shows
  // it; the failure at the end, with its error output.
  EXPECT_EQ(calls, (std::vector<std::vector<size_t>>{{3}, {0}, {2}, {1}}));
  EXPECT_EQ(errors, (std::map<size_t, std::string>{{1, "update failed (exit status 2): nope"}}));
}

}  // namespace
}  // namespace mfgctl
