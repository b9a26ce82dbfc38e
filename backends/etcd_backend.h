#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/state/backend.h"
#include "providers/transport/http_client.h"

namespace mfgctl {

/// Where and how a plant's state is kept in etcd.
struct EtcdSettings {
  /// Client URLs (`http://127.0.0.1:2379`), tried in order.
  std::vector<std::string> endpoints;
  /// Keys live under PREFIX/PLANT/: `state`, `lock`, `journal/...`.
  std::string prefix = "/mfgctl";
  /// etcd's own users (`etcdctl user add`); empty: auth is off.
  std::string username;
  std::string password;
  /// How long a lock outlives a run that stopped renewing it (killed).
  std::chrono::seconds lock_ttl{30};
  /// The server's `--max-request-bytes` (etcd's default 1.5 MiB): a state
  /// whose write would be larger is refused before it is sent.
  size_t max_request_bytes = 1536 * 1024;
};

/// State in etcd, through its v3 JSON gateway (POST /v3/kv/range, /txn,
/// /v3/lease/...): the state is one key holding gzip of the state JSON,
/// written with a transaction that compares the key's mod_revision with
/// the one this run read, so a write made behind its back is detected and
/// nothing overwritten. The lock is a key created only if absent
/// (create_revision 0) and attached to a lease this run renews every third
/// of lock_ttl: a killed run's lock expires with its lease. The journal is
/// one key per append under `journal/`, folded in by the next read and
/// deleted by the state write that holds it.
class EtcdStateBackend : public StateBackend {
 public:
  EtcdStateBackend(std::shared_ptr<HttpClient> http, EtcdSettings settings, std::string plant);
  ~EtcdStateBackend() override;

  std::string Where() const override;
  bool Read(StateSnapshot* out, Diagnostics* diags) override;
  bool Write(const StateSnapshot& s, Diagnostics* diags) override;
  bool HasJournal() const override { return true; }
  bool AppendJournal(const std::string& lines, Diagnostics* diags) override;
  bool Lock(const std::string& who, int timeout_ms, Diagnostics* diags) override;
  void Unlock() override;
  bool LockHolder(std::string* who, Diagnostics* diags) override;
  bool LockOutlivesHolder() const override { return true; }
  bool ForceUnlock(Diagnostics* diags) override;

  /// The key the state is written to: `/mfgctl/acme/suzhou-1/state`.
  std::string StateKey() const { return Key("state"); }

 private:
  std::string Key(const std::string& leaf) const;
  /// POSTs `body` to `path` on the first endpoint that answers; an answer
  /// that says the auth token expired signs in again once.
  bool Call(const std::string& path, const Value& body, Value* answer, std::string* error);
  bool SignIn(std::string* error);
  /// The key-values of `key` (every key under it when `prefix`), oldest
  /// write first.
  bool Range(const std::string& key, bool prefix, Value* kvs, std::string* error);
  void StopKeepAlive();

  std::shared_ptr<HttpClient> http_;
  EtcdSettings s_;
  std::string plant_;
  std::string run_id_;
  std::mutex token_mu_;
  std::string token_;
  /// mod_revision of the state key as this run last read or wrote it; 0:
  /// the key did not exist.
  int64_t state_revision_ = 0;
  uint64_t journal_seq_ = 0;
  int64_t lease_ = 0;
  std::thread keepalive_;
  std::mutex keepalive_mu_;
  std::condition_variable keepalive_cv_;
  bool stop_keepalive_ = false;
};

}  // namespace mfgctl
