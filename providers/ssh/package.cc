// host.package: an OS package, installed with whatever manager the host has
// (apt, dnf, apk), optionally pinned to a version.
#include "providers/ssh/host_resource.h"
#include "providers/ssh/read_script.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class PackageType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.package";
    s.description = "An OS package installed with apt, dnf or apk.";
    s.attributes = {
        {.name = "version", .description = "Exact version to install (e.g. \"1.2-1\"); "
                                           "unset accepts any installed version."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string pkg = ShellQuote(item.address.name);
    return "if command -v dpkg-query >/dev/null 2>&1; then\n"
           "  v=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' " + pkg + " 2>/dev/null)\n"
           "  case \"$v\" in ii*) echo installed=1; echo \"version=${v#ii }\";; "
           "*) echo installed=0;; esac\n"
           "elif command -v rpm >/dev/null 2>&1; then\n"
           "  if v=$(rpm -q --qf '%{VERSION}-%{RELEASE}' " + pkg + " 2>/dev/null); then "
           "echo installed=1; echo \"version=$v\"; else echo installed=0; fi\n"
           "elif command -v apk >/dev/null 2>&1; then\n"
           "  if apk info -e " + pkg + " >/dev/null 2>&1; then echo installed=1; "
           "else echo installed=0; fi\n"
           "else echo 'error=no supported package manager (apt, dnf or apk) on this host'; fi\n";
  }

  // All of a host's packages in one dpkg-query (it reads the whole status
  // database each time); awk hands each package its own facts.
  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    std::string names, want, fallback;
    for (const auto& [i, item] : items) {
      names += " " + ShellQuote(item->address.name);
      want += (want.empty() ? "" : " ") + std::to_string(i) + " " + item->address.name;
      fallback += ItemMarker(i) + Probe(*item);
    }
    return "if command -v dpkg-query >/dev/null 2>&1; then\n"
           "dpkg-query -W -f='${Package} ${db:Status-Abbrev}${Version}\\n' --" + names +
           " 2>/dev/null | awk -v want=" + ShellQuote(want) + " '\n"
           "BEGIN { n = split(want, w, \" \"); for (k = 1; k < n; k += 2) idx[w[k+1]] = idx[w[k+1]] \" \" w[k] }\n"
           "$2 ~ /^ii/ && ($1 in idx) { m = split(idx[$1], is, \" \"); for (j = 1; j <= m; j++) {\n"
           "  print \"@@mfgctl \" is[j]; print \"installed=1\"; print \"version=\" $3 }; seen[$1] = 1 }\n"
           "END { for (k = 1; k < n; k += 2) if (!(w[k+1] in seen)) { print \"@@mfgctl \" w[k]; "
           "print \"installed=0\" } }'\n"
           "else\n" + fallback + "fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r;
    if (auto e = facts.find("error"); e != facts.end()) {
      r.diagnostics.Error(e->second);
      return r;
    }
    auto installed = facts.find("installed");
    r.exists = installed != facts.end() && installed->second == "1";
    if (r.exists) {
      if (auto v = facts.find("version"); v != facts.end()) r.attributes["version"] = v->second;
    }
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    std::string pkg = req.address.name;
    std::string version = StringAttr(req.after, "version");
    std::string apt_spec = ShellQuote(version.empty() ? pkg : pkg + "=" + version);
    std::string dnf_spec = ShellQuote(version.empty() ? pkg : pkg + "-" + version);
    std::string apk_spec = ShellQuote(version.empty() ? pkg : pkg + "=" + version);
    HostStep step;
    if (req.action == Action::kDelete) {
      step.script =
          "if command -v apt-get >/dev/null 2>&1; then "
          "DEBIAN_FRONTEND=noninteractive apt-get remove -y -q " + ShellQuote(pkg) + "\n"
          "elif command -v dnf >/dev/null 2>&1; then dnf remove -y " + ShellQuote(pkg) + "\n"
          "elif command -v apk >/dev/null 2>&1; then apk del " + ShellQuote(pkg) + "\n"
          "else echo 'no supported package manager (apt, dnf or apk)' >&2; exit 1; fi\n";
      return step;
    }
    // apt: install; if the package index does not know it (yet), refresh the
    // index once and try again.
    step.script =
        "if command -v apt-get >/dev/null 2>&1; then\n"
        "  export DEBIAN_FRONTEND=noninteractive\n"
        "  i() { apt-get install -y -q --no-install-recommends --allow-downgrades "
        "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold " + apt_spec +
        "; }\n"
        "  i || { apt-get update -q >/dev/null 2>&1 && i; }\n"
        "elif command -v dnf >/dev/null 2>&1; then dnf install -y " + dnf_spec + "\n"
        "elif command -v apk >/dev/null 2>&1; then apk add " + apk_spec + "\n"
        "else echo 'no supported package manager (apt, dnf or apk)' >&2; exit 1; fi\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakePackageType() { return std::make_unique<PackageType>(); }

}  // namespace mfgctl
