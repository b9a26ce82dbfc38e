#pragma once

#include <string>
#include <vector>

namespace mfgctl {

/// Where in a blueprint something was written. line and col are 1-based;
/// an empty file means "not from a file" (a CLI flag, the state, a host).
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
  /// Text copied from a template: the instances it came through, innermost
  /// first ("line1 (template edge-gateway) at plant.yaml:3:3").
  std::string via = {};

  bool Known() const { return !file.empty(); }
  std::string ToString() const;  // "file:line:col"
};

enum class Severity { kError, kWarning };

/// One problem, with the evidence to act on it: a short summary, optional
/// detail, where it was written and which resource it concerns.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string summary;
  std::string detail;
  SourcePos pos;
  std::string address;
};

/// A list of diagnostics, passed by value and appended to; errors never
/// travel as exceptions through the engine.
class Diagnostics {
 public:
  Diagnostic& Error(std::string summary, SourcePos pos = {}, std::string detail = {});
  Diagnostic& Warning(std::string summary, SourcePos pos = {}, std::string detail = {});
  void Add(Diagnostic d) { items_.push_back(std::move(d)); }
  void Append(const Diagnostics& other);

  bool HasErrors() const;
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<Diagnostic> items_;
};

/// One line: `file:line:col: error: summary` (position omitted when unknown),
/// then `  in INSTANCE` when the position is inside a template, then
/// `  detail` lines when there is detail.
std::string FormatDiagnostic(const Diagnostic& d);

}  // namespace mfgctl
