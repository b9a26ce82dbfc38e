#pragma once

// Blueprint templates: a folder with a template.yaml that declares typed
// parameters, the sections it makes (gateways, hypervisors, cloud,
// resources, use) and its outputs. A plant instantiates one under `use:`.

#include <memory>
#include <string>
#include <vector>

#include "blueprints/source_node.h"
#include "engine/model/diagnostics.h"
#include "engine/model/value.h"

namespace mfgctl {

/// The types a parameter may have.
inline const std::vector<std::string> kParameterTypes = {"string", "number", "bool", "list",
                                                        "map"};

struct TemplateParameter {
  std::string name;
  std::string type = "string";
  std::string description;
  /// The default as written, or null: the parameter is required.
  const SourceNode* default_value = nullptr;
  const SourceNode* decl = nullptr;  // the parameter's key
};

struct TemplateOutput {
  std::string name;
  std::string description;
  const SourceNode* value = nullptr;
  bool sensitive = false;
};

/// One parsed template.yaml; the nodes point into `doc`.
struct Template {
  std::unique_ptr<SourceDocument> doc;
  std::string name;
  std::string description;
  std::string dir;  // the folder holding template.yaml
  std::vector<TemplateParameter> parameters;
  std::vector<TemplateOutput> outputs;

  const TemplateParameter* Parameter(const std::string& name) const;
};

/// The keys a template.yaml may have beside `mfgctl`, `template`,
/// `description`, `parameters` and `outputs`: the sections it makes.
inline const std::vector<std::string> kTemplateSections = {"gateways", "hypervisors", "cloud",
                                                           "resources", "use"};

/// Why `value`, as written, is not of the parameter's type ("parameter
/// "mqtt_port" must be a number, got "x""), or "" when it is.
std::string ParameterTypeError(const TemplateParameter& p, const SourceNode& value);
/// The same for a value an expression gave.
std::string ParameterValueTypeError(const TemplateParameter& p, const Value& value);

/// Reads and checks `dir`/template.yaml: the version, the name, each
/// parameter's type and default, each output. Errors name file:line:col.
bool LoadTemplate(const std::string& dir, Template* out, Diagnostics* diags);

/// The folder of the template `written` names, at `written_at`: a path
/// (`./templates/edge-gateway`, relative to the file it is written in) or a
/// name looked up in each of `search` in order (the project's templates/,
/// then the shipped library). Empty, with `error`, when there is none.
std::string FindTemplate(const std::string& written, const SourcePos& written_at,
                         const std::vector<std::string>& search, std::string* error);

/// Every template in the folders of `search`, by name; one name found in
/// two folders is the first one's (the project's hides the library's).
std::vector<Template> ListTemplates(const std::vector<std::string>& search, Diagnostics* diags);

/// Where the shipped library is: $MFGCTL_TEMPLATE_LIBRARY, else the
/// templates/ folder of the source tree mfgctl was built from.
std::string ShippedTemplateLibrary();

}  // namespace mfgctl
