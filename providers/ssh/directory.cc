// host.directory: a directory with its mode, owner and group.
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class DirectoryType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.directory";
    s.name_attribute = "path";
    s.description = "A directory (and its missing parents), with mode, owner and group.";
    s.attributes = {
        {.name = "mode", .octal_mode = true, .description = "Octal mode, e.g. \"0750\"."},
        {.name = "owner", .description = "Owning user name."},
        {.name = "group", .description = "Owning group name."},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    return "p=" + ShellQuote(item.address.name) + "\n" +
           "if [ -d \"$p\" ]; then echo exists=1; " + StatProbe() +
           "elif [ -e \"$p\" ] || [ -L \"$p\" ]; then echo exists=0; echo 'error=exists and is "
           "not a directory'; else echo exists=0; fi\n";
  }

  std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& items) const override {
    return BatchPathProbe(items, /*regular_file=*/false);
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    return PathResult(facts, {"mode", "owner", "group"});
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string p = ShellQuote(req.address.name);
    if (req.action == Action::kDelete) {
      // Only an empty directory is removed: its contents may not be ours.
      step.script = "rmdir -- " + p + " || { echo 'directory is not empty: remove its "
                    "contents first or keep it in the blueprint' >&2; exit 1; }\n";
      return step;
    }
    step.script = "t=" + p + " && mkdir -p -- \"$t\"" + OwnershipCommands(req.after) + "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeDirectoryType() { return std::make_unique<DirectoryType>(); }

}  // namespace mfgctl
