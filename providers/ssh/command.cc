// host.command: a command run once, or whenever its guard says so: while
// its `creates` path is missing, or while its `unless` check fails. Without
// a guard, the state remembers that it ran; a changed `run` runs it again.

#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class CommandType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.command";
    s.description = "A shell command, run once or whenever its `creates` path is missing.";
    s.applies_alone = true;
    s.attributes = {
        {.name = "run", .required = true, .force_new = true,
         .description = "Shell command line, run with sh -c."},
        {.name = "creates", .force_new = true,
         .description = "A path the command creates; while it exists the command is not run."},
        {.name = "unless", .force_new = true,
         .description = "A check command (run at plan time, must change nothing); while it "
                        "succeeds the command is not run."},
        {.name = "environment", .type = AttrType::kStringMap,
         .description = "Environment variables for the command."},
        {.name = "cwd", .description = "Working directory for the command."},
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    const Value& attrs = ItemAttributes(item);
    std::string creates = StringAttr(attrs, "creates");
    std::string unless = StringAttr(attrs, "unless");
    std::string probe;
    if (!creates.empty()) {
      probe += "if [ -e " + ShellQuote(creates) + " ]; then echo satisfied=1; fi\n";
    }
    if (!unless.empty()) {
      // In a subshell, in the command's directory and environment, with no
      // input and its output discarded: only its exit status counts.
      probe += "if (" + Prelude(attrs) + "sh -c " + ShellQuote(unless) +
               ") </dev/null >/dev/null 2>&1; then echo satisfied=1; fi\n";
    }
    if (!probe.empty()) probe += "echo guarded=1\n";
    return probe;
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r;
    if (facts.count("guarded")) {
      // The guard decides: while it holds there is nothing to do.
      r.exists = facts.count("satisfied") > 0;
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
    step.script = Prelude(req.after) + StringAttr(req.after, "run") + "\n";
    return step;
  }

 private:
  // `cd` to the working directory and export the environment.
  static std::string Prelude(const Value& attrs) {
    std::string out;
    std::string cwd = StringAttr(attrs, "cwd");
    if (!cwd.empty()) out += "cd " + ShellQuote(cwd) + " || exit 1; ";
    auto env = attrs.find("environment");
    if (env != attrs.end() && env->is_object()) {
      for (const auto& [name, value] : env->items()) {
        // Only valid names reach `export`; anything else fails the command.
        if (!IsShellName(name)) return "echo " + ShellQuote("invalid environment variable name: " + name) +
                           " >&2; exit 1; ";
        out += "export " + name + "=" + ShellQuote(value.get<std::string>()) + "; ";
      }
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeCommandType() { return std::make_unique<CommandType>(); }

}  // namespace mfgctl
