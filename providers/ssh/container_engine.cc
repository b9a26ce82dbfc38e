#include "providers/ssh/container_engine.h"

#include "providers/transport/shell_quote.h"

namespace mfgctl {

AttributeSchema EngineAttribute() {
  return {.name = "engine", .plan_only = true, .one_of = {"podman", "docker"},
          .description = "The container engine (default: podman when installed, else docker)."};
}

std::string EngineShell(const Value& attrs) {
  std::string engine = StringAttr(attrs, "engine");
  if (!engine.empty()) {
    return "e=" + ShellQuote(engine) + "; command -v \"$e\" >/dev/null 2>&1 || e=\n";
  }
  return "e=; for c in podman docker; do command -v $c >/dev/null 2>&1 && { e=$c; break; }; "
         "done\n";
}

std::string EngineOrFail(const Value& attrs) {
  std::string engine = StringAttr(attrs, "engine");
  return EngineShell(attrs) + "[ -n \"$e\" ] || { echo " +
         ShellQuote(engine.empty()
                        ? "no container engine on this host: install podman (packages: [podman]) "
                          "or docker"
                        : engine + " is not installed on this host") +
         " >&2; exit 1; }\n";
}

std::string CanonicalImageId(std::string_view printed) {
  while (!printed.empty() && (printed.back() == '\n' || printed.back() == ' ')) {
    printed.remove_suffix(1);
  }
  if (printed.empty() || printed.rfind("sha256:", 0) == 0) return std::string(printed);
  return "sha256:" + std::string(printed);
}

}  // namespace mfgctl
