#include "cli/render/snippet.h"

#include "engine/model/text_file.h"

namespace mfgctl {
namespace {

// No snippet for larger files: the loader refuses them anyway.
constexpr size_t kMaxSnippetFileBytes = size_t{256} << 20;

}  // namespace

const SourceSnippets::File* SourceSnippets::Load(const std::string& path) {
  auto [it, inserted] = files_.try_emplace(path);
  File& f = it->second;
  if (inserted) {
    std::string why;
    std::optional<std::string> text =
        ReadBoundedFile(path, {.max_bytes = kMaxSnippetFileBytes, .allow_pipe = false}, &why);
    if (text) {
      f.text = std::move(*text);
      f.line_starts.push_back(0);
      for (size_t i = 0; i < f.text.size(); ++i) {
        if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
      }
    }
  }
  return f.line_starts.empty() ? nullptr : &f;
}

std::string SourceSnippets::At(const SourcePos& pos) {
  if (!pos.Known() || pos.line <= 0) return {};
  const File* f = Load(pos.file);
  if (!f || static_cast<size_t>(pos.line) > f->line_starts.size()) return {};
  size_t start = f->line_starts[pos.line - 1];
  if (start >= f->text.size()) return {};  // past the last line break
  size_t end = f->text.find('\n', start);
  std::string line = f->text.substr(start, end == std::string::npos ? end : end - start);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::string num = std::to_string(pos.line);
  std::string out = "  " + num + " | " + line + "\n";
  out += "  " + std::string(num.size(), ' ') + " | ";
  for (int c = 1; c < pos.col && c <= static_cast<int>(line.size()); ++c) {
    out += line[c - 1] == '\t' ? '\t' : ' ';
  }
  return out + "^\n";
}

}  // namespace mfgctl
