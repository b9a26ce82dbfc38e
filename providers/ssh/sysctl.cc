// host.sysctl: a kernel parameter, set now (sysctl -w) and persisted in
// /etc/sysctl.d/ so it survives a reboot.
#include "providers/ssh/host_types.h"
#include "providers/shell/read_script.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

// The drop-in file mfgctl owns for one key.
std::string PersistPath(const std::string& key) {
  return "/etc/sysctl.d/60-mfgctl-" + key + ".conf";
}

// The file under /proc/sys that holds a key, as sysctl(8) finds it: dots
// are slashes, unless the key is written with slashes already.
std::string ProcPath(const std::string& key) {
  std::string path = key;
  if (path.find('/') == std::string::npos) {
    for (char& c : path) {
      if (c == '.') c = '/';
    }
  }
  return "/proc/sys/" + path;
}

// Multi-field values (tcp_rmem) are tab-separated by the kernel: compare
// them with single spaces, without the ends' white space.
std::string Squeeze(const std::string& value) {
  std::string out;
  for (char c : value) {
    bool space = c == ' ' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// Shell builtins printing what mfgctl's file for the key persists.
std::string PersistedProbe(const ReadItem& item) {
  std::string file = ShellQuote(PersistPath(item.address.name));
  return "if [ -f " + file + " ]; then while IFS= read -r l; do case $l in *=*) "
         "echo \"persisted=${l#*=}\";; esac; done < " + file + "; fi\n";
}

class SysctlType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.sysctl";
    s.name_attribute = "key";
    s.description = "A kernel parameter, applied now and persisted under /etc/sysctl.d/.";
    s.attributes = {
        {.name = "value", .required = true,
         .description = "The value; fields of multi-field parameters separated by spaces."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string proc = ShellQuote(ProcPath(item.address.name));
    return "if [ -f " + proc + " ] && v=$(cat " + proc + " 2>/dev/null); then "
           "echo \"value=$v\"; else echo 'error=no such kernel parameter on this host'; fi\n" +
           PersistedProbe(item);
  }

  // All of a host's keys in one awk (procfs files cannot be read byte by
  // byte, as the shell's `read` would); the persisted files with builtins.
  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    std::string script = "ids=''; set --\n";
    for (const auto& [i, item] : items) {
      std::string proc = ShellQuote(ProcPath(item->address.name));
      script += ItemMarker(i) + "if [ -f " + proc + " ]; then set -- \"$@\" " + proc +
                "; ids=\"$ids " + std::to_string(i) + "\"; else echo 'error=no such kernel "
                "parameter on this host'; fi\n" + PersistedProbe(*item);
    }
    // Each file's first line under its item's marker; a file with no line
    // is skipped by matching FILENAME to its place among the arguments.
    return script + "[ $# -eq 0 ] || awk -v ids=\"$ids\" '\n"
                    "BEGIN { split(ids, id, \" \"); k = 0 }\n"
                    "FNR == 1 { k++; while (k < ARGC && FILENAME != ARGV[k]) k++\n"
                    "  print \"@@mfgctl \" id[k]; print \"value=\" $0 }' \"$@\" 2>/dev/null\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r;
    auto persisted = facts.find("persisted");
    if (item.desired.is_null()) {  // left the blueprint: only our file is ours
      r.exists = persisted != facts.end();
      return r;
    }
    if (auto e = facts.find("error"); e != facts.end()) {
      r.diagnostics.Error(e->second);
      return r;
    }
    if (!facts.count("value")) {
      r.diagnostics.Error("cannot read this kernel parameter on the host");
      return r;
    }
    std::string now = Squeeze(facts.at("value"));
    r.exists = true;
    // A value set but not persisted (or persisted differently) is drift too.
    bool kept = persisted != facts.end() && Squeeze(persisted->second) == now;
    r.attributes["value"] = kept ? now : now + " (not persisted)";
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string file = ShellQuote(PersistPath(req.address.name));
    if (req.action == Action::kDelete) {
      // The running value stays: there is no "previous" value to go back to.
      step.script = "rm -f " + file + "\n";
      return step;
    }
    std::string key = req.address.name;
    std::string value = StringAttr(req.after, "value");
    step.script = "sysctl -q -w " + ShellQuote(key + "=" + value) + " || exit 1\n" +
                  "mkdir -p /etc/sysctl.d && t=$(mktemp /etc/sysctl.d/.mfgctl.XXXXXX) && "
                  "printf '%s = %s\\n' " + ShellQuote(key) + " " + ShellQuote(value) +
                  " > \"$t\" && chmod 644 \"$t\" && mv -f \"$t\" " + file + "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeSysctlType() { return std::make_unique<SysctlType>(); }

}  // namespace mfgctl
