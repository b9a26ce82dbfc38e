#pragma once

#include <memory>
#include <string>

#include "engine/state/backend.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// Terraform's http backend settings, spelled as Terraform spells them.
struct HttpBackendSettings {
  std::string address;
  /// Empty: the server has no locking (as with Terraform).
  std::string lock_address;
  std::string unlock_address;
  std::string lock_method = "LOCK";
  std::string unlock_method = "UNLOCK";
  std::string update_method = "POST";
  std::string username;
  std::string password;
};

/// State behind Terraform's http backend protocol (GitLab-managed Terraform
/// state and servers like it): GET the state (204 or 404: none), POST it
/// with `?ID=LOCK` while locked, LOCK and UNLOCK with Terraform's lock
/// info JSON (`ID`, `Operation`, `Info`, `Who`, `Version`, `Created`,
/// `Path`); 423 or 409 answer with the holder's. Basic auth. No journal:
/// each finished change rewrites the state.
class HttpStateBackend : public StateBackend {
 public:
  HttpStateBackend(std::shared_ptr<HttpClient> http, HttpBackendSettings settings,
                   std::string plant);
  ~HttpStateBackend() override;

  std::string Where() const override { return s_.address; }
  bool Read(StateSnapshot* out, Diagnostics* diags) override;
  bool Write(const StateSnapshot& s, Diagnostics* diags) override;
  bool Lock(const std::string& who, int timeout_ms, Diagnostics* diags) override;
  void Unlock() override;
  bool LockHolder(std::string* who, Diagnostics* diags) override;
  bool LockOutlivesHolder() const override { return true; }
  bool ForceUnlock(Diagnostics* diags) override;

 private:
  HttpResponse Send(const std::string& method, const std::string& url, const std::string& body);
  /// Tries to take the lock with `info`: true when taken; false with
  /// `holder` the holder's lock info when another has it; false with
  /// `error` when the server said something else.
  bool TryLock(const Value& info, Value* holder, std::string* error);

  std::shared_ptr<HttpClient> http_;
  HttpBackendSettings s_;
  std::string plant_;
  /// The lock info this run holds the lock with; null: none.
  Value held_;
};

/// A lock holder as people read it: `pid 4711 (mfgctl apply) of ci@runner,
/// since 2026-12-03T17:50:02Z (lock ID ...)`, from Terraform's lock info.
std::string DescribeLockInfo(const Value& info);

}  // namespace mfgctl
