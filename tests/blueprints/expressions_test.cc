#include "blueprints/expressions.h"

#include <gtest/gtest.h>

namespace mfgctl {
namespace {

std::vector<InterpolationPart> Parse(std::string_view text) {
  std::vector<InterpolationPart> parts;
  std::string error;
  size_t offset = 0;
  EXPECT_TRUE(ParseInterpolation(text, &parts, &error, &offset)) << error;
  return parts;
}

TEST(ExpressionsTest, SplitsLiteralsAndReferences) {
  auto parts = Parse("a ${var.x} b ${env.HOME}${gw1:file[/etc/a.conf].mode}");
  ASSERT_EQ(parts.size(), 5u);
  EXPECT_EQ(parts[0].text, "a ");
  EXPECT_EQ(parts[1].kind, InterpolationPart::Kind::kVar);
  EXPECT_EQ(parts[1].text, "x");
  EXPECT_EQ(parts[1].offset, 2u);
  EXPECT_EQ(parts[3].kind, InterpolationPart::Kind::kEnv);
  EXPECT_EQ(parts[4].kind, InterpolationPart::Kind::kResource);
  EXPECT_EQ(parts[4].text, "gw1:file[/etc/a.conf]");
  EXPECT_EQ(parts[4].attribute, "mode");
}

TEST(ExpressionsTest, DoubleDollarIsLiteral) {
  auto parts = Parse("$${var.x} costs $5");
  ASSERT_EQ(parts.size(), 1u);
  EXPECT_EQ(parts[0].text, "${var.x} costs $5");
}

TEST(ExpressionsTest, Malformed) {
  std::vector<InterpolationPart> parts;
  std::string error;
  size_t offset = 0;
  EXPECT_FALSE(ParseInterpolation("x ${var.a", &parts, &error, &offset));
  EXPECT_EQ(error, "unterminated \"${\": expected \"}\"");
  EXPECT_EQ(offset, 2u);
  EXPECT_FALSE(ParseInterpolation("${foo}", &parts, &error, &offset));
  EXPECT_EQ(error,
            "unknown expression \"${foo}\"; expected ${var.NAME}, ${env.NAME}, ${secret.NAME}, "
            "${use.INSTANCE.OUTPUT}, ${HOST:KIND[NAME].ATTRIBUTE} or, in a template, "
            "${param.NAME}");
  EXPECT_FALSE(ParseInterpolation("${use.line1}", &parts, &error, &offset));
  EXPECT_EQ(error, "expected ${use.INSTANCE.OUTPUT}, got \"${use.line1}\"");
  ASSERT_TRUE(ParseInterpolation("${param.port}", &parts, &error, &offset));
  EXPECT_EQ(parts[0].kind, InterpolationPart::Kind::kParam);
}

TEST(ExpressionsTest, WholeReferenceKeepsItsType) {
  ReferenceResolver r = [](const InterpolationPart&, Value* v, std::string*) {
    *v = 1883;
    return true;
  };
  Value out;
  std::string error;
  const InterpolationPart* failed = nullptr;
  ASSERT_TRUE(EvaluateInterpolation(Parse("${var.port}"), r, &out, &error, &failed));
  EXPECT_EQ(out, 1883);
  ASSERT_TRUE(EvaluateInterpolation(Parse("port ${var.port}"), r, &out, &error, &failed));
  EXPECT_EQ(out, "port 1883");
}

}  // namespace
}  // namespace mfgctl
