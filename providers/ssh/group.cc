// host.group: a local group with an optional fixed gid.
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

class GroupType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.group";
    s.description = "A local group.";
    s.attributes = {
        {.name = "gid", .type = AttrType::kNumber,
         .description = "Group id; unset: the host picks one, which is recorded.",
         .computed = true},
        StateAttribute(),
    };
    return s;
  }

  std::string Probe(const ReadItem& item) const override {
    return "if e=$(getent group " + ShellQuote(item.address.name) +
           "); then echo exists=1; echo \"gid=$(echo \"$e\" | cut -d: -f3)\"; "
           "else echo exists=0; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem&) const override {
    ReadResult r = ExistenceOf(facts);
    if (r.exists && facts.count("gid")) r.attributes["gid"] = std::stoll(facts.at("gid"));
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    std::string name = ShellQuote(req.address.name);
    auto gid = req.after.find("gid");
    std::string gid_flag =
        gid == req.after.end() ? "" : " -g " + ShellQuote(std::to_string(gid->get<long long>()));
    switch (req.action) {
      case Action::kDelete: step.script = "groupdel " + name + "\n"; break;
      case Action::kUpdate: step.script = "groupmod" + gid_flag + " " + name + "\n"; break;
      default: step.script = "groupadd" + gid_flag + " " + name + "\n"; break;
    }
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeGroupType() { return std::make_unique<GroupType>(); }

}  // namespace mfgctl
