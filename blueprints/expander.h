#pragma once

// Internal to blueprints/: the state of one blueprint load, shared by the
// loader (top-level keys, variables, providers), the sections (gateways,
// raw resources) and the evaluator (attributes, references, dependencies).

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "blueprints/blueprint.h"
#include "blueprints/expressions.h"
#include "blueprints/source_node.h"
#include "blueprints/template_library.h"

namespace mfgctl {

/// A resource found in a section, before its attributes are evaluated.
struct PendingResource {
  Resource resource;
  const ResourceTypeSchema* schema = nullptr;
  std::vector<std::pair<std::string, const SourceNode*>> attributes;  // name, value
  std::vector<const SourceNode*> after;
  const SourceNode* lifecycle = nullptr;  // `lifecycle:`, when written
  enum class Eval { kPending, kRunning, kDone } eval = Eval::kPending;

  /// Where attribute `name` is written, or null.
  const SourceNode* Written(std::string_view name) const {
    for (const auto& [n, node] : attributes) {
      if (n == name) return node;
    }
    return nullptr;
  }
};

/// Adds `address` to what `r` depends on. Repeats are removed once all
/// dependencies are known (checking each time made a long `after:` list
/// quadratic).
void DependOn(Resource* r, const std::string& address);

/// A local path as written in a blueprint, made absolute: relative to the
/// folder of the file it was written in; `~/` is $HOME.
std::string AbsoluteLocalPath(const std::string& path, const SourcePos& written_at);

/// Where the expression at `offset` in a scalar was written, as near as
/// the YAML positions allow (exact for single-line scalars).
SourcePos PosAt(const SourceNode& node, size_t offset);

class Expander {
 public:
  Expander(const LoadOptions& options, const BlueprintSchemas& schemas, Diagnostics* diags)
      : options_(options), schemas_(schemas), diags_(diags) {}

  /// Parses every file and fills `out`; false on any error.
  bool Run(DesiredConfig* out);

 private:
  // loader.cc
  bool LoadFile(const SourceNode& root);
  bool LoadVariables(const SourceNode& node);
  bool ApplyVariableOverrides();
  bool LoadProviders(const SourceNode& node);
  /// The `providers:` blocks' own settings (not their target defaults),
  /// once variables and secrets are known.
  bool EvaluateProviders();
  /// Evaluates the entries of `block` that `schema` declares into
  /// `config->settings` (local paths absolute, files read, what derives
  /// from a secret marked sensitive); entries it does not declare are left.
  bool EvaluateSettings(const SourceNode& block, const ResourceTypeSchema& schema,
                        ProviderConfig* config);
  bool LoadSecrets(const SourceNode& node);

  // state_block.cc
  /// The `state:` block: which backend keeps the plant's state, and its
  /// settings (checked now, evaluated by EvaluateState).
  bool LoadState(const SourceNode& node);
  bool EvaluateState();

  // instances.cc
  class InstanceCopier;
  struct Scope;  // evaluate.cc
  /// The template in `dir`, loaded once.
  const Template* TemplateAt(const std::string& dir, const SourcePos& used_at);
  /// The entries of a `use:` (the plant's, or a template's for instances
  /// named `prefix.NAME`); `stack` holds the folders of the templates
  /// being instantiated, to find a cycle.
  bool ExpandUse(const SourceNode& node, const std::string& prefix,
                 std::vector<std::string>* stack);
  bool Instantiate(const SourceNode& key, const SourceNode& body, const std::string& prefix,
                   std::vector<std::string>* stack);
  /// The type of each parameter passed as an expression, once evaluated.
  bool CheckPassedExpressions();
  /// The text of a local file an instance's attribute interpolates
  /// (`template: ./x.tmpl` inside a template) with the template's rules: its
  /// `${param...}` substituted, its hosts renamed, nothing outside it
  /// reached. True, leaving the text, for a plant's own attribute.
  bool SubstituteInstanceText(const SourceNode& at, std::string* text);
  /// `${use.INSTANCE.OUTPUT}`: the output evaluated where it is used.
  bool ResolveUse(const InterpolationPart& ref, Scope* scope, Value* out, std::string* error);
  /// Any node as a value: scalars evaluated, unquoted numbers and bools
  /// typed, lists and maps as they are.
  bool EvaluateFree(const SourceNode& node, Scope* scope, Value* out);
  /// The plant's own `outputs:`, and their values once resources are.
  bool LoadOutputs(const SourceNode& node);
  bool EvaluateOutputs();

  // sections.cc
  /// One entry of a host section: its name and attributes (null in the
  /// list form).
  struct SectionEntry {
    const SourceNode* name;
    const SourceNode* attributes;
  };
  bool LoadGatewayGroups(const SourceNode& node,
                         const std::vector<const SourceNode*>& gateway_sections);
  bool ExpandGateways(const SourceNode& node);
  /// One host: its connection settings (the provider block's, its groups',
  /// its own) and its host sections; `kind` names it in messages
  /// ("gateway"), `more_keys` are the other sections its kind has.
  bool ExpandHost(const SourceNode& name, const SourceNode& body, const char* kind,
                  const std::vector<std::string>& more_keys);

  // hypervisors.cc
  /// Hypervisors: hosts with every gateway section, plus libvirt's
  /// networks, pools, volumes and vms.
  bool ExpandHypervisors(const SourceNode& node);
  bool ExpandLibvirt(const std::string& host, const SourceNode& body);
  /// A vm entry as the libvirt.vm resource takes it: disks written as
  /// volume names become `{volume: NAME}`, `cloud_init:` becomes its
  /// attributes (user_data, user_data_template, meta_data, ...).
  bool NormalizeVm(const SourceNode& body, const SourceNode** out);
  /// After evaluation: defaults (networks and pools active and started at
  /// boot, VMs running), each disk's pool and format from `volumes:`, a
  /// backing volume's format, and the order: volumes after their pool and
  /// backing, VMs after their volumes and networks, all after the host's
  /// packages.
  bool WireHypervisors();
  /// A network's `ip:` and `dhcp:` as libvirt reads them back.
  bool CheckNetwork(const PendingResource& p);
  // cloud.cc
  /// `cloud:`: the target `cloud` and its services' resources (Pub/Sub
  /// topics and subscriptions), each with its full name made from the
  /// project (`projects/P/topics/T`).
  bool ExpandCloud(const SourceNode& node);
  /// After evaluation: a subscription after the topics it names.
  bool WireCloud();
  /// `package_bundle: DIR`, as the `bundles:` entry it is short for.
  SectionEntry PackageBundleEntry(const SourceNode& key, const SourceNode& value);
  /// A containers entry: with `image_id` referencing the `images:` entry
  /// (by entry name, from its `name:` as written) whose image it runs.
  bool AddContainer(const std::string& host, const SectionEntry& entry,
                    const std::unordered_map<std::string, std::string>& images);
  /// A python_envs entry with `wheels: DIR`: DIR as a bundle of its own,
  /// and the venv installing from it.
  bool AddPythonEnvWithWheels(const std::string& host, const SectionEntry& entry,
                              const SourceNode& wheels);
  /// A section entry's name as written, or, holding `${var...}`, the
  /// name it evaluates to (a plant of a fleet names its own paths); null
  /// with an error for a secret or a resource's attribute in it.
  const SourceNode* NameOf(const SourceNode& name);
  bool CollectSection(const SourceNode& key, const SourceNode& body,
                      std::vector<SectionEntry>* merged,
                      std::unordered_map<std::string, size_t>* index);
  /// `scalar_attribute`: the attribute a bare scalar entry sets (sysctl's
  /// `value`), or null when entries must be maps.
  bool AddHostResource(const std::string& host, const std::string& type,
                       const char* scalar_attribute, const SectionEntry& entry);
  bool ExpandRawResources(const SourceNode& node);
  bool AddResource(PendingResource pending);
  void AddImplicitDependencies();
  /// After evaluation, from attribute values: owners and groups before what
  /// they own; packages after their host's apt sources; Python environments
  /// after their host's packages.
  void AddValueDependencies();

  // evaluate.cc
  /// Where a value is evaluated: on which host (`kind[name]` references are
  /// on it), for which pending resource (SIZE_MAX: a host's settings, where
  /// resource references cannot be used), and whether anything it used
  /// derives from a secret, which makes the value sensitive.
  struct Scope {
    std::string host;
    size_t owner = SIZE_MAX;
    bool sensitive = false;
    /// It references a computed attribute not known before apply.
    bool deferred = false;
    /// Resource references are read without an owner to depend on them
    /// (the plant's outputs).
    bool reads_resources = false;
  };
  bool EvaluateAll();
  /// Evaluates a resource's attributes once, after those of the resources
  /// they reference (recursively: `evaluating_` is the chain).
  bool EvaluateResource(size_t index);
  bool EvaluateAttributesOf(size_t index);
  /// The error for a reference, written at `pos`, from the end of
  /// `evaluating_` to `next` that makes the chain too long: the summary
  /// names the chain's ends, the detail every link and where it is declared.
  void ReportReferenceChainTooDeep(size_t next, const SourcePos& pos);
  /// `path` names the attribute in errors; empty: the schema's name (a
  /// nested attribute's is its whole path, `lifecycle.rule[0].days`).
  bool EvaluateAttribute(const SourceNode& value, const AttributeSchema& schema, Scope* scope,
                         Value* out, const std::string& path = "");
  /// An object whose attributes `schema` declares: keys checked, each
  /// evaluated, required ones present.
  bool EvaluateObject(const SourceNode& value, const AttributeSchema& schema,
                      const std::string& path, Scope* scope, Value* out);
  bool EvaluateScalar(const SourceNode& node, Scope* scope, Value* out);
  /// Evaluates `${...}` in text; `pos_at` maps an offset in it to where it
  /// was written, for errors.
  bool EvaluateText(const std::string& text, const std::function<SourcePos(size_t)>& pos_at,
                    Scope* scope, Value* out);
  /// The value of `${secret.NAME}`: MFGCTL_SECRET_NAME from the
  /// environment, else the file the blueprint's `secrets:` names for it.
  bool ResolveSecret(const std::string& name, Value* out, std::string* error);
  /// A local directory attribute: `path` becomes absolute and `files` the
  /// digest of each regular file in it, by name.
  bool DigestLocalDirectory(const SourceNode& value, Value* path, Value* files);
  /// The content of the local file an attribute names (rendered when it is
  /// a template).
  bool ReadLocalFile(const SourceNode& value, const AttributeSchema& schema, Scope* scope,
                     Value* out);
  /// The pending resource an address written on `host` names (`kind[name]`
  /// is on `host` itself; `*full` gets the whole address), or SIZE_MAX and
  /// `error`: "WHAT undeclared resource ...", with a did-you-mean.
  size_t FindDeclared(const std::string& written, const std::string& host,
                      const std::string& what, std::string* full, std::string* error) const;
  bool ResolveAfter();
  /// Makes `notify` addresses full, checks them, and puts each notified
  /// resource after its notifier.
  bool ResolveNotify();
  bool CheckCycles();

 public:
  /// Typed conversion of one node, shared by targets and variables.
  bool CheckKeys(const SourceNode& map, const std::vector<std::string>& allowed,
                 const std::string& what);
  bool ExpectMap(const SourceNode& node, const std::string& what);

 private:
  const LoadOptions& options_;
  const BlueprintSchemas& schemas_;
  Diagnostics* diags_;

  std::vector<std::unique_ptr<SourceDocument>> documents_;
  /// The sections to expand: the files' own, then the instances'.
  struct Sections {
    std::vector<const SourceNode*> gateways, groups, resources, hypervisors, cloud, use;
  };
  Sections sections_;
  /// Where a template named (not a path) is looked for, in order.
  std::vector<std::string> template_search_;
  std::map<std::string, std::unique_ptr<Template>> templates_;  // by folder
  struct Instance {
    const SourceNode* decl = nullptr;  // its name under `use:`
    const Template* t = nullptr;
    std::map<std::string, const SourceNode*> with;  // the parameters passed
    std::string template_name;
    struct Out {
      const SourceNode* value = nullptr;  // in the instance's copy
      bool sensitive = false;
    };
    std::map<std::string, Out> outputs;
  };
  std::map<std::string, Instance> instances_;  // by full name: line1, line1.broker
  std::map<const SourceDocument*, std::string> instance_of_copy_;  // its copy → its name
  /// Parameters passed as `${...}`, whose type is known once evaluated.
  struct PassedExpression {
    const Template* t;
    const TemplateParameter* parameter;
    const SourceNode* value;
  };
  std::vector<PassedExpression> passed_expressions_;
  std::vector<std::string> outputs_evaluating_;  // INSTANCE.OUTPUT, to find a cycle
  std::vector<Output> plant_outputs_;
  std::vector<const SourceNode*> plant_output_nodes_;
  std::string plant_;
  const SourceNode* plant_node_ = nullptr;
  struct Variable {
    std::string type = "string";
    Value value;
    bool has_value = false;
    bool sensitive = false;
    const SourceNode* decl = nullptr;
  };
  std::map<std::string, Variable> variables_;
  /// `secrets:` declarations: the file each is read from (empty: only the
  /// environment).
  struct Secret {
    std::string file;
    const SourceNode* decl = nullptr;
  };
  std::map<std::string, Secret> secrets_;
  /// Every secret once read, declared or not: each is read once.
  std::map<std::string, std::string> secret_cache_;
  /// The plain text of every secret and sensitive variable, for scrubbing.
  std::vector<std::string> secret_values_;
  std::map<std::string, const SourceNode*> provider_blocks_;  // by provider name
  /// What each block configures its provider with (settings evaluated by
  /// EvaluateProviders), by provider name.
  std::map<std::string, ProviderConfig> provider_configs_;
  /// The `state:` block and what it evaluated to (backend in `provider`).
  const SourceNode* state_block_ = nullptr;
  std::optional<ProviderConfig> state_config_;
  /// The bodies of the gateway groups each host is a member of, in order.
  std::map<std::string, std::vector<const SourceNode*>> group_layers_;
  std::map<std::string, Target> targets_;
  std::vector<PendingResource> pending_;
  /// Nodes made for short forms (`package_bundle:`); pending resources
  /// point at them, so they never move.
  std::deque<SourceNode> synthesized_;
  std::unordered_map<std::string, size_t> by_address_;
  /// The resources being evaluated, each referenced by the one before it.
  std::vector<size_t> evaluating_;
};

}  // namespace mfgctl
