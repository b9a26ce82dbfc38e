// The text of a plant's health checks: its variables filled in, quoted
// where the text is a command.
#include "cli/health_checks.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

TEST(HealthChecksTest, VariablesAreWordsInACommandAndTextElsewhere) {
  DesiredConfig config;
  config.plant = "suzhou-1";
  config.variables = {{"unit", "mosquitto; rm -rf /"}, {"gw", "10.20.1.10"}, {"port", 8080}};
  std::string out, error;
  ASSERT_TRUE(ExpandCheckText("systemctl is-active ${var.unit}", config, true, &out, &error));
  EXPECT_EQ(out, "systemctl is-active 'mosquitto; rm -rf /'");
  ASSERT_TRUE(ExpandCheckText("http://${var.gw}:${var.port}/healthz", config, false, &out, &error));
  EXPECT_EQ(out, "http://10.20.1.10:8080/healthz");
}

TEST(HealthChecksTest, AVariableTheBlueprintLacksOrHidesIsAnError) {
  DesiredConfig config;
  config.plant = "suzhou-1";
  config.sensitive_variables = {"token"};
  std::string out, error;
  EXPECT_FALSE(ExpandCheckText("${var.gw}:1883", config, false, &out, &error));
  EXPECT_EQ(error, "\"${var.gw}:1883\" names ${var.gw}, which plant suzhou-1's blueprint does not "
                   "declare");
  EXPECT_FALSE(ExpandCheckText("curl -H ${var.token} x", config, true, &out, &error));
  EXPECT_EQ(error, "\"curl -H ${var.token} x\" names ${var.token}, which is sensitive: health "
                   "checks do not use sensitive variables");
  EXPECT_FALSE(ExpandCheckText("x ${var.gw", config, false, &out, &error));
  EXPECT_EQ(error, "unterminated \"${\" in \"x ${var.gw\"");
}

}  // namespace
}  // namespace mfgctl
