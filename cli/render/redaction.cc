#include "cli/render/redaction.h"

#include <algorithm>
#include <iostream>
#include <mutex>
#include <streambuf>

#include "engine/model/sensitive.h"
#include "engine/model/value.h"

namespace mfgctl {
namespace {

// Every form of every secret given to ScrubFromOutput: longest first, so a
// secret that contains another is replaced whole.
class SecretForms {
 public:
  void Add(const std::vector<std::string>& forms) {
    std::lock_guard<std::mutex> g(mu_);
    for (const auto& s : forms) forms_.push_back(s);
    // Equal ones side by side, so that unique drops the copies.
    std::sort(forms_.begin(), forms_.end(), [](const std::string& a, const std::string& b) {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    });
    forms_.erase(std::unique(forms_.begin(), forms_.end()), forms_.end());
  }
  std::string Scrub(std::string text) {
    std::lock_guard<std::mutex> g(mu_);
    return Scrubbed(std::move(text), forms_);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> forms_;
};

// Never freed: std::cout may be flushed during static destruction.
SecretForms& Forms() {
  static SecretForms* forms = new SecretForms;
  return *forms;
}

// A stream buffer in front of another that scrubs each line before passing
// it on.
class ScrubbingBuffer : public std::streambuf {
 public:
  explicit ScrubbingBuffer(std::streambuf* sink) : sink_(sink) {}

 protected:
  int overflow(int c) override {
    if (c == traits_type::eof()) return sync() == 0 ? 0 : traits_type::eof();
    std::lock_guard<std::mutex> g(mu_);
    line_.push_back(static_cast<char>(c));
    if (c == '\n') FlushLocked(false);
    return c;
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    std::lock_guard<std::mutex> g(mu_);
    line_.append(s, static_cast<size_t>(n));
    FlushLocked(false);
    return n;
  }

  int sync() override {
    std::lock_guard<std::mutex> g(mu_);
    FlushLocked(true);
    return sink_->pubsync();
  }

 private:
  // Passes on what is held up to the last line break, or all of it when
  // `all` (a flush); a partial line waits for the rest of itself.
  void FlushLocked(bool all) {
    size_t end = line_.size();
    if (!all) {
      end = line_.rfind('\n');
      if (end == std::string::npos) return;
      ++end;
    }
    std::string text = Forms().Scrub(line_.substr(0, end));
    line_.erase(0, end);
    sink_->sputn(text.data(), static_cast<std::streamsize>(text.size()));
  }

  std::streambuf* sink_;
  std::mutex mu_;
  std::string line_;
};

// Installed once, never freed: std::cout may be flushed during static
// destruction, after anything with a lifetime would be gone.
void Install(std::ostream& stream) {
  auto* buf = new ScrubbingBuffer(stream.rdbuf());
  stream.rdbuf(buf);
}

}  // namespace

std::string Scrubbed(std::string text, const std::vector<std::string>& secrets) {
  for (const auto& s : secrets) {
    if (s.size() < kMinScrubbedLength) continue;
    for (size_t at = text.find(s); at != std::string::npos; at = text.find(s, at)) {
      text.replace(at, s.size(), kRedacted);
      at += std::string_view(kRedacted).size();
    }
  }
  return text;
}

void ScrubFromOutput(const std::vector<std::string>& secrets) {
  std::vector<std::string> forms;
  for (const auto& s : secrets) {
    if (s.size() < kMinScrubbedLength) continue;
    forms.push_back(s);
    std::string json = ShowJson(s);
    forms.push_back(json.substr(1, json.size() - 2));
    for (size_t start = 0; start < s.size();) {
      size_t end = s.find('\n', start);
      if (end == std::string::npos) end = s.size();
      if (end - start >= kMinScrubbedLength && end - start < s.size()) {
        forms.push_back(s.substr(start, end - start));
      }
      start = end + 1;
    }
  }
  if (forms.empty()) return;
  static bool installed = (Install(std::cout), Install(std::cerr), true);
  (void)installed;
  Forms().Add(forms);
}

std::string ScrubbedLikeOutput(std::string text) { return Forms().Scrub(std::move(text)); }

}  // namespace mfgctl
