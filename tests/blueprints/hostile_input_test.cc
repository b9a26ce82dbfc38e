// Hostile input: blueprints, local files and bundle folders that once
// crashed mfgctl, hung it or exhausted the machine each end in one error
// at file:line:col, with the limit it hit (docs/blueprints.md, "Limits").
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/blueprints/blueprint_fixture.h"

namespace mfgctl {
namespace {

namespace fs = std::filesystem;

class HostileInputTest : public BlueprintTest {
 protected:
  static std::string AliasBomb();
  static std::string ReferenceChain(int length);
  static std::string FileFrom(const std::string& key, const std::string& name);
  static std::string BundleOfB();
};

// `name: &name [*prev x 10]`, six levels deep: 10^6 nodes from 400 bytes.
std::string HostileInputTest::AliasBomb() {
  std::string yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (const char* level : {"b", "c", "d", "e", "f", "g"}) {
    std::string refs;
    for (int i = 0; i < 10; ++i) refs += std::string(i ? ", " : "") + "*" + prev;
    yaml += std::string(level) + ": &" + level + " [" + refs + "]\n";
    prev = level;
  }
  return yaml;
}

TEST_F(HostileInputTest, AliasesThatMultiplyStopAtTheLimit) {
  EXPECT_FALSE(Load(AliasBomb()));
  // Anchors a..e keep 123455 nodes and the aliases of b..e copy 123440; the
  // seventh 111111-node alias in f passes 10^6.
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:6:32: error: anchors and aliases copy more than 1000000 nodes; this "
            "alias of &e (111111 nodes) goes past the limit\n"
            "  nested aliases multiply; write the repeated part out, or nest fewer levels");
  EXPECT_EQ(diags_.size(), 1u);
}

// Each anchored node is kept: nested anchors around a large list copy it
// once per anchor.
TEST_F(HostileInputTest, NestedAnchorsCountTheirCopies) {
  std::string list = "[x";
  for (int i = 1; i < 300001; ++i) list += ", x";
  EXPECT_FALSE(Load("a: &a0 {k: &a1 {k: &a2 {k: &a3 " + list + "]}}}\n"));
  EXPECT_EQ(Error().substr(0, Error().find('\n')),
            "DIR/plant.yaml:1:4: error: anchors and aliases copy more than 1000000 nodes; the "
            "anchor &a0 (300008 nodes) goes past the limit");
  EXPECT_EQ(diags_.size(), 1u);
}

TEST_F(HostileInputTest, AliasesWithinTheLimitExpand) {
  ASSERT_TRUE(Load(std::string(kHead) + R"(gateways:
  gw1:
    address: 10.0.0.1
    packages: &pkgs [sl, cowsay]
  gw2:
    address: 10.0.0.2
    packages: *pkgs
)")) << Error();
  EXPECT_NE(Find("gw2:package[cowsay]"), nullptr);
}

// c0 -> c1 -> ... each `run:` taking the next one's: evaluation recursed
// along the chain until the stack ran out.
std::string HostileInputTest::ReferenceChain(int length) {
  std::string yaml = std::string(kHead) +
                     "gateways:\n  gw1:\n    address: 10.0.0.1\n"
                     "    commands:\n";
  for (int i = 0; i < length; ++i) {
    yaml += "      c" + std::to_string(i) + ": { run: \"" +
            (i + 1 < length ? "${command[c" + std::to_string(i + 1) + "].run}" : "true") + "\" }\n";
  }
  return yaml;
}

TEST_F(HostileInputTest, AReferenceChainLongerThanTheLimitIsAnErrorNamingIt) {
  EXPECT_FALSE(Load(ReferenceChain(5000)));
  ASSERT_EQ(diags_.size(), 1u);
  std::string error = Error();
  EXPECT_EQ(error.substr(0, error.find('\n')),
            "DIR/plant.yaml:108:20: error: reference chain longer than 100 resources: "
            "gw1:command[c0] -> gw1:command[c1] -> gw1:command[c2] -> ... (95 more) -> "
            "gw1:command[c98] -> gw1:command[c99] -> gw1:command[c100]");
  EXPECT_NE(error.find("\n  gw1:command[c0] declared at DIR/plant.yaml:9:7\n"), std::string::npos);
  EXPECT_NE(error.find("\n  gw1:command[c100] declared at DIR/plant.yaml:109:7"),
            std::string::npos);
}

TEST_F(HostileInputTest, AReferenceChainAtTheLimitLoads) {
  ASSERT_TRUE(Load(ReferenceChain(100))) << Error();
  EXPECT_EQ(Find("gw1:command[c0]")->attributes["run"], "true");
}

// A file resource taking `KEY: ./NAME`.
std::string HostileInputTest::FileFrom(const std::string& key, const std::string& name) {
  return std::string(kHead) +
         "gateways:\n  gw1:\n    address: 10.0.0.1\n"
         "    files:\n      /etc/x: { " +
         key + ": ./" + name + " }\n";
}

TEST_F(HostileInputTest, LocalFilesAreRegularFilesOnly) {
  ASSERT_EQ(mkfifo((dir_ / "fifo").c_str(), 0600), 0);
  EXPECT_FALSE(Load(FileFrom("template", "fifo")));  // once: blocked forever
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:27: error: cannot read DIR/fifo (\"template:\"): it is a FIFO, "
            "not a regular file");
  fs::create_directories(dir_ / "folder");
  EXPECT_FALSE(Load(FileFrom("source", "folder")));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:25: error: cannot read DIR/folder (\"source:\"): it is a "
            "directory, not a regular file");
  fs::create_symlink("/dev/zero", dir_ / "zero");  // once: memory until bad_alloc
  EXPECT_FALSE(Load(FileFrom("source", "zero")));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:25: error: cannot read DIR/zero (\"source:\"): it is a "
            "character device, not a regular file");
}

TEST_F(HostileInputTest, LocalFilesPastTheSizeLimitAreRefusedUnread) {
  std::ofstream(dir_ / "big.bin");
  fs::resize_file(dir_ / "big.bin", (size_t{64} << 20) + 1);  // sparse: costs no disk
  EXPECT_FALSE(Load(FileFrom("source", "big.bin")));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:25: error: cannot read DIR/big.bin (\"source:\"): it is larger "
            "than 64 MiB (the limit)");
  fs::resize_file(dir_ / "big.bin", size_t{64} << 20);
  EXPECT_TRUE(Load(FileFrom("source", "big.bin"))) << Error();
}

// A bundle of ./b on gw1.
std::string HostileInputTest::BundleOfB() {
  return std::string(kHead) +
         "gateways:\n  gw1:\n    address: 10.0.0.1\n"
         "    bundles:\n      /srv/b: { source: ./b }\n";
}

TEST_F(HostileInputTest, ASymlinkLoopInABundleIsAnError) {
  fs::create_directories(dir_ / "b");
  fs::create_symlink("loop", dir_ / "b" / "loop");  // once: internal error: filesystem error
  EXPECT_FALSE(Load(BundleOfB()));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:25: error: cannot bundle DIR/b/loop: Too many levels of symbolic "
            "links");
}

TEST_F(HostileInputTest, ABundleFileNameThatIsNotUtf8IsAnError) {
  fs::create_directories(dir_ / "b");
  std::ofstream(dir_ / "b" / "caf\xe9.deb") << "deb";  // Latin-1
  EXPECT_FALSE(Load(BundleOfB()));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:25: error: cannot bundle DIR/b/caf\xe9.deb: in its name, byte 0xe9 "
            "is not UTF-8");
}

TEST_F(HostileInputTest, BytesThatAreNotUtf8AreRejectedWhereTheyAre) {
  EXPECT_FALSE(Load("mfgctl: 1\nplant: line-\xff\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:2:13: error: byte 0xff is not UTF-8: a blueprint is UTF-8 text");
  EXPECT_FALSE(Load("mfgctl: 1\nplant: \xc0\xaf\n"));  // an overlong '/'
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:2:8: error: byte 0xc0 is not UTF-8: a blueprint is UTF-8 text");
  env_["SITE"] = "s\xfe";
  EXPECT_FALSE(Load(std::string(kHead) +
                    "gateways:\n  gw1:\n    address: 10.0.0.1\n"
                    "    files:\n      /etc/x: { content: \"${env.SITE}\" }\n"));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:9:27: error: environment variable \"SITE\": byte 0xfe is not UTF-8");
  EXPECT_FALSE(Load("mfgctl: 1\nplant: p\nvariables: { site: x }\n", {{"site", "\xff"}}));
  EXPECT_EQ(Error(), "--var site: error: variable \"site\": byte 0xff is not UTF-8");
  EXPECT_TRUE(Load("mfgctl: 1\nplant: caf\xc3\xa9-\xe5\xb7\xa5\xe5\x8e\x82-\xf0\x9f\x8f\xad\n"))
      << Error();
}

TEST_F(HostileInputTest, NulBytesSayWhatTheyAre) {
  EXPECT_FALSE(Load(std::string("\0\0mfgctl: 1\n", 12)));  // once: unknown escape character
  EXPECT_EQ(Error(), "DIR/plant.yaml:1:1: error: a NUL byte: a blueprint is UTF-8 text");
  EXPECT_FALSE(Load(std::string("mfgctl: 1\nplant: a\0b\n", 21)));
  EXPECT_EQ(Error(), "DIR/plant.yaml:2:9: error: a NUL byte: a blueprint is UTF-8 text");
}

TEST_F(HostileInputTest, NestingPastTheDepthGuardSaysSo) {
  EXPECT_FALSE(Load("mfgctl: 1\nplant: p\nx: " + std::string(3000, '[') + std::string(3000, ']') +
                    "\n"));  // once: "bad file"
  // The map is the first level; the 256th list the 257th.
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:3:259: error: nesting too deep: lists and maps nest at most 256 "
            "levels");
  EXPECT_EQ(diags_.size(), 1u);
  std::string block = "mfgctl: 1\nplant: p\n";
  for (int i = 0; i < 300; ++i) block += std::string(i, ' ') + "k:\n";
  EXPECT_FALSE(Load(block));
  EXPECT_EQ(Error(),
            "DIR/plant.yaml:259:257: error: nesting too deep: lists and maps nest at most 256 "
            "levels");
}

TEST_F(HostileInputTest, ADirectoryAsTheBlueprint) {
  fs::remove(path_);
  fs::create_directories(path_);  // once: "blueprint is empty"
  LoadOptions o;
  o.files = {path_};
  EXPECT_FALSE(LoadBlueprint(o, schemas_, &config_, &diags_));
  EXPECT_EQ(Error(), "error: cannot read DIR/plant.yaml: it is a directory, not a regular file");
}

}  // namespace
}  // namespace mfgctl
