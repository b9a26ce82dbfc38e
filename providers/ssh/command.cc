// host.command: a command run once, or whenever its `creates` path is
// missing. Without a guard, the state remembers that it ran; a changed
// `run` runs it again.
#include "providers/ssh/host_resource.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class CommandType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.command";
    s.description = "A shell command, run once or whenever its `creates` path is missing.";
    s.attributes = {
        {.name = "run", .required = true, .force_new = true,
         .description = "Shell command line, run with sh -c."},
        {.name = "creates", .force_new = true,
         .description = "A path the command creates; while it exists the command is not run."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    std::string creates = StringAttr(ItemAttributes(item), "creates");
    if (creates.empty()) return "";
    return "if [ -e " + ShellQuote(creates) + " ]; then echo created=1; else echo created=0; "
           "fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r;
    auto created = facts.find("created");
    if (created != facts.end()) {
      // The guard decides: while the path exists there is nothing to do.
      r.exists = created->second == "1";
      if (r.exists) r.attributes = ItemAttributes(item);
      return r;
    }
    r.exists = !item.prior.is_null();
    if (r.exists) r.attributes = item.prior;
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    if (req.action == Action::kDelete) return step;  // nothing to undo: forget it
    step.script = StringAttr(req.after, "run") + "\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeCommandType() { return std::make_unique<CommandType>(); }

}  // namespace mfgctl
