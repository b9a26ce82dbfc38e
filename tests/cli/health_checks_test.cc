// The text of a plant's health checks: its variables filled in, quoted
// where the text is a command.
#include "cli/health_checks.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

TEST(HealthChecksTest, VariablesAreWordsInACommandAndTextElsewhere) {
  FleetPlant plant;
  plant.name = "suzhou-1";
  plant.variables = {{"unit", "mosquitto; rm -rf /"}, {"gw", "10.20.1.10"}};
  std::string out, error;
  ASSERT_TRUE(ExpandCheckText("systemctl is-active ${var.unit}", plant, true, &out, &error));
  EXPECT_EQ(out, "systemctl is-active 'mosquitto; rm -rf /'");
  ASSERT_TRUE(ExpandCheckText("http://${var.gw}:8080/healthz", plant, false, &out, &error));
  EXPECT_EQ(out, "http://10.20.1.10:8080/healthz");
}

TEST(HealthChecksTest, AVariableThePlantDoesNotSetIsAnError) {
  FleetPlant plant;
  plant.name = "suzhou-1";
  std::string out, error;
  EXPECT_FALSE(ExpandCheckText("${var.gw}:1883", plant, false, &out, &error));
  EXPECT_EQ(error, "\"${var.gw}:1883\" names ${var.gw}, which plant suzhou-1 does not set in the "
                   "fleet file");
  EXPECT_FALSE(ExpandCheckText("x ${var.gw", plant, false, &out, &error));
  EXPECT_EQ(error, "unterminated \"${\" in \"x ${var.gw\"");
}

}  // namespace
}  // namespace mfgctl
