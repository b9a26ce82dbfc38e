#include "providers/transport/shell_quote.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace mfgctl {
namespace {

// Runs `printf %s ARG` through the real /bin/sh and returns what it printed.
std::string ThroughShell(const std::string& arg) {
  std::string cmd = "printf %s " + ShellQuote(arg);
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[256];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

TEST(ShellQuoteTest, AdversarialArgumentsArriveVerbatim) {
  for (std::string s : {std::string("plain"), std::string(""), std::string("it's"),
                        std::string("$(touch /tmp/mfgctl-pwned)"), std::string("`id`"),
                        std::string("a\nb\n"), std::string("'; rm -rf / #"),
                        std::string("*.conf"), std::string("\\'\"$HOME\"")}) {
    EXPECT_EQ(ThroughShell(s), s);
  }
}

TEST(ShellQuoteTest, ExactForm) {
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
}

}  // namespace
}  // namespace mfgctl
