// The HTML rollout report: what a plant's error says cannot break out of
// the page, and every plant and the stop reason are in it.
#include "cli/render/fleet_report.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

TEST(FleetReportTest, TextIsEscapedAndEveryPlantIsListed) {
  RolloutReport r;
  r.fleet = "acme <&>";
  r.waves = {"canary", "rest"};
  PlantResult a;
  a.plant = "suzhou-1";
  a.wave = "canary";
  a.outcome = PlantResult::Outcome::kFailed;
  a.reason = "health check 1 failed: <script>alert('x')</script>";
  a.errors = {a.reason, "second \"error\""};
  PlantResult b;
  b.plant = "austin-2";
  b.wave = "rest";
  b.reason = "wave canary had 1 failed plant";
  r.plants = {a, b};
  r.stopped = b.reason;
  std::string html = RolloutReportHtml(r);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(html.find("<span id=\"fleet\">acme &lt;&amp;&gt;</span>"), std::string::npos);
  EXPECT_NE(html.find("<li>second &quot;error&quot;</li>"), std::string::npos);
  EXPECT_NE(html.find("data-plant=\"austin-2\""), std::string::npos);
  EXPECT_NE(html.find("<span class=\"result not-started\">not started</span>"), std::string::npos);
  EXPECT_NE(html.find("The rollout stopped: wave canary had 1 failed plant."), std::string::npos);
  EXPECT_NE(html.find("<span class=\"total-failed\">1 failed</span>"), std::string::npos);
}

}  // namespace
}  // namespace mfgctl
