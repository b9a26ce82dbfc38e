#include "tests/fuzz/sandbox.h"

#include <sys/stat.h>

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
  std::vector<InterpolationPart> parts;
  std::string error;
  size_t offset = 0;
  if (!ParseInterpolation(text, &parts, &error, &offset)) {
    if (offset > text.size()) throw std::logic_error("error offset past the end");
    return;
  }
  for (const auto& p : parts) {
    if (p.offset > text.size()) throw std::logic_error("part offset past the end");
  }
  ReferenceResolver resolve = [](const InterpolationPart& ref, Value* v, std::string* err) {
    if (ref.text.size() % 2) {
      *err = "odd";
      return false;
    }
    *v = ref.kind == InterpolationPart::Kind::kResource ? Value(ref.attribute) : Value(1883);
    return true;
  };
  Value out;
  const InterpolationPart* failed = nullptr;
  EvaluateInterpolation(parts, resolve, &out, &error, &failed);
}

// A name an input gives, kept inside `fuzz/`: no `..`, not absolute, not
// empty.
fs::path Inside(std::string_view name) {
  fs::path out;
  for (const auto& part : fs::path(name).relative_path()) {
    if (part != ".." && part != "." && !part.empty()) out /= part;
  }
  return out.empty() ? fs::path("_") : out;
}

// The `#%file`, `#%dir`, `#%fifo` and `#%link` lines of `spec` (see the
// header), made under `dir`. Errors (a name used twice) are ignored: the
// blueprint sees whatever was made.
void MakeFuzzFiles(const fs::path& dir, std::string_view spec) {
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  std::ofstream file;  // open while a `#%file` takes lines
  bool first_line = true;
  for (size_t start = 0; start < spec.size();) {
    size_t end = spec.find('\n', start);
    std::string_view line = spec.substr(start, end == std::string_view::npos ? end : end - start);
    start = end == std::string_view::npos ? spec.size() : end + 1;
    auto arg = [&](std::string_view mark) -> std::optional<std::string_view> {
      if (line.substr(0, mark.size()) != mark) return std::nullopt;
      return line.substr(mark.size());
    };
    if (line.substr(0, 2) == "#%") file.close();
    if (auto name = arg("#%file ")) {
      fs::path path = dir / Inside(*name);
      fs::create_directories(path.parent_path(), ec);
      file.open(path, std::ios::binary);
      first_line = true;
    } else if (auto name = arg("#%dir ")) {
      fs::create_directories(dir / Inside(*name), ec);
    } else if (auto name = arg("#%fifo ")) {
      fs::path path = dir / Inside(*name);
      fs::create_directories(path.parent_path(), ec);
      mkfifo(path.c_str(), 0600);
    } else if (auto both = arg("#%link ")) {
      size_t space = both->find(' ');
      if (space == std::string_view::npos) continue;
      fs::path path = dir / Inside(both->substr(0, space));
      fs::create_directories(path.parent_path(), ec);
      fs::create_symlink(Inside(both->substr(space + 1)), path, ec);
    } else if (file.is_open()) {
      if (!first_line) file << '\n';
      file << line;
      first_line = false;
    }
  }
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
  // The files come after the template (or the blueprint): the first line
  // that starts a file, folder, FIFO or link.
  size_t files = std::string_view::npos;
  for (std::string_view m : {"\n#%file ", "\n#%dir ", "\n#%fifo ", "\n#%link "}) {
    std::string_view rest = mark == std::string_view::npos ? blueprint : tmpl;
    size_t at = rest.find(m);
    if (at != std::string_view::npos && (files == std::string_view::npos || at < files)) {
      files = at;
    }
  }
  std::string_view spec;
  if (files != std::string_view::npos) {
    std::string_view& rest = mark == std::string_view::npos ? blueprint : tmpl;
    spec = rest.substr(files + 1);
    rest = rest.substr(0, files);
  }
  Write(root_ / "plant.yaml", blueprint);
  Write(root_ / "fuzz.tmpl", tmpl);
  MakeFuzzFiles(root_ / "fuzz", spec);
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
  // As validate shows them: each with its source line and a caret, and as
  // --json lines (a message may quote bytes that are not UTF-8).
  std::ostringstream out, err, json;
  MakeTextUi(out, err, /*color=*/false)->ShowDiagnostics(*diags);
  MakeJsonUi(json)->ShowDiagnostics(*diags);
  return loaded;
}

}  // namespace mfgctl
