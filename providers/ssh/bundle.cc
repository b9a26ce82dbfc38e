// host.bundle: a local directory of files (.deb packages, Python wheels,
// installers) kept identical on the host for plants without internet.
// Changed files go over SFTP into a staging directory beside the bundle —
// hashed as they are sent and checked against the checksums the plan was
// made with; SSH guarantees they arrive as sent — then renamed into place.
// With `apt: true` the bundle is also indexed as a flat apt repository and
// added to apt's sources, so `packages:` install from it.
//
// Reading stays fast for large bundles: the apply leaves a manifest of each
// file's checksum with its size, mtime and inode; the probe hashes only the
// files whose stat no longer matches it.
#include "providers/ssh/apt_sources.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kManifest[] = ".mfgctl-manifest";
constexpr char kIncoming[] = ".mfgctl-incoming";
constexpr char kIndex[] = ".mfgctl-index";  // Packages and Release for apt

// The apt sources entry of the bundle at `path`, and the file it lives in.
std::string AptSourceLine(const std::string& path) {
  return "deb [trusted=yes] file:" + path + " " + kIndex + "/";
}
std::string BundleList(const std::string& path) { return AptListFile("bundle", path); }

// apt reads its sources line by white space; such a path cannot be one.
bool AptSafePath(const std::string& path) {
  return path.find_first_of(" \t\n]#") == std::string::npos;
}

bool WantsApt(const Value& attrs) {
  auto it = attrs.find("apt");
  return it != attrs.end() && it->is_boolean() && it->get<bool>();
}

class BundleType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.bundle";
    s.name_attribute = "path";
    s.applies_alone = true;  // an upload may take minutes
    s.description =
        "A local directory of files kept identical on the host (uploaded over SFTP, checked by "
        "SHA-256); optionally indexed as an apt repository for offline installs.";
    s.attributes = {
        {.name = "source", .required = true, .local_path = true, .directory_into = "files",
         .plan_only = true,
         .description = "The local directory; its regular files (not dot files) are the "
                        "bundle."},
        {.name = "files", .type = AttrType::kStringMap,
         .description = "Each file's SHA-256, by name (computed from `source`)."},
        {.name = "apt", .type = AttrType::kBool,
         .description = "Index the bundle's .deb files as an apt repository and add it to "
                        "apt's sources, so packages install from it."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    const std::string& path = item.address.name;
    std::string p = ShellQuote(path);
    std::string script =
        "p=" + p + "\n"
        "if [ -d \"$p\" ]; then echo exists=1\n"
        // The manifest's lines, an empty line, then one stat line per file:
        // files whose stat matches the manifest take its checksum, the rest
        // are hashed.
        "( cd \"$p\" && { cat " + kManifest + " 2>/dev/null; echo; "
        "stat -c '%F/%s.%.9Y.%i/%n' -- * 2>/dev/null; } | awk -F/ '\n"
        "!sep { if ($0 == \"\") sep = 1; else { sum[$3] = $1; key[$3] = $2 }; next }\n"
        "$1 !~ /^regular/ { next }\n"
        "($3 in key) && key[$3] == $2 { print \"file.\" $3 \"=sha256:\" sum[$3]; next }\n"
        "{ print \"hash/\" $3 }' | while IFS= read -r l; do case $l in\n"
        "  hash/*) f=${l#hash/}; s=$(sha256sum < \"$f\") && echo \"file.$f=sha256:${s%% *}\";;\n"
        "  *) printf '%s\\n' \"$l\";; esac; done )\n";
    if (AptSafePath(path)) {
      // Indexed, in apt's sources, and apt's lists refreshed since.
      script += "if [ \"$(cat " + ShellQuote(BundleList(path)) + " 2>/dev/null)\" = " +
                ShellQuote(AptSourceLine(path)) + " ] && [ \"$p/" + kIndex +
                "/updated\" -nt \"$p/" + kIndex + "/Packages\" ]; then echo apt=1; "
                "else echo apt=0; fi\n";
    } else {
      script += "echo apt=0\n";
    }
    return script + "else echo exists=0; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    Value files = Value::object();
    for (const auto& [key, value] : facts) {
      if (key.rfind("file.", 0) == 0) files[key.substr(5)] = value;
    }
    r.attributes["files"] = std::move(files);
    auto apt = facts.find("apt");
    r.attributes["apt"] = apt != facts.end() && apt->second == "1";
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    const std::string& path = req.address.name;
    std::string p = ShellQuote(path);
    HostStep step;
    if (req.action == Action::kDelete) {
      step.script = "rm -rf -- " + p + "\n" + AptRemoveList(BundleList(path));
      return step;
    }
    bool apt = WantsApt(req.after);
    if (apt && !AptSafePath(path)) {
      step.script = "echo " + ShellQuote("an apt bundle's path may not contain spaces, '#' or "
                                         "']': apt could not read its sources line") +
                    " >&2; exit 1\n";
      return step;
    }
    const Value& want = req.after.contains("files") ? req.after["files"] : Value::object();
    const Value* have = req.before.is_object() && req.before.contains("files")
                            ? &req.before["files"] : nullptr;
    std::string source = StringAttr(req.after, "source");
    step.upload_dir = path + "/" + kIncoming;
    std::string in = ShellQuote(step.upload_dir);
    step.script = "p=" + p + "\nmkdir -p -- \"$p\" && cd -- \"$p\" || exit 1\n";
    // Uploaded files are moved into place; files the bundle no longer has
    // are removed.
    std::string keep;
    for (const auto& [name, digest] : want.items()) {
      std::string n = ShellQuote(name);
      keep += (keep.empty() ? "" : "|") + n;
      if (have && have->contains(name) && (*have)[name] == digest) continue;
      step.uploads.push_back({source + "/" + name, name, digest.get<std::string>()});
      step.script +=
          "chmod 644 " + in + "/" + n + " && chown 0:0 " + in + "/" + n + " && mv -f -- " + in +
          "/" + n + " " + n + " || exit 1\n";
    }
    step.script += "rm -rf -- " + in + "\n";
    step.script += "for f in *; do [ -f \"$f\" ] || continue; " +
                   (keep.empty() ? std::string("rm -f -- \"$f\"")
                                 : "case $f in " + keep + ") ;; *) rm -f -- \"$f\";; esac") +
                   "; done\n";
    // The manifest that lets the next read skip hashing unchanged files.
    step.script += "{ ";
    for (const auto& [name, digest] : want.items()) {
      std::string hex = digest.get<std::string>().substr(7);
      step.script += "echo \"" + hex + "/$(stat -c '%s.%.9Y.%i' -- " + ShellQuote(name) +
                     ")/\"" + ShellQuote(name) + "; ";
    }
    step.script += ": ; } > " + std::string(kManifest) + " || exit 1\n";
    if (apt) {
      step.script += AptIndexScript(path, want);
    } else if (req.after.contains("apt")) {
      step.script += AptRemoveList(BundleList(path)) + "rm -rf -- " + kIndex + "\n";
    }
    return step;
  }

 private:
  // Indexes the .deb files (Packages, Release) in the bundle's index
  // directory, adds the bundle to apt's sources and refreshes apt's lists
  // of it alone — a plant without internet has nothing else to fetch. The
  // checksums are the plan's: every file on the host was checked against
  // them, by the read or as it was sent.
  static std::string AptIndexScript(const std::string& path, const Value& files) {
    std::string list = ShellQuote(BundleList(path));
    std::string stanzas;
    for (const auto& [name, digest] : files.items()) {
      if (name.size() < 4 || name.compare(name.size() - 4, 4, ".deb") != 0) continue;
      std::string n = ShellQuote(name);
      stanzas += "  dpkg-deb -f " + n + " || exit 1\n"
                 "  echo \"Filename: ./\"" + n + "; echo \"Size: $(stat -c %s -- " + n +
                 ")\"; echo 'SHA256: " + digest.get<std::string>().substr(7) + "'; echo\n";
    }
    return std::string(
               "command -v dpkg-deb >/dev/null 2>&1 || { echo 'apt: true needs apt and dpkg on "
               "the host' >&2; exit 1; }\n"
               "mkdir -p ") + kIndex + " && {\n" + stanzas + ": ; } > " + kIndex +
           "/Packages && {\n"
           "  s=$(sha256sum < " + kIndex + "/Packages); "
           "printf 'Origin: mfgctl\\nLabel: mfgctl bundle\\nDate: %s\\n"
           "SHA256:\\n %s %s Packages\\n' "
           "\"$(date -Ru)\" \"${s%% *}\" \"$(stat -c %s " + kIndex + "/Packages)\" > " + kIndex +
           "/Release\n"
           "} || exit 1\n"
           "echo " + ShellQuote(AptSourceLine(path)) + " > " + list + " || exit 1\n" +
           AptUpdateOnly(list) + " || exit 1\n"
           "touch " + kIndex + "/updated\n";
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeBundleType() { return std::make_unique<BundleType>(); }

}  // namespace mfgctl
