#include "tests/fuzz/sandbox.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "blueprints/expressions.h"
#include "cli/providers.h"
#include "cli/render/ui.h"

namespace mfgctl {
namespace {

namespace fs = std::filesystem;

void Write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// The local files and folders the docs' examples name, so inputs mutated
// from them reach file reading, template rendering and directory digests.
void MakeFiles(const fs::path& root) {
  Write(root / "build/collect", "#!/bin/sh\nexec collect\n");
  Write(root / "keys/plant-mirror.asc", "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
  Write(root / "keys/id", "key\n");
  Write(root / "keys/id_ed25519", "key\n");
  Write(root / "keys/known_hosts", "");
  Write(root / "known_hosts", "");
  Write(root / "collector.service.tmpl",
        "[Service]\nExecStart=/opt/collector --site ${var.site} --port ${var.port}\n"
        "Environment=HOME=${env.HOME} $${literal}\n");
  Write(root / "fuzz.tmpl", "");
  Write(root / "bundle/mfg-demo_1.0-1_all.deb", "!<arch>\n");
  Write(root / "bundle/.hidden", "skipped\n");
  fs::create_directories(root / "bundle/subdir");
  Write(root / "firmware/plc-2.1.bin", std::string(100, '\x7f'));
  Write(root / "wheels/mfg_demo_lib-1.0-py3-none-any.whl", "PK");
  Write(root / "work-instructions/loto.txt", "lock out, tag out\n");
  Write(root / "secrets/db_password", "a-secret\n");
  fs::permissions(root / "secrets/db_password", fs::perms::owner_read | fs::perms::owner_write);
}

// `${...}` parsing and evaluation on their own: offsets stay inside the
// text; references with a name of odd length fail, to reach the error path.
void RunExpressions(std::string_view text) {
  std::vector<TemplatePart> parts;
  std::string error;
  size_t offset = 0;
  if (!ParseTemplate(text, &parts, &error, &offset)) {
    if (offset > text.size()) throw std::logic_error("error offset past the end");
    return;
  }
  for (const auto& p : parts) {
    if (p.offset > text.size()) throw std::logic_error("part offset past the end");
  }
  ReferenceResolver resolve = [](const TemplatePart& ref, Value* v, std::string* err) {
    if (ref.text.size() % 2) {
      *err = "odd";
      return false;
    }
    *v = ref.kind == TemplatePart::Kind::kResource ? Value(ref.attribute) : Value(1883);
    return true;
  };
  Value out;
  const TemplatePart* failed = nullptr;
  EvaluateTemplate(parts, resolve, &out, &error, &failed);
}

}  // namespace

FuzzSandbox::FuzzSandbox(fs::path root) : root_(std::move(root)) {
  fs::remove_all(root_);
  MakeFiles(root_);
  if (const char* home = std::getenv("HOME")) {
    had_home_ = true;
    old_home_ = home;
  }
  setenv("HOME", (root_ / "home").c_str(), 1);
  Diagnostics diags;
  if (!RegisterProviders(&registry_, &connections_, &diags)) {
    throw std::runtime_error("cannot register the providers");
  }
  schemas_ = SchemasOf(registry_);
}

FuzzSandbox::~FuzzSandbox() {
  if (had_home_) {
    setenv("HOME", old_home_.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  std::error_code ec;
  fs::remove_all(root_, ec);
}

bool FuzzSandbox::Run(std::string_view input, Diagnostics* diags) {
  constexpr std::string_view kTemplateMark = "\n#%template\n";
  size_t mark = input.find(kTemplateMark);
  std::string_view blueprint = input.substr(0, mark);
  std::string_view tmpl =
      mark == std::string_view::npos ? "" : input.substr(mark + kTemplateMark.size());
  Write(root_ / "plant.yaml", blueprint);
  Write(root_ / "fuzz.tmpl", tmpl);
  RunExpressions(input);

  LoadOptions load;
  load.files = {(root_ / "plant.yaml").string()};
  load.getenv = [](const std::string& name) -> std::optional<std::string> {
    if (name == "MFGCTL_SECRET_API_TOKEN") return "t0ken";
    if (name == "SITE") return "line-1";
    return std::nullopt;
  };
  DesiredConfig config;
  bool loaded = LoadBlueprint(load, schemas_, &config, diags);
  // As validate shows them: each with its source line and a caret. (Not
  // as JSON: a byte that is not UTF-8 in a message still throws there.)
  std::ostringstream out, err;
  MakeTextUi(out, err, /*color=*/false)->ShowDiagnostics(*diags);
  return loaded;
}

}  // namespace mfgctl
