// host.file: a file's exact content, mode, owner and group. Content goes
// over the channel's standard input (binary-safe) into a temporary file
// beside the target, which is renamed into place: readers never see half a
// file. Many files go in one step, renamed into place per directory.
#include <map>

#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class FileType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.file";
    s.name_attribute = "path";
    s.description = "A regular file with exact content, mode, owner and group.";
    s.attributes = {
        {.name = "content", .required = true, .digest = true,
         .description = "The file's exact content."},
        {.name = "source", .local_path = true, .file_into = "content",
         .description = "A local file whose bytes are the content (uploaded as is)."},
        {.name = "template", .local_path = true, .file_into = "content", .interpolate_file = true,
         .description = "A local template rendered with the blueprint's ${...} expressions."},
        {.name = "mode", .octal_mode = true, .description = "Octal mode, e.g. \"0640\"."},
        {.name = "owner", .description = "Owning user name."},
        {.name = "group", .description = "Owning group name."},
        StateAttribute(),
        {.name = "notify", .type = AttrType::kStringList, .plan_only = true,
         .description = "Resources to restart when this file changes, e.g. "
                        "[\"service[collector]\"]."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    return "p=" + ShellQuote(item.address.name) + "\n" +
           "if [ -f \"$p\" ]; then echo exists=1; "
           "s=$(sha256sum < \"$p\"); echo \"content=sha256:${s%% *}\"; " + StatProbe() +
           "elif [ -e \"$p\" ]; then echo exists=0; echo 'error=exists and is not a regular "
           "file'; else echo exists=0; fi\n";
  }

  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    return BatchPathProbe(items, /*regular_file=*/true);
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    return PathResult(facts, {"content", "mode", "owner", "group"});
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string p = ShellQuote(req.address.name);
    if (req.action == Action::kDelete) {
      step.script = "rm -f -- " + p + "\n";
      return step;
    }
    // Unmanaged mode and ownership are kept from the file being replaced;
    // a new file gets 0644.
    step.script =
        "p=" + p + "\n"
        "d=$(dirname -- \"$p\") && mkdir -p -- \"$d\" && t=$(mktemp \"$d/.mfgctl.XXXXXX\") "
        "|| exit 1\n"
        "trap 'rm -f -- \"$t\"' EXIT\n"
        "cat > \"$t\" && chmod \"$(stat -c %a \"$p\" 2>/dev/null || echo 644)\" \"$t\" && "
        "{ [ ! -e \"$p\" ] || chown \"$(stat -c %u:%g \"$p\")\" \"$t\"; }" +
        OwnershipCommands(req.after) + " && mv -f -- \"$t\" \"$p\" && trap - EXIT\n";
    step.input = StringAttr(req.after, "content");
    return step;
  }

  // Many files in one step, at a few commands per directory rather than
  // several per file: each directory's new contents are staged in a fresh
  // directory beside it (the same filesystem), read off stdin by `head -c`,
  // given their modes and owners per group of equal ones (unmanaged ones
  // as the file being replaced has them, as read for the plan), then moved
  // into place by one `mv`: still one atomic rename per file.
  HostStep BatchStep(const std::vector<const ApplyRequest*>& reqs) const override {
    static const Value kNone = Value::object();
    HostStep step;
    std::string removals;
    std::map<std::string, std::vector<const ApplyRequest*>> by_dir;
    for (const ApplyRequest* req : reqs) {
      const std::string& path = req->address.name;
      if (req->action == Action::kDelete) {
        removals += " " + ShellQuote(path);
        continue;
      }
      size_t slash = path.rfind('/');
      by_dir[slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash)].push_back(
          req);
    }
    // Staging directories are removed however the step ends.
    step.script = "set --\ntrap 'rm -rf -- \"$@\"' EXIT\n";
    if (!removals.empty()) step.script += "rm -f --" + removals + " || exit 1\n";
    for (const auto& [dir, files] : by_dir) {
      step.script += "d=" + ShellQuote(dir) + "\n"
                     "mkdir -p -- \"$d\" && s=$(mktemp -d \"$d/.mfgctl.XXXXXX\") || exit 1\n"
                     "set -- \"$@\" \"$s\"\n";
      std::map<std::string, std::string> modes, owners, groups;  // value -> staged names
      std::string staged;
      for (const ApplyRequest* req : files) {
        const std::string& path = req->address.name;
        std::string name = " \"$s\"/" + ShellQuote(path.substr(path.rfind('/') + 1));
        std::string content = StringAttr(req->after, "content");
        step.script += "head -c " + std::to_string(content.size()) + " >" + name + " || exit 1\n";
        step.input += content;
        staged += name;
        const Value& before = req->before.is_object() ? req->before : kNone;
        modes[StringAttr(req->after, "mode", StringAttr(before, "mode", "0644"))] += name;
        std::string owner = StringAttr(req->after, "owner", StringAttr(before, "owner"));
        std::string group = StringAttr(req->after, "group", StringAttr(before, "group"));
        if (!owner.empty()) owners[owner] += name;
        if (!group.empty()) groups[group] += name;
      }
      for (const auto& [mode, names] : modes) {
        step.script += "chmod " + ShellQuote(mode) + names + " || exit 1\n";
      }
      for (const auto& [owner, names] : owners) {
        step.script += "chown " + ShellQuote(owner) + names + " || exit 1\n";
      }
      for (const auto& [group, names] : groups) {
        step.script += "chgrp " + ShellQuote(group) + names + " || exit 1\n";
      }
      step.script += "mv -f --" + staged + " \"$d\" || exit 1\n";
    }
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeFileType() { return std::make_unique<FileType>(); }

}  // namespace mfgctl
