#include "backends/etcd_backend.h"

#include <unistd.h>

#include <cstdio>
#include <random>

#include "backends/gzip.h"
#include "engine/model/base64.h"
#include "engine/model/timestamp.h"
#include "engine/state/journal.h"
#include "providers/transport/http_json.h"

namespace mfgctl {
namespace {

// A state read back is never allowed to grow past this once unzipped.
constexpr size_t kMaxStateBytes = 256u << 20;

// etcd's int64 fields arrive as JSON strings (and may be sent as either).
int64_t Int(const Value& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return 0;
  return std::strtoll(v.get_ref<const std::string&>().c_str(), nullptr, 10);
}

int64_t IntAt(const Value& o, const char* key) {
  return o.is_object() && o.contains(key) ? Int(o[key]) : 0;
}

// The end of the range of every key that starts with `prefix`: the prefix
// with its last byte incremented, as etcd's clients compute it.
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // every key
}

std::string ValueOf(const Value& kv) {
  std::optional<std::string> v = FromBase64(kv.value("value", ""));
  return v ? *v : std::string();
}

Value FirstKv(const Value& range) {
  if (!range.is_object() || !range.contains("kvs")) return Value::object();
  const Value& kvs = range["kvs"];
  return kvs.is_array() && !kvs.empty() && kvs[0].is_object() ? kvs[0] : Value::object();
}

// The key-values a txn's failure branch read with its one range.
Value FailureRange(const Value& answer) {
  const Value& responses = answer.value("responses", Value::array());
  if (!responses.is_array() || responses.empty()) return Value::object();
  return responses[0].value("response_range", Value::object());
}

std::string RandomId() {
  std::random_device rd;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08x%08x", rd(), rd());
  return buf;
}

}  // namespace

EtcdStateBackend::EtcdStateBackend(std::shared_ptr<HttpClient> http, EtcdSettings settings,
                                   std::string plant)
    : http_(std::move(http)), s_(std::move(settings)), plant_(std::move(plant)),
      run_id_(RandomId()) {
  while (s_.prefix.size() > 1 && s_.prefix.back() == '/') s_.prefix.pop_back();
}

EtcdStateBackend::~EtcdStateBackend() { Unlock(); }

std::string EtcdStateBackend::Key(const std::string& leaf) const {
  return s_.prefix + (s_.prefix == "/" ? "" : "/") + plant_ + "/" + leaf;
}

std::string EtcdStateBackend::Where() const {
  return "etcd key " + StateKey() + " at " + (s_.endpoints.empty() ? "?" : s_.endpoints.front());
}

bool EtcdStateBackend::SignIn(std::string* error) {
  Value answer;
  HttpRequest r = JsonRequest("POST", s_.endpoints.front() + "/v3/auth/authenticate",
                              {{"name", s_.username}, {"password", s_.password}});
  r.idempotent = true;
  std::string e;
  for (const auto& endpoint : s_.endpoints) {
    r.url = endpoint + "/v3/auth/authenticate";
    if (SendJson(*http_, r, &answer, &e)) {
      std::lock_guard<std::mutex> lock(token_mu_);
      token_ = answer.value("token", "");
      return true;
    }
  }
  *error = "signing in to etcd as " + s_.username + ": " + e;
  return false;
}

bool EtcdStateBackend::Call(const std::string& path, const Value& body, Value* answer,
                            std::string* error) {
  if (s_.endpoints.empty()) {
    *error = "the etcd state backend has no endpoints";
    return false;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!s_.username.empty()) {
      bool signed_in;
      {
        std::lock_guard<std::mutex> lock(token_mu_);
        signed_in = !token_.empty();
      }
      if (!signed_in && !SignIn(error)) return false;
    }
    bool expired = false;
    for (const auto& endpoint : s_.endpoints) {
      HttpRequest r = JsonRequest("POST", endpoint + path, body);
      // Every call is safe to repeat: reads, and writes whose transaction
      // compares first (a repeat of one that took effect is recognised).
      r.idempotent = true;
      {
        std::lock_guard<std::mutex> lock(token_mu_);
        if (!token_.empty()) r.headers.Set("Authorization", token_);
      }
      HttpResponse resp;
      if (SendJson(*http_, r, answer, error, &resp)) return true;
      if (resp.status == 401 || resp.body.find("invalid auth token") != std::string::npos) {
        expired = true;
        break;
      }
      if (resp.status != 0) return false;  // the server answered: no other will differ
    }
    if (!expired || s_.username.empty()) return false;
    std::lock_guard<std::mutex> lock(token_mu_);
    token_.clear();
  }
  return false;
}

bool EtcdStateBackend::Range(const std::string& key, bool prefix, Value* kvs,
                             std::string* error) {
  Value body = {{"key", Base64(key)}};
  if (prefix) {
    body["range_end"] = Base64(PrefixEnd(key));
    body["sort_target"] = "MOD";
    body["sort_order"] = "ASCEND";
  }
  Value answer;
  if (!Call("/v3/kv/range", body, &answer, error)) return false;
  *kvs = answer.value("kvs", Value::array());
  if (!kvs->is_array()) *kvs = Value::array();
  return true;
}

bool EtcdStateBackend::Read(StateSnapshot* out, Diagnostics* diags) {
  std::string origin = "etcd key " + StateKey();
  std::string error;
  Value kvs;
  if (!Range(StateKey(), false, &kvs, &error)) {
    diags->Error("cannot read the state of plant " + plant_ + ": " + error);
    return false;
  }
  *out = StateSnapshot{};
  state_revision_ = 0;
  if (!kvs.empty()) {
    state_revision_ = IntAt(kvs[0], "mod_revision");
    std::string bytes = ValueOf(kvs[0]);
    if (IsGzip(bytes)) {
      std::optional<std::string> text = Gunzip(bytes, kMaxStateBytes, &error);
      if (!text) {
        diags->Error(origin + " is not a state: " + error);
        return false;
      }
      bytes = std::move(*text);
    }
    Value j = Value::parse(bytes, nullptr, false);
    if (j.is_discarded()) {
      diags->Error(origin + " is not a state: not gzip of JSON, nor JSON");
      return false;
    }
    if (!StateFromJson(j, origin, out, diags)) return false;
  }
  // What a run that died had finished since its last whole write.
  Value journal;
  if (!Range(Key("journal/"), true, &journal, &error)) {
    diags->Error("cannot read the state journal of plant " + plant_ + ": " + error);
    return false;
  }
  std::string lines;
  for (const auto& kv : journal) lines += ValueOf(kv);
  return lines.empty() || FoldJournal(lines, "etcd keys " + Key("journal/"), out, diags);
}

bool EtcdStateBackend::Write(const StateSnapshot& s, Diagnostics* diags) {
  std::string value = Base64(Gzip(ShowJson(StateToJson(s))));
  std::string key = Base64(StateKey());
  Value compare = state_revision_ == 0
                      ? Value{{"key", key}, {"target", "CREATE"}, {"create_revision", "0"}}
                      : Value{{"key", key},
                              {"target", "MOD"},
                              {"mod_revision", std::to_string(state_revision_)}};
  std::string journal = Key("journal/");
  Value body = {
      {"compare", Value::array({compare})},
      {"success", Value::array({{{"requestPut", {{"key", key}, {"value", value}}}},
                                {{"requestDeleteRange",
                                  {{"key", Base64(journal)},
                                   {"range_end", Base64(PrefixEnd(journal))}}}}})},
      {"failure", Value::array({{{"requestRange", {{"key", key}}}}})}};
  std::string text = body.dump();
  if (text.size() > s_.max_request_bytes) {
    diags->Error("the state of plant " + plant_ + " is too large for etcd: its write is " +
                     std::to_string(text.size()) + " bytes (compressed), etcd takes at most " +
                     std::to_string(s_.max_request_bytes) + ": nothing was written",
                 {},
                 "the changes this run finished stay in the state journal; raise etcd's "
                 "--max-request-bytes and state.max_request_bytes, or split the plant");
    return false;
  }
  Value answer;
  std::string error;
  if (!Call("/v3/kv/txn", body, &answer, &error)) {
    diags->Error("cannot write the state of plant " + plant_ + ": " + error);
    return false;
  }
  if (answer.value("succeeded", false)) {
    state_revision_ = IntAt(answer.value("header", Value::object()), "revision");
    return true;
  }
  Value now = FirstKv(FailureRange(answer));
  if (now.value("value", "") == value) {  // our own write, its answer lost and retried
    state_revision_ = IntAt(now, "mod_revision");
    return true;
  }
  diags->Error("the state of plant " + plant_ + " in etcd (" + StateKey() +
                   ") was written by another run since this run read it (now at revision " +
                   std::to_string(IntAt(now, "mod_revision")) + ", read at " +
                   std::to_string(state_revision_) + "): nothing was written",
               {},
               "the changes this run finished stay in the state journal; run plan again to "
               "see the state as it is now");
  return false;
}

bool EtcdStateBackend::AppendJournal(const std::string& lines, Diagnostics* diags) {
  char seq[32];
  std::snprintf(seq, sizeof seq, "%010llu", static_cast<unsigned long long>(++journal_seq_));
  Value body = {{"key", Base64(Key("journal/" + run_id_ + "-" + seq))}, {"value", Base64(lines)}};
  Value answer;
  std::string error;
  if (!Call("/v3/kv/put", body, &answer, &error)) {
    diags->Error("cannot write the state journal of plant " + plant_ + ": " + error);
    return false;
  }
  return true;
}

bool EtcdStateBackend::Lock(const std::string& who, int timeout_ms, Diagnostics* diags) {
  if (lease_ != 0) return true;
  std::string error;
  Value grant;
  if (!Call("/v3/lease/grant", {{"TTL", std::to_string(s_.lock_ttl.count())}}, &grant, &error)) {
    diags->Error("cannot lock the state of plant " + plant_ + ": " + error);
    return false;
  }
  lease_ = IntAt(grant, "ID");
  stop_keepalive_ = false;
  // Renewed every third of its TTL for as long as this run holds or waits.
  keepalive_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(keepalive_mu_);
    auto every = std::chrono::milliseconds(std::max<int64_t>(s_.lock_ttl.count() * 1000 / 3, 200));
    while (!keepalive_cv_.wait_for(lock, every, [this] { return stop_keepalive_; })) {
      lock.unlock();
      Value answer;
      std::string ignored;  // a missed renewal is retried; the CAS guards the state
      Call("/v3/lease/keepalive", {{"ID", std::to_string(lease_)}}, &answer, &ignored);
      lock.lock();
    }
  });
  std::string holder = who + ", since " + UtcTimestamp(std::chrono::system_clock::now());
  std::string key = Base64(Key("lock"));
  Value body = {
      {"compare", Value::array({{{"key", key}, {"target", "CREATE"}, {"create_revision", "0"}}})},
      {"success", Value::array({{{"requestPut",
                                  {{"key", key},
                                   {"value", Base64(holder)},
                                   {"lease", std::to_string(lease_)}}}}})},
      {"failure", Value::array({{{"requestRange", {{"key", key}}}}})}};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    Value answer;
    if (!Call("/v3/kv/txn", body, &answer, &error)) {
      Unlock();
      diags->Error("cannot lock the state of plant " + plant_ + ": " + error);
      return false;
    }
    Value other = FirstKv(FailureRange(answer));
    if (answer.value("succeeded", false) || IntAt(other, "lease") == lease_) return true;
    if (std::chrono::steady_clock::now() >= deadline) {
      Unlock();
      diags->Error("state of this plant is locked by " + ValueOf(other), {},
                   "wait for that run to finish, or pass --lock-timeout to wait for it; the lock "
                   "(etcd key " + Key("lock") + ") is held by a lease its run renews, so it "
                   "frees itself within its TTL after that run dies; `mfgctl force-unlock` "
                   "clears it at once");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

void EtcdStateBackend::StopKeepAlive() {
  if (!keepalive_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(keepalive_mu_);
    stop_keepalive_ = true;
  }
  keepalive_cv_.notify_all();
  keepalive_.join();
}

void EtcdStateBackend::Unlock() {
  StopKeepAlive();
  if (lease_ == 0) return;
  // Revoking the lease deletes the lock key attached to it.
  Value answer;
  std::string ignored;  // an unrevoked lease expires by itself
  Call("/v3/lease/revoke", {{"ID", std::to_string(lease_)}}, &answer, &ignored);
  lease_ = 0;
}

bool EtcdStateBackend::LockHolder(std::string* who, Diagnostics* diags) {
  who->clear();
  Value kvs;
  std::string error;
  if (!Range(Key("lock"), false, &kvs, &error)) {
    diags->Error("cannot read the state lock of plant " + plant_ + ": " + error);
    return false;
  }
  if (!kvs.empty()) *who = ValueOf(kvs[0]);
  return true;
}

bool EtcdStateBackend::ForceUnlock(Diagnostics* diags) {
  Value kvs;
  std::string error;
  if (!Range(Key("lock"), false, &kvs, &error)) {
    diags->Error("cannot read the state lock of plant " + plant_ + ": " + error);
    return false;
  }
  if (kvs.empty()) return true;
  Value answer;
  int64_t lease = IntAt(kvs[0], "lease");
  bool ok = lease != 0
                ? Call("/v3/lease/revoke", {{"ID", std::to_string(lease)}}, &answer, &error)
                : Call("/v3/kv/deleterange", {{"key", Base64(Key("lock"))}}, &answer, &error);
  if (!ok) diags->Error("cannot clear the state lock of plant " + plant_ + ": " + error);
  return ok;
}

}  // namespace mfgctl
