// host.image: a container image on the host, loaded from a local archive
// (`podman save` / `docker save` output: the air-gapped path) or pulled from
// a plant registry.
//
// The archive goes up with the bundle machinery (SFTP into a staging
// directory, its SHA-256 checked as it is sent, the filesystem's room
// checked first) and is loaded; a marker beside it records which image ID
// that archive gave, so a read knows whether the image under the name is
// still the archive's (a retag by hand is drift) without hashing anything
// on the host.
#include "engine/model/digest.h"
#include "providers/ssh/container_engine.h"
#include "providers/ssh/host_types.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kImageRoot[] = "/var/lib/mfgctl/images";

// Where the marker of image `name` lives: named by the name's digest (a
// reference holds `/` and `:`).
std::string MarkerOf(const std::string& name) {
  return std::string(kImageRoot) + "/" + Sha256Digest(name).substr(7, 16);
}

class ImageType : public HostResourceType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "host.image";
    s.description =
        "A container image on the host: loaded from a local archive (podman save / docker save) "
        "or pulled from a registry.";
    s.applies_alone = true;  // an upload and a load may take minutes
    s.attributes = {
        {.name = "name", .required = true, .force_new = true,
         .description = "The image reference containers name (`localhost/collector:1.4`)."},
        {.name = "archive", .local_path = true, .digest_into = "archive_sha256",
         .plan_only = true,
         .description = "A local image archive (`podman save` or `docker save` output), "
                        "uploaded and loaded; the image is never pulled."},
        {.name = "archive_sha256",
         .description = "The SHA-256 of the archive (computed from `archive`); a changed "
                        "archive is loaded again."},
        {.name = "pull", .plan_only = true, .one_of = {"missing", "never"},
         .description = "Without an archive: `missing` (default) pulls the image when the host "
                        "lacks it; `never` fails instead."},
        EngineAttribute(),
        {.name = "id", .description = "The image's ID (`sha256:...`).", .computed = true},
        StateAttribute(),
    };
    return s;
  }

  // Loading another archive gives the name another image: its ID (and the
  // containers that run it) wait for apply.
  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    if (req.action == Action::kUpdate) resp.renews.push_back("id");
    return resp;
  }

  std::string Probe(const ReadItem& item) const override {
    const Value& attrs = ItemAttributes(item);
    std::string name = StringAttr(attrs, "name");
    return EngineShell(attrs) + "n=" + ShellQuote(name) + "; m=" + ShellQuote(MarkerOf(name)) +
           "\n"
           "if [ -z \"$e\" ]; then echo exists=0\n"
           "elif id=$(\"$e\" image inspect --format '{{.Id}}' \"$n\" 2>/dev/null) && "
           "[ -n \"$id\" ]; then echo exists=1; echo \"id=$id\"\n"
           "  [ -f \"$m\" ] && [ \"$(sed -n 1p \"$m\")\" = \"$id\" ] && "
           "echo \"archive=$(sed -n 2p \"$m\")\"\n"
           "else echo exists=0; fi\n";
  }

  ReadResult Interpret(const FactMap& facts, const ReadItem& item) const override {
    ReadResult r = ExistenceOf(facts);
    if (!r.exists) return r;
    const Value& attrs = ItemAttributes(item);
    r.attributes["name"] = StringAttr(attrs, "name");
    r.attributes["id"] = CanonicalImageId(facts.count("id") ? facts.at("id") : "");
    // The archive it was loaded from, while the name still holds what it
    // gave; else unknown: loaded again.
    if (auto a = facts.find("archive"); a != facts.end()) r.attributes["archive_sha256"] = a->second;
    return r;
  }

  HostStep Step(const ApplyRequest& req) const override {
    HostStep step;
    const Value& attrs = req.action == Action::kDelete ? req.before : req.after;
    std::string name = StringAttr(attrs, "name");
    std::string n = ShellQuote(name), m = ShellQuote(MarkerOf(name));
    if (req.action == Action::kDelete) {
      // An image a container still uses stays: the engine refuses, and says so.
      step.script = EngineShell(attrs) + "if [ -n \"$e\" ]; then \"$e\" image inspect " + n +
                    " >/dev/null 2>&1 && { \"$e\" rmi " + n + " >/dev/null || exit 1; }; fi\n"
                    "rm -f " + m + "\n";
      return step;
    }
    step.script = EngineOrFail(attrs);
    std::string archive = StringAttr(req.after, "archive");
    if (archive.empty()) {
      if (StringAttr(req.after, "pull") == "never") {
        step.script += "echo " + ShellQuote("image " + name + " is not on this host and pull: "
                                            "never; give it an archive: to load") +
                       " >&2; exit 1\n";
      } else {
        step.script += "\"$e\" pull -q " + n + " >/dev/null || exit 1\n";
      }
      return step;
    }
    step.upload_dir = MarkerOf(name) + ".incoming";
    std::string d = ShellQuote(step.upload_dir);
    step.uploads.push_back({archive, "image.tar", StringAttr(req.after, "archive_sha256")});
    // The archive's images: the name when it holds it, else its one image
    // tagged with the name.
    step.script +=
        "n=" + n + "; d=" + d + "\n"
        "l=$(\"$e\" load -i \"$d/image.tar\") || { rm -rf -- \"$d\"; exit 1; }\n"
        "refs=$(printf '%s\\n' \"$l\" | sed -n 's/^Loaded image[^:]*: *//p' | tr ',' '\\n')\n"
        "if ! printf '%s\\n' \"$refs\" | grep -qxF -- \"$n\"; then\n"
        "  if [ \"$(printf '%s\\n' \"$refs\" | grep -c .)\" = 1 ]; then \"$e\" tag \"$refs\" \"$n\" "
        "|| { rm -rf -- \"$d\"; exit 1; }\n"
        "  else echo \"the archive holds no image $n (it holds: $(echo $refs))\" >&2; "
        "rm -rf -- \"$d\"; exit 1; fi\n"
        "fi\n"
        "rm -rf -- \"$d\"\n"
        "id=$(\"$e\" image inspect --format '{{.Id}}' \"$n\") || exit 1\n"
        "mkdir -p " + std::string(kImageRoot) + " && printf '%s\\n%s\\n' \"$id\" " +
        ShellQuote(StringAttr(req.after, "archive_sha256")) + " > " + m + " || exit 1\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<HostResourceType> MakeImageType() { return std::make_unique<ImageType>(); }

}  // namespace mfgctl
