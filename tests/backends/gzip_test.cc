// gzip for remote state and base64 for etcd's values: round trips, and
// what broken or hostile input gives (an error, never a crash or a blow-up).
#include <gtest/gtest.h>

#include "backends/gzip.h"
#include "engine/model/base64.h"

namespace mfgctl {
namespace {

TEST(GzipTest, StateJsonShrinksAndComesBackWhole) {
  std::string json;
  for (int i = 0; i < 2000; ++i) {
    json += R"({"address": "gw1:file[/etc/collector/line)" + std::to_string(i) +
            R"(.conf]", "type": "host.file", "attributes": {"mode": "0644"}},)";
  }
  std::string packed = Gzip(json);
  EXPECT_TRUE(IsGzip(packed));
  EXPECT_LT(packed.size() * 10, json.size());
  std::string error;
  EXPECT_EQ(Gunzip(packed, json.size(), &error), json) << error;
  EXPECT_EQ(Gunzip(Gzip(""), 0, &error), "") << error;
}

TEST(GzipTest, BrokenOrOversizedDataIsAnError) {
  std::string packed = Gzip(std::string(1 << 20, 'a'));
  std::string error;
  // A small value that would unpack to more than allowed (a zip bomb).
  EXPECT_FALSE(Gunzip(packed, 1000, &error));
  EXPECT_EQ(error, "it holds more than 1000 bytes");
  EXPECT_FALSE(Gunzip(packed.substr(0, packed.size() / 2), 2 << 20, &error));
  EXPECT_EQ(error, "the gzip data is cut short");
  std::string corrupt = packed;
  corrupt[12] ^= 0x55;
  EXPECT_FALSE(Gunzip(corrupt, 2 << 20, &error));
  EXPECT_FALSE(Gunzip("{\"serial\": 1}", 100, &error));
  EXPECT_EQ(error, "not gzip data");
}

TEST(Base64Test, DecodesWhatItEncodesAndRefusesTheRest) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(FromBase64(Base64(s)), s) << s;
    EXPECT_EQ(FromBase64(Base64(s, false)), s) << s;
  }
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  EXPECT_EQ(FromBase64(Base64(bytes)), bytes);
  EXPECT_EQ(FromBase64("Zm9vYmFy"), "foobar");  // RFC 4648's vector
  EXPECT_FALSE(FromBase64("Zm9v!mFy"));
  EXPECT_FALSE(FromBase64("Z"));
}

}  // namespace
}  // namespace mfgctl
