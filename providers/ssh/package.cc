// host.package: an OS package, installed with whatever manager the host has
// (apt, dnf, apk), optionally pinned to a version.
#include "providers/ssh/host_types.h"
#include "providers/shell/read_script.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class PackageType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.package";
    s.description = "An OS package installed with apt, dnf or apk.";
    s.batch_apply = true;
    s.attributes = {
        {.name = "version",
         .description = "Exact version to install (e.g. \"1.2-1\"); unset accepts any "
                        "installed version, and the installed one is recorded.",
         .computed = true},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string pkg = ShellQuote(item.address.name);
    return "if command -v dpkg-query >/dev/null 2>&1; then\n"
           "  v=$(dpkg-query -W -f='${db:Status-Abbrev}${Version}' " + pkg + " 2>/dev/null)\n"
           "  case \"$v\" in ii*) echo exists=1; echo \"version=${v#ii }\";; "
           "*) echo exists=0;; esac\n"
           "elif command -v rpm >/dev/null 2>&1; then\n"
           "  if v=$(rpm -q --qf '%{VERSION}-%{RELEASE}' " + pkg + " 2>/dev/null); then "
           "echo exists=1; echo \"version=$v\"; else echo exists=0; fi\n"
           "elif command -v apk >/dev/null 2>&1; then\n"
           "  if apk info -e " + pkg + " >/dev/null 2>&1; then echo exists=1; "
           "else echo exists=0; fi\n"
           "else echo 'error=no supported package manager (apt, dnf or apk) on this host'; fi\n";
  }

  // All of a host's packages in one dpkg-query (it reads the whole status
  // database each time); awk hands each package its own facts.
  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    BatchNames names = NamesOf(items);
    std::string fallback;
    for (const auto& [i, item] : items) fallback += ItemMarker(i) + Probe(*item);
    return "if command -v dpkg-query >/dev/null 2>&1; then\n"
           "dpkg-query -W -f='${Package} ${db:Status-Abbrev}${Version}\\n' --" + names.words +
           " 2>/dev/null | awk -v want=" + ShellQuote(names.want) + " '\n"
           "BEGIN { n = split(want, w, \" \")\n"
           "  for (k = 1; k < n; k += 2) idx[w[k+1]] = idx[w[k+1]] \" \" w[k] }\n"
           "$2 ~ /^ii/ && ($1 in idx) { m = split(idx[$1], is, \" \"); for (j = 1; j <= m; j++) {\n"
           "  print \"@@mfgctl \" is[j]; print \"exists=1\"; print \"version=\" $3 }\n"
           "  seen[$1] = 1 }\n"
           "END { for (k = 1; k < n; k += 2) if (!(w[k+1] in seen)) { print \"@@mfgctl \" w[k]; "
           "print \"exists=0\" } }'\n"
           "else\n" + fallback + "fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r = ExistenceOf(facts);  // a package exists when it is installed
    if (r.exists) {
      if (auto v = facts.find("version"); v != facts.end()) r.attributes["version"] = v->second;
    }
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override { return BatchStep({&req}); }

  // All of a host's package changes in one package-manager call per kind:
  // one install of everything wanted, one removal of everything unwanted.
  HostStep BatchStep(const std::vector<const ApplyRequest*>& reqs) const override {
    std::string apt, dnf, apk, apt_remove, other_remove;
    for (const ApplyRequest* req : reqs) {
      std::string pkg = req->address.name;
      if (req->action == Action::kDelete) {
        apt_remove += " " + ShellQuote(pkg);
        continue;
      }
      std::string version = StringAttr(req->after, "version");
      apt += " " + ShellQuote(version.empty() ? pkg : pkg + "=" + version);
      dnf += " " + ShellQuote(version.empty() ? pkg : pkg + "-" + version);
      apk += " " + ShellQuote(version.empty() ? pkg : pkg + "=" + version);
    }
    other_remove = apt_remove;
    HostStep step;
    step.script =
        "if command -v apt-get >/dev/null 2>&1; then\n"
        "  export DEBIAN_FRONTEND=noninteractive\n";
    if (!apt.empty()) {
      // If the index does not know a package (yet), refresh it once.
      step.script +=
          "  i() { apt-get install -y -q --no-install-recommends --allow-downgrades "
          "-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold" + apt +
          "; }\n"
          "  i || { apt-get update -q >/dev/null 2>&1 && i; } || exit\n";
    }
    if (!apt_remove.empty()) step.script += "  apt-get remove -y -q" + apt_remove + " || exit\n";
    step.script += "elif command -v dnf >/dev/null 2>&1; then\n";
    if (!dnf.empty()) step.script += "  dnf install -y" + dnf + " || exit\n";
    if (!other_remove.empty()) step.script += "  dnf remove -y" + other_remove + " || exit\n";
    step.script += "elif command -v apk >/dev/null 2>&1; then\n";
    if (!apk.empty()) step.script += "  apk add" + apk + " || exit\n";
    if (!other_remove.empty()) step.script += "  apk del" + other_remove + " || exit\n";
    step.script += "else echo 'no supported package manager (apt, dnf or apk)' >&2; exit 1; fi\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakePackageType() { return std::make_unique<PackageType>(); }

}  // namespace mfgctl
