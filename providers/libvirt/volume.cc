// libvirt.volume: a disk image in a storage pool — empty with a capacity,
// a copy-on-write overlay on a backing volume, or uploaded from a local
// image (over SFTP, checksummed as it is sent, the hypervisor's free space
// checked first). Capacity grows, never shrinks.
#include <cmath>

#include "providers/libvirt/libvirt_type.h"
#include "providers/transport/shell_quote.h"

namespace mfgctl {
namespace {

constexpr char kUploadRoot[] = "/var/tmp/mfgctl-volumes/";

// `pool/name` as the address names it.
std::string VolumeName(const ResourceAddress& a) {
  size_t slash = a.name.find('/');
  return slash == std::string::npos ? a.name : a.name.substr(slash + 1);
}

std::string Gib(const Value& attrs) {
  return std::to_string(NumberAttr(attrs, "capacity_gib")) + "G";
}

std::string BaseName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class VolumeType : public LibvirtType {
 public:
  ResourceTypeSchema Schema() const override {
    ResourceTypeSchema s;
    s.type = "libvirt.volume";
    s.description = "A disk image in a storage pool: empty, an overlay on a backing volume, or "
                    "uploaded from a local image.";
    s.attributes = {
        {.name = "pool", .required = true, .force_new = true,
         .description = "The pool it lives in."},
        {.name = "format", .force_new = true, .one_of = {"qcow2", "raw"},
         .description = "The image format (default qcow2)."},
        {.name = "capacity_gib", .type = AttrType::kNumber,
         .description = "Its size in GiB; it grows in place, and never shrinks (a smaller size "
                        "is an error). Needed unless it comes from `source:`."},
        {.name = "backing", .force_new = true,
         .description = "A volume of the same pool this one is a copy-on-write overlay of."},
        {.name = "backing_format", .plan_only = true, .one_of = {"qcow2", "raw"},
         .description = "The backing volume's format (default: its format in `volumes:`)."},
        {.name = "source", .local_path = true, .digest_into = "image", .plan_only = true,
         .description = "A local image file uploaded as the volume's content."},
        {.name = "image", .force_new = true,
         .description = "The SHA-256 of the uploaded image (computed from `source`); a changed "
                        "image replaces the volume."},
        {.name = "path", .description = "The volume's path on the host.", .computed = true},
        StateAttribute(),
    };
    return s;
  }

  bool Volume(const ReadItem& item, VolumeQuery* query) const override {
    const Value& attrs = ItemAttributes(item);
    query->pool = StringAttr(attrs, "pool");
    query->name = VolumeName(item.address);
    // An uploaded image the state does not know yet (an import) is hashed
    // once on the host; afterwards the state's checksum stands for it.
    query->hash = attrs.contains("image") && !item.prior.contains("image");
    return true;
  }

  ReadResult Interpret(const LibvirtInventory& live, const ReadItem& item,
                       size_t volume) const override {
    ReadResult r;
    auto v = live.volumes.find(volume);
    if (v == live.volumes.end()) return r;
    const Value& def = v->second;
    const Value& attrs = ItemAttributes(item);
    if (ToBeDeleted(item)) {
      const std::string& address = item.address.name;  // POOL/NAME
      std::string pool = address.substr(0, address.find('/'));
      std::string name = address.substr(address.find('/') + 1);
      std::string path = def.value("path", "");
      std::string users = UsersOutsideBlueprint(live, [&](const Value& d) {
        for (const auto& disk : d["disks"]) {
          if (disk.value("pool", "") == pool && disk.value("volume", "") == name) return true;
          if (!path.empty() && disk.value("file", "") == path) return true;
        }
        return false;
      });
      if (!users.empty()) {
        r.diagnostics.Error("volume " + address + " is a disk of VMs the blueprint does not "
                            "manage (" + users + "): it is not deleted");
        return r;
      }
    }
    r.exists = true;
    r.attributes["pool"] = StringAttr(attrs, "pool");
    r.attributes["format"] = def.value("format", "");
    r.attributes["path"] = def.value("path", "");
    double gib = std::ldexp(def.value("capacity_bytes", 0.0), -30);
    if (gib == std::floor(gib)) r.attributes["capacity_gib"] = static_cast<long long>(gib);
    else r.attributes["capacity_gib"] = std::round(gib * 100) / 100;
    if (def.contains("backing")) r.attributes["backing"] = BaseName(def["backing"]);
    if (item.prior.contains("image")) {
      r.attributes["image"] = item.prior["image"];
    } else if (auto d = live.volume_digests.find(volume); d != live.volume_digests.end()) {
      r.attributes["image"] = d->second;
    }
    return r;
  }

  ModifyPlanResponse ModifyPlan(const ModifyPlanRequest& req) const override {
    ModifyPlanResponse resp;
    const Value& after = req.after ? *req.after : Value();
    if (req.action == Action::kCreate && !after.contains("capacity_gib") &&
        !after.contains("image")) {
      resp.diagnostics.Error("volume " + req.address.name +
                             " needs \"capacity_gib:\" (or \"source:\", an image to upload)");
    }
    if (req.action == Action::kUpdate && Changes(*req.before, after, "capacity_gib")) {
      double was = req.before->value("capacity_gib", 0.0);
      double want = after.value("capacity_gib", 0.0);
      if (want < was) {
        resp.diagnostics.Error("volume " + req.address.name + " is " + ShowJson((*req.before)[
                                   "capacity_gib"]) + " GiB and cannot shrink to " +
                               ShowJson(after["capacity_gib"]) +
                               " GiB: volumes only grow (a smaller one is a new volume)");
      } else {
        resp.notes.push_back(std::string(kNextBoot) +
                             ": the volume grows now; a VM using it sees the size at its next "
                             "boot");
      }
    }
    return resp;
  }

  HostStep Step(const ApplyRequest& req, const LibvirtSettings& settings) const override {
    HostStep step;
    std::string pool = ShellQuote(StringAttr(req.action == Action::kDelete ? req.before : req.after,
                                             "pool"));
    std::string name = ShellQuote(VolumeName(req.address));
    std::string args = "--pool " + pool + " " + name;
    step.script = VirshPrelude(settings.uri, settings.shutdown_timeout);
    if (req.action == Action::kDelete || req.action == Action::kReplace) {
      step.script += "V vol-delete " + args + " >/dev/null || exit 1\n";
      if (req.action == Action::kDelete) return step;
    }
    if (req.action == Action::kUpdate) {
      step.script += "V vol-resize " + args + " " + Gib(req.after) + " >/dev/null || exit 1\n";
      return step;
    }
    std::string format = StringAttr(req.after, "format", "qcow2");
    std::string source = StringAttr(req.after, "source");
    if (!source.empty()) {
      // Uploaded whole, then libvirt probes what it holds (its format and
      // virtual size); a larger capacity grows it.
      step.upload_dir = kUploadRoot + StringAttr(req.after, "pool") + "/" +
                        VolumeName(req.address);
      step.uploads.push_back({source, "image", StringAttr(req.after, "image")});
      std::string d = ShellQuote(step.upload_dir);
      // The pool's filesystem is checked too before the copy into it (the
      // upload checked the staging directory's).
      step.script += "d=" + d + "\n"
                     "need=$(stat -c %s \"$d/image\") && avail=$(V pool-info --bytes " + pool +
                     " | awk '$1 == \"Available:\" { print $2 }') || { rm -rf -- \"$d\"; exit 1; }\n"
                     "if [ -n \"$avail\" ] && [ \"$avail\" -lt \"$need\" ]; then echo \"pool \"" +
                     pool + "\" has $avail bytes free; the image needs $need\" >&2; rm -rf -- "
                     "\"$d\"; exit 1; fi\n"
                     "{ V vol-create-as " + pool + " " + name + " \"$(stat -c %s \"$d/image\")\" "
                     "--format raw >/dev/null && V vol-upload " + args + " \"$d/image\" && "
                     "V pool-refresh " + pool + " >/dev/null; }; s=$?; rm -rf -- \"$d\"; "
                     "[ \"$s\" = 0 ] || exit 1\n";
      if (req.after.contains("capacity_gib")) {
        step.script += "V vol-resize " + args + " " + Gib(req.after) + " >/dev/null || exit 1\n";
      }
      return step;
    }
    step.script += "V vol-create-as " + pool + " " + name + " " + Gib(req.after) + " --format " +
                   ShellQuote(format);
    std::string backing = StringAttr(req.after, "backing");
    if (!backing.empty()) {
      step.script += " --backing-vol " + ShellQuote(backing) + " --backing-vol-format " +
                     ShellQuote(StringAttr(req.after, "backing_format", "qcow2"));
    }
    step.script += " >/dev/null || exit 1\n";
    return step;
  }
};

}  // namespace

std::unique_ptr<LibvirtType> MakeVolumeType() { return std::make_unique<VolumeType>(); }

}  // namespace mfgctl
