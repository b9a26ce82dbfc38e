// Plants without internet: bundles of .deb files and wheels uploaded over
// SFTP and installed from there, and uploads that do not fit.
#include <fstream>

#include "tests/e2e/e2e_support.h"

namespace mfgctl::e2e {
namespace {

// Builds mfg-agent_VERSION_all.deb (a package no host's repository has)
// into `dir`.
void BuildAgentDeb(const std::filesystem::path& dir, const std::string& version) {
  std::string script =
      "set -e; d=$(mktemp -d); mkdir -p \"$d/DEBIAN\" \"$d/usr/share/mfg-agent\"\n"
      "printf 'Package: mfg-agent\\nVersion: %s\\nArchitecture: all\\nMaintainer: t <t@x.invalid>"
      "\\nDescription: agent\\n' \"$1\" > \"$d/DEBIAN/control\"\n"
      "echo \"$1\" > \"$d/usr/share/mfg-agent/VERSION\"\n"
      "dpkg-deb --root-owner-group --build \"$d\" \"$2/mfg-agent_$1_all.deb\" >/dev/null\n"
      "rm -rf \"$d\"\n";
  std::filesystem::create_directories(dir);
  Result r = RunProgram({"sh", "-c", script, "sh", version, dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(OfflineTest, PackagesInstallFromAnUploadedBundle) {
  Plant plant("package-bundle");
  ASSERT_EQ(OnHost(3, "dpkg -r mfg-agent >/dev/null 2>&1; rm -rf /var/lib/mfgctl; "
                      "rm -f /etc/apt/sources.list.d/mfgctl*; true")
                .exit_code,
            0);
  BuildAgentDeb(plant.dir() / "bundle", "1.2-1");
  std::ofstream(plant.dir() / "bundle" / "README.txt") << "line 3 agent\n";
  auto blueprint = [&](const std::string& version) {
    return Gateway(3, "    package_bundle: ./bundle\n"
                      "    packages:\n      mfg-agent: { version: \"" + version + "\" }\n");
  };
  plant.Write(blueprint("1.2-1"));
  Result plan = plant.Mfgctl({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("gw:bundle[/var/lib/mfgctl/bundles/packages] will be created"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("+ \"mfg-agent_1.2-1_all.deb\" = (sha256:"), std::string::npos)
      << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(3, "dpkg-query -W -f='${Version}' mfg-agent").out, "1.2-1");
  EXPECT_EQ(OnHost(3, "cat /var/lib/mfgctl/bundles/packages/README.txt").out, "line 3 agent\n");
  EXPECT_EQ(OnHost(3, "ls -A /var/lib/mfgctl/bundles/packages | grep -c incoming").out, "0\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // A new version in the bundle: only it is uploaded, then installed.
  BuildAgentDeb(plant.dir() / "bundle", "1.3-1");
  plant.Write(blueprint("1.3-1"));
  Result upgrade = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(upgrade.exit_code, 0) << upgrade.out << upgrade.err;
  EXPECT_NE(upgrade.out.find("+ \"mfg-agent_1.3-1_all.deb\" = (sha256:"), std::string::npos)
      << upgrade.out;
  EXPECT_EQ(OnHost(3, "dpkg-query -W -f='${Version}' mfg-agent").out, "1.3-1");

  // Someone deletes a file on the host: drift, put back by the next apply.
  ASSERT_EQ(OnHost(3, "rm /var/lib/mfgctl/bundles/packages/mfg-agent_1.2-1_all.deb").exit_code, 0);
  Result drift = plant.Mfgctl({"plan"});
  EXPECT_NE(drift.out.find("gw:bundle[/var/lib/mfgctl/bundles/packages] will be updated"),
            std::string::npos)
      << drift.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(3, "test -f /var/lib/mfgctl/bundles/packages/mfg-agent_1.2-1_all.deb")
                .exit_code,
            0);
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);
}

TEST(OfflineTest, UploadThatDoesNotFitFailsOnlyThatResourceAndLeavesTheDiskAsItWas) {
  Plant plant("disk-full");
  ASSERT_EQ(OnHost(4, "umount /srv/small 2>/dev/null; mkdir -p /srv/small && "
                      "mount -t tmpfs -o size=512k tmpfs /srv/small && rm -f /tmp/df-ok")
                .exit_code,
            0);
  std::filesystem::create_directories(plant.dir() / "big");
  {
    std::ofstream big(plant.dir() / "big" / "firmware.bin", std::ios::binary);
    std::string block(1 << 16, '\xa5');
    for (int i = 0; i < 16; ++i) big << block;  // 1 MiB
  }
  plant.Write(Gateway(4, "    bundles:\n      /srv/small/firmware: ./big\n"
                         "    files:\n"
                         "      /srv/small/image.bin: { source: ./big/firmware.bin }\n"
                         "      /tmp/df-ok: { content: \"still written\\n\" }\n"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(apply.exit_code, 1);
  EXPECT_NE(apply.err.find("error: gw:bundle[/srv/small/firmware]: preparing the upload failed (exit "
                           "status 1): no space for the upload on /srv/small: 512 KiB free, "
                           "1025 KiB needed"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.err.find("error: gw:file[/srv/small/image.bin]: create failed"),
            std::string::npos)
      << apply.err;
  EXPECT_NE(apply.err.find("No space left on device"), std::string::npos) << apply.err;
  EXPECT_EQ(OnHost(4, "cat /tmp/df-ok").out, "still written\n");
  // Nothing half-written stays behind to keep the disk full.
  EXPECT_EQ(OnHost(4, "ls -A /srv/small/firmware /srv/small | tr '\\n' ' '").out,
            "/srv/small: firmware  /srv/small/firmware: ");
  Value state = plant.ReadState();
  std::string recorded = state.dump();
  EXPECT_NE(recorded.find("gw:file[/tmp/df-ok]"), std::string::npos);
  EXPECT_EQ(recorded.find("gw:bundle[/srv/small/firmware]"), std::string::npos);
  EXPECT_EQ(recorded.find("gw:file[/srv/small/image.bin]"), std::string::npos);
  OnHost(4, "umount /srv/small");
}

TEST(OfflineTest, PythonEnvInstallsPinnedWheelsOfflineAndShowsDrift) {
  Plant plant("python-env");
  ASSERT_EQ(OnHost(2, "rm -rf /opt/collector /var/lib/mfgctl/wheels").exit_code, 0);
  std::filesystem::copy(HostsDir() + "/wheels", plant.dir() / "wheels");
  auto blueprint = [&](const std::string& requirement) {
    return Gateway(2, "    python_envs:\n      /opt/collector/venv: { requirements: [\"" +
                          requirement + "\"], wheels: ./wheels }\n");
  };
  const std::string version =
      "/opt/collector/venv/bin/python -c 'import mfg_demo_lib; print(mfg_demo_lib.VERSION)'";
  plant.Write(blueprint("mfg-demo-lib==1.0"));
  Result plan = plant.Mfgctl({"plan"});
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("gw:bundle[/var/lib/mfgctl/wheels/opt/collector/venv] will be created"),
            std::string::npos)
      << plan.out;
  EXPECT_NE(plan.out.find("+ requirements = [\"mfg-demo-lib==1.0\"]"), std::string::npos)
      << plan.out;
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(2, version).out, "1.0\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // Someone upgrades it by hand: the plan shows the installed version.
  ASSERT_EQ(OnHost(2, "/opt/collector/venv/bin/pip install -q --no-index --find-links "
                      "/var/lib/mfgctl/wheels/opt/collector/venv mfg-demo-lib==2.0")
                .exit_code,
            0);
  Result drift = plant.Mfgctl({"plan"});
  EXPECT_NE(drift.out.find("~ requirements = [\"mfg-demo-lib==2.0\"] -> [\"mfg-demo-lib==1.0\"]"),
            std::string::npos)
      << drift.out;
  ASSERT_EQ(plant.Mfgctl({"apply", "--auto-approve"}).exit_code, 0);
  EXPECT_EQ(OnHost(2, version).out, "1.0\n");

  // A requirement the wheels do not have fails that venv with pip's reason.
  plant.Write(blueprint("mfg-missing-lib==1.0"));
  Result missing = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("error: gw:python_env[/opt/collector/venv]: update failed"),
            std::string::npos)
      << missing.err;
  EXPECT_NE(missing.err.find("No matching distribution found for mfg-missing-lib==1.0"),
            std::string::npos)
      << missing.err;
}

TEST(OfflineTest, AptRepositoryIsTheSourcePackagesComeFrom) {
  Plant plant("apt-repository");
  // Host 1 forgets its own apt source; it comes back at the end.
  ASSERT_EQ(OnHost(1, "dpkg -r sl >/dev/null 2>&1; mv /etc/apt/sources.list /etc/apt/sources.list.off "
                      "&& rm -rf /var/lib/apt/lists/* /etc/apt/sources.list.d/mfgctl-* && "
                      "apt-get update -q >/dev/null")
                .exit_code,
            0);
  struct Restore {
    ~Restore() {
      OnHost(1, "rm -f /etc/apt/sources.list.d/mfgctl-* /etc/apt/keyrings/mfgctl-*; "
                "mv /etc/apt/sources.list.off /etc/apt/sources.list; apt-get update -q");
    }
  } restore;
  std::ofstream(plant.dir() / "mirror.asc") << "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n";
  auto blueprint = [&](const std::string& uri) {
    return Gateway(1, "    apt_repositories:\n      plant-mirror: { uri: \"" + uri +
                          "\", suite: ./, trusted: true, key_source: ./mirror.asc }\n"
                          "    packages: [sl]\n");
  };
  plant.Write(blueprint("file:/srv/mfgctl-repo"));
  Result apply = plant.Mfgctl({"apply", "--auto-approve"});
  ASSERT_EQ(apply.exit_code, 0) << apply.out << apply.err;
  EXPECT_EQ(OnHost(1, "dpkg-query -W -f='${Status}' sl").out, "install ok installed");
  EXPECT_EQ(OnHost(1, "cat /etc/apt/sources.list.d/mfgctl-repo-plant-mirror.list").out,
            "deb [signed-by=/etc/apt/keyrings/mfgctl-repo-plant-mirror.asc trusted=yes] "
            "file:/srv/mfgctl-repo ./\n");
  EXPECT_EQ(OnHost(1, "cat /etc/apt/keyrings/mfgctl-repo-plant-mirror.asc").out,
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\nnot a key\n");
  EXPECT_EQ(plant.Mfgctl({"plan", "--detailed-exitcode"}).exit_code, 0);

  // A mirror that is not there fails the repository with apt's reason and
  // leaves the working source in place.
  plant.Write(blueprint("file:/srv/no-such-mirror"));
  Result bad = plant.Mfgctl({"apply", "--auto-approve"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("error: gw:apt_repository[plant-mirror]: update failed"),
            std::string::npos)
      << bad.err;
  EXPECT_NE(bad.err.find("/srv/no-such-mirror"), std::string::npos) << bad.err;
  EXPECT_EQ(OnHost(1, "grep -c mfgctl-repo /etc/apt/sources.list.d/mfgctl-repo-plant-mirror.list")
                .out,
            "1\n");
  Result pending = plant.Mfgctl({"plan"});
  EXPECT_NE(pending.out.find("~ uri = \"file:/srv/mfgctl-repo\" -> \"file:/srv/no-such-mirror\""),
            std::string::npos)
      << pending.out;
  // A source whose lists were never refreshed (written by hand, say) is
  // not in place yet: the plan says so.
  plant.Write(blueprint("file:/srv/mfgctl-repo"));
  ASSERT_EQ(OnHost(1, "touch /etc/apt/sources.list.d/mfgctl-repo-plant-mirror.list").exit_code, 0);
  Result drift = plant.Mfgctl({"plan"});
  EXPECT_NE(drift.out.find("~ suite = \"./ (not refreshed)\" -> \"./\""), std::string::npos)
      << drift.out;
}

}  // namespace
}  // namespace mfgctl::e2e
