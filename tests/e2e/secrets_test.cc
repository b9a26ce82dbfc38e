// Secrets on a real host: a plan/apply/show/destroy cycle with a secret
// from the environment, one from a 0600 file and a sensitive variable, and
// a search for their bytes in every output and every file mfgctl wrote,
// and in the host's process list while a command that uses them runs.
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <thread>

#include "engine/model/digest.h"
#include "engine/model/text_file.h"
#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

const char* const kDbPassword = "Db-pw-7f3a9c";
const char* const kFileToken = "Tok-file-55e1";
const char* const kEnvToken = "Tok-env-a1b2";

// Every place a secret could leak to: its bytes, and its plain SHA-256
// (as guessable as the secret itself).
void ExpectNoSecret(const std::string& where, const std::string& text) {
  for (const char* s : {kDbPassword, kFileToken, kEnvToken}) {
    EXPECT_EQ(text.find(s), std::string::npos) << where << " holds " << s << ":\n" << text;
    EXPECT_EQ(text.find(Sha256Hex(s)), std::string::npos) << where << " holds a digest of " << s;
  }
}

void ExpectNoSecret(const std::string& what, const Result& r) {
  ExpectNoSecret(what + " (stdout)", r.out);
  ExpectNoSecret(what + " (stderr)", r.err);
}

// Every file in the plant's folder but the blueprint and the secret file.
void ExpectNoSecretInFiles(const Plant& plant) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(plant.dir())) {
    std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name == "plant.yaml" || name == "token") continue;
    ExpectNoSecret(e.path().string(), ReadWholeFile(e.path().string()).value_or(""));
  }
}

class SecretsTest : public ::testing::Test {
 protected:
  void SetUp() override { ::setenv("MFGCTL_SECRET_ENV_TOKEN", kEnvToken, 1); }
  void TearDown() override { ::unsetenv("MFGCTL_SECRET_ENV_TOKEN"); }
};

TEST_F(SecretsTest, NoSecretInAnyOutputArtefactOrProcessList) {
  Plant plant("secrets");
  ASSERT_EQ(OnHost(2, "rm -rf /srv/secrets && mkdir -p /srv/secrets").exit_code, 0);
  std::string token = (plant.dir() / "token").string();
  std::ofstream(token) << kFileToken << "\n";
  ::chmod(token.c_str(), 0600);
  const std::string body =
      "secrets:\n"
      "  api_token: { file: ./token }\n"
      "variables:\n"
      "  db_password: { sensitive: true }\n" +
      Gateway(2,
              "    files:\n"
              "      /srv/secrets/db.conf: { content: \"password=${var.db_password}\\n\", "
              "mode: \"0600\" }\n"
              "    commands:\n"
              "      register:\n"
              "        run: \"echo \\\"$TOKEN\\\" > /srv/secrets/token.out; sleep 3\"\n"
              "        environment: { TOKEN: \"${secret.api_token}\" }\n"
              "        creates: /srv/secrets/token.out\n"
              "      login: { run: \"echo ${secret.ENV_TOKEN} > /srv/secrets/env.out\", "
              "creates: /srv/secrets/env.out }\n");
  plant.Write(body);
  const std::string var = std::string("db_password=") + kDbPassword;

  Result plan = plant.Mfgctl({"plan", "--var", var, "--out", "tfplan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.out << plan.err;
  ExpectNoSecret("plan", plan);
  EXPECT_NE(plan.out.find("+ content = (sensitive value)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ environment = (sensitive value)"), std::string::npos) << plan.out;
  EXPECT_NE(plan.out.find("+ run     = (sensitive value)"), std::string::npos) << plan.out;
  Result json = plant.Mfgctl({"plan", "--json", "--var", var});
  ExpectNoSecret("plan --json", json);
  EXPECT_NE(json.out.find("\"content\":\"(sensitive value)\""), std::string::npos) << json.out;
  Result shown = plant.Mfgctl({"show", "tfplan"});
  ExpectNoSecret("show tfplan", shown);

  // The saved plan withheld the sensitive variable: apply needs it again.
  Result withheld = plant.Mfgctl({"apply", "tfplan"});
  EXPECT_EQ(withheld.exit_code, 1);
  EXPECT_NE(withheld.err.find("withholds the sensitive variable \"db_password\""),
            std::string::npos)
      << withheld.err;
  Result wrong = plant.Mfgctl({"apply", "--var", "db_password=other-value", "tfplan"});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("is stale"), std::string::npos) << wrong.err;

  // While `register` runs on the host, its process list shows no secret.
  auto apply = std::async(std::launch::async,
                          [&] { return plant.Mfgctl({"apply", "--var", var, "tfplan"}); });
  std::string ps;
  for (int i = 0; i < 50 && ps.find("sleep 3") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ps = OnHost(2, "ps -eo args").out;
  }
  EXPECT_NE(ps.find("sleep 3"), std::string::npos) << "never saw the command run:\n" << ps;
  ExpectNoSecret("the host's ps", ps);
  Result applied = apply.get();
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  ExpectNoSecret("apply", applied);
  // The host got the real values.
  EXPECT_EQ(OnHost(2, "cat /srv/secrets/db.conf").out, std::string("password=") + kDbPassword +
                                                           "\n");
  EXPECT_EQ(OnHost(2, "cat /srv/secrets/token.out").out, std::string(kFileToken) + "\n");
  EXPECT_EQ(OnHost(2, "cat /srv/secrets/env.out").out, std::string(kEnvToken) + "\n");

  // Sealed values still compare: nothing to do, and drift is seen.
  Result again = plant.Mfgctl({"plan", "--detailed-exitcode", "--var", var});
  EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
  ASSERT_EQ(OnHost(2, "echo tampered > /srv/secrets/db.conf").exit_code, 0);
  Result drift = plant.Mfgctl({"plan", "--detailed-exitcode", "--var", var});
  EXPECT_EQ(drift.exit_code, 2) << drift.out << drift.err;
  EXPECT_NE(drift.out.find("~ content = (sensitive value) -> (sensitive value)"),
            std::string::npos)
      << drift.out;
  ExpectNoSecret("drift plan", drift);
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"show", "--var", var},
        {"show", "--json", "--var", var},
        {"state", "show", "gw:command[register]", "--var", var}}) {
    Result r = plant.Mfgctl(args);
    EXPECT_EQ(r.exit_code, 0) << args[0] << r.out << r.err;
    ExpectNoSecret(args[0] + " " + args[1], r);
  }

  // A host that prints a secret in an error: the error shows it redacted.
  plant.Write(body + "      leaky: { run: \"echo leaked-${secret.ENV_TOKEN} >&2; exit 3\" }\n");
  Result leaky = plant.Mfgctl({"apply", "--auto-approve", "--var", var});
  EXPECT_EQ(leaky.exit_code, 1);
  EXPECT_NE(leaky.err.find("leaked-(sensitive value)"), std::string::npos) << leaky.err;
  ExpectNoSecret("failing apply", leaky);
  Result leaky_json = plant.Mfgctl({"apply", "--auto-approve", "--json", "--var", var});
  ExpectNoSecret("failing apply --json", leaky_json);

  plant.Write(body);
  Result destroy = plant.Mfgctl({"destroy", "--auto-approve", "--var", var});
  EXPECT_EQ(destroy.exit_code, 0) << destroy.out << destroy.err;
  ExpectNoSecret("destroy", destroy);
  EXPECT_EQ(OnHost(2, "test -e /srv/secrets/db.conf").exit_code, 1);
  EXPECT_TRUE(std::filesystem::exists(plant.StatePath().string() + ".backup"));
  ExpectNoSecretInFiles(plant);
}

}  // namespace
}  // namespace mfgctl::e2e
