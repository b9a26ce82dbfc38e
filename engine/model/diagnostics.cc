#include "engine/model/diagnostics.h"

namespace mfgctl {

std::string SourcePos::ToString() const {
  if (!Known()) return {};
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  if (line > 0 && col > 0) out += ":" + std::to_string(col);
  return out;
}

Diagnostic& Diagnostics::Error(std::string summary, SourcePos pos, std::string detail) {
  items_.push_back({Severity::kError, std::move(summary), std::move(detail), std::move(pos), {}});
  return items_.back();
}

Diagnostic& Diagnostics::Warning(std::string summary, SourcePos pos, std::string detail) {
  items_.push_back({Severity::kWarning, std::move(summary), std::move(detail), std::move(pos), {}});
  return items_.back();
}

void Diagnostics::Append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::HasErrors() const {
  for (const auto& d : items_) {
    if (d.severity == Severity::kError) return true;
  }
  return false;
}

std::string FormatDiagnostic(const Diagnostic& d) {
  std::string out;
  if (d.pos.Known()) out += d.pos.ToString() + ": ";
  out += d.severity == Severity::kError ? "error: " : "warning: ";
  if (!d.address.empty()) out += d.address + ": ";
  out += d.summary;
  if (!d.pos.via.empty()) out += "\n  in " + d.pos.via;
  if (!d.detail.empty()) {
    out += "\n  ";
    for (char c : d.detail) {
      out += c;
      if (c == '\n') out += "  ";
    }
  }
  return out;
}

}  // namespace mfgctl
