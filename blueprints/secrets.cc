// Secrets: `secrets:` declarations and `${secret.NAME}` values. A secret
// comes from the environment (MFGCTL_SECRET_NAME, as CI systems hand them
// out) or from a file only its owner can read; whatever uses it is
// sensitive (see Scope), and its text is kept for scrubbing output.
#include <sys/stat.h>

#include <cstdio>
#include <optional>

#include "blueprints/expander.h"
#include "engine/model/suggest.h"
#include "engine/model/text_file.h"

namespace mfgctl {
namespace {

const std::vector<std::string> kSecretKeys = {"file", "description"};
// A secret is a password, a token, a key: never megabytes.
constexpr off_t kMaxSecretFileBytes = 64 * 1024;

std::string Octal(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

// Reads a secret file: a regular file, no bigger than kMaxSecretFileBytes,
// that neither its group nor others may read. One trailing line break is
// not part of the secret (`echo TOKEN > file`).
bool ReadSecretFile(const std::string& path, std::string* out, std::string* error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    *error = "cannot read the secret file " + path;
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "the secret file " + path + " is not a regular file";
    return false;
  }
  if (st.st_mode & 077) {
    *error = "the secret file " + path + " may be read by others (mode " + Octal(st.st_mode) +
             "); run chmod 600 " + path;
    return false;
  }
  if (st.st_size > kMaxSecretFileBytes) {
    *error = "the secret file " + path + " is larger than 64 KiB";
    return false;
  }
  // Checked again on the open file: nothing swapped in since can hang it.
  std::string why;
  std::optional<std::string> read = ReadBoundedFile(
      path, {.max_bytes = static_cast<size_t>(kMaxSecretFileBytes), .allow_pipe = false}, &why);
  if (!read) {
    *error = "cannot read the secret file " + path + ": " + why;
    return false;
  }
  std::string text = std::move(*read);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  if (!text.empty() && text.back() == '\r') text.pop_back();
  *out = std::move(text);
  return true;
}

}  // namespace

bool Expander::LoadSecrets(const SourceNode& node) {
  if (!ExpectMap(node, "\"secrets\"")) return false;
  for (const auto& [key, decl] : node.entries) {
    std::string what = "secret \"" + key.scalar + "\"";
    if (secrets_.count(key.scalar)) {
      diags_->Error(what + " is declared twice", key.pos());
      return false;
    }
    Secret s;
    s.decl = &key;
    if (!decl.IsNull()) {
      if (!ExpectMap(decl, what) || !CheckKeys(decl, kSecretKeys, what)) return false;
      if (const SourceNode* file = decl.Get("file")) {
        if (!file->IsScalar() || file->scalar.empty()) {
          diags_->Error("\"file\" of " + what + " must be a path", file->pos());
          return false;
        }
        s.file = AbsoluteLocalPath(file->scalar, file->pos());
      }
    }
    secrets_[key.scalar] = std::move(s);
  }
  return true;
}

bool Expander::ResolveSecret(const std::string& name, Value* out, std::string* error) {
  if (auto it = secret_cache_.find(name); it != secret_cache_.end()) {
    *out = it->second;
    return true;
  }
  auto declared = secrets_.find(name);
  std::string env = "MFGCTL_SECRET_" + name;
  std::optional<std::string> value = options_.getenv ? options_.getenv(env) : std::nullopt;
  if (!value && declared != secrets_.end() && !declared->second.file.empty()) {
    std::string text;
    if (!ReadSecretFile(declared->second.file, &text, error)) return false;
    value = std::move(text);
  }
  if (!value) {
    std::vector<std::string> names;
    for (const auto& [n, s] : secrets_) names.push_back(n);
    *error = "secret \"" + name + "\" is not set: export " + env +
             (declared == secrets_.end()
                  ? ", or declare it under \"secrets:\" with a file" + DidYouMean(name, names)
                  : declared->second.file.empty() ? "" : " or fill " + declared->second.file);
    return false;
  }
  secret_values_.push_back(*value);
  secret_cache_[name] = *value;
  *out = std::move(*value);
  return true;
}

}  // namespace mfgctl
