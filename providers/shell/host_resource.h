#pragma once

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/provider/provider.h"

namespace mfgctl {

/// What a probe printed about one resource: `key=value` lines.
using FactMap = std::map<std::string, std::string>;

/// A local file a step copies to the host before its script runs.
struct HostUpload {
  std::string local_path;
  std::string name;  // the file's name in the step's upload_dir
  /// Sha256Digest the plan was made with: bytes sent that hash otherwise
  /// (the local file changed since) fail the step.
  std::string digest;
};

/// A shell script to run on the host, with what goes to its standard input.
struct HostStep {
  std::string script{};
  std::string input{};
  /// Copied over SFTP into `upload_dir` before the script runs, each checked
  /// against its digest as it is sent; the script moves them into place.
  /// The provider first empties the directory, gives it to the login user
  /// and makes sure its filesystem has room; it removes the directory when
  /// anything fails.
  std::string upload_dir{};
  std::vector<HostUpload> uploads{};
};

/// One resource type on hosts reached through a POSIX shell (the `ssh`
/// provider's, and any other provider's that drives a host's tools over its
/// SSH session). Everything here is pure text in, text out: the
/// connections (HostConnections) belong to the run, so each type is
/// testable alone.
class HostResourceType {
 public:
  virtual ~HostResourceType() = default;

  virtual ResourceTypeSchema Schema() const = 0;
  /// POSIX shell that prints this resource's live facts as `key=value` lines
  /// (values on one line). Part of the host's single read script.
  virtual std::string Probe(const ReadItem& item) const = 0;
  /// One probe for several items of this type at once, where that saves
  /// work on the host (one dpkg-query for all packages). It prints each
  /// item's marker (ItemMarker) itself. Empty: probe item by item.
  virtual std::string BatchProbe(
      const std::vector<std::pair<size_t, const ReadItem*>>& /*items*/) const {
    return "";
  }
  /// The live state those facts describe, canonical.
  virtual ReadResult Interpret(const FactMap& facts, const ReadItem& item) const = 0;
  /// The shell that carries out one action.
  virtual HostStep Step(const ApplyRequest& req) const = 0;
  /// What the plan should say about a change (Provider::ModifyPlan).
  virtual ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& /*req*/) const { return {}; }
  /// One step for several actions of a `batch_apply` type (one
  /// package-manager call for all packages); empty script: one by one.
  virtual HostStep BatchStep(const std::vector<const ApplyRequest*>& /*reqs*/) const {
    return {};
  }
};

/// The attributes the probe reads or the state remembers, for the item
/// being read: desired when the blueprint has it, else prior.
const Value& ItemAttributes(const ReadItem& item);

/// One probe for many paths: a single `stat` (and, for regular files, a
/// single `sha256sum`) for all of them, each item's facts printed under its
/// marker as Probe would. `regular_file` picks file or directory checks.
std::string BatchPathProbe(const std::vector<std::pair<size_t, const ReadItem*>>& items,
                           bool regular_file);

/// The names of items read in one batch, for the one command that reads
/// them and the awk that hands its output back to each: `words` as shell
/// arguments (" 'a' 'b'"), `want` as pairs of item number and name
/// ("0 a 1 b") to split on spaces (package and user names have none).
struct BatchNames {
  std::string words;
  std::string want;
};
BatchNames NamesOf(const std::vector<std::pair<size_t, const ReadItem*>>& items);

/// Shell lines printing `mode=`, `owner=`, `group=` of "$p".
std::string StatProbe();

/// Shell that applies mode, owner and group settings in `attrs` to "$t".
std::string OwnershipCommands(const Value& attrs);

/// Where most Interprets start: an `error` fact fails the resource (no
/// attributes); otherwise it exists when the probe printed `exists=1`.
ReadResult ExistenceOf(const FactMap& facts);

/// The live state of a path resource from its probe's facts: an `error`
/// fact fails it; `exists=1` makes it exist with the facts named in `keys`
/// as attributes (a `mode` normalized to four octal digits).
ReadResult PathResult(const FactMap& facts, std::initializer_list<const char*> keys);


}  // namespace mfgctl
