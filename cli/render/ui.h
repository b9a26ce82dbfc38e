#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "engine/apply/walker.h"
#include "engine/model/diagnostics.h"
#include "engine/model/resource.h"
#include "engine/plan/plan.h"
#include "engine/provider/registry.h"
#include "engine/state/state.h"

namespace mfgctl {

/// Everything a command shows a person or a pipeline. Two renderings: text
/// like Terraform's (colour only on a terminal, never with NO_COLOR) and
/// JSON lines shaped like `terraform -json` (documented in docs/cli.md).
class Ui {
 public:
  virtual ~Ui() = default;

  virtual void ShowDiagnostics(const Diagnostics& diags) = 0;
  /// The planned changes and the summary line. `desired`, when given,
  /// supplies readable new values behind digests (never for secrets).
  virtual void ShowPlan(const Plan& plan, const ProviderRegistry& providers,
                        const DesiredConfig* desired) = 0;
  /// What a refresh-only plan found changed outside mfgctl (its updates)
  /// or deleted there (its deletions), attribute by attribute, and the
  /// summary line.
  virtual void ShowDrift(const Plan& drift, const ProviderRegistry& providers) = 0;
  virtual void ShowApplyEvent(const ApplyEvent& event) = 0;
  virtual void ShowApplySummary(const ApplyResult& result, const Plan& plan) = 0;
  /// The plant's outputs, as `NAME = VALUE` (Terraform's `Outputs:`);
  /// sensitive ones withheld.
  virtual void ShowOutputs(const std::vector<Output>& outputs) = 0;
  /// A plain informational line.
  virtual void Info(const std::string& message) = 0;
};

std::unique_ptr<Ui> MakeTextUi(std::ostream& out, std::ostream& err, bool color);
std::unique_ptr<Ui> MakeJsonUi(std::ostream& out);

/// Text or JSON as asked; colour when stdout is a terminal and NO_COLOR is
/// unset.
std::unique_ptr<Ui> MakeUi(bool json);

/// One resource's recorded state, attributes aligned the way plans show
/// them (digests short, secrets redacted), for `show` and `state show`.
std::string RenderResourceState(const ResourceState& r, const ResourceTypeSchema* schema);

/// Outputs as Terraform's `output -json` has them: by name, `value`,
/// `type` and `sensitive`; a sensitive one without its value, one not yet
/// known with `"known": false`.
Value OutputsJson(const std::vector<Output>& outputs);
/// `NAME = VALUE`, the value JSON, `(sensitive)` or `(known after apply)`.
std::string RenderOutput(const Output& output);

/// An attribute's value as the UI shows it: secrets redacted, digests short,
/// strings JSON-quoted. `readable`, if not null, is the plain desired value
/// behind a digest.
std::string RenderValue(const AttributeSchema* schema, const Value& v, const Value* readable);

}  // namespace mfgctl
