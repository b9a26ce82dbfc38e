#include "backends/http_backend.h"

#include <chrono>
#include <random>
#include <thread>

#include "engine/model/base64.h"
#include "engine/model/timestamp.h"
#include "providers/transport/http_json.h"

namespace mfgctl {
namespace {

// A lock ID as Terraform makes them: a random UUID.
std::string NewLockId() {
  std::random_device rd;
  unsigned char b[16];
  for (auto& x : b) x = static_cast<unsigned char>(rd());
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

std::string Said(const HttpResponse& r) {
  if (!r.error.empty()) return r.error;
  std::string body = r.body.substr(0, 200);
  return "HTTP " + std::to_string(r.status) + (body.empty() ? "" : ": " + body);
}

}  // namespace

std::string DescribeLockInfo(const Value& info) {
  if (!info.is_object()) return "another run (the server did not say which)";
  std::string who = info.value("Who", "");
  std::string op = info.value("Operation", "");
  std::string text = who.empty() ? "another run" : who;
  if (!op.empty() && who.find("(mfgctl") == std::string::npos) text += " (" + op + ")";
  if (!info.value("Created", "").empty()) text += ", since " + info.value("Created", "");
  if (!info.value("ID", "").empty()) text += " (lock ID " + info.value("ID", "") + ")";
  return text;
}

HttpStateBackend::HttpStateBackend(std::shared_ptr<HttpClient> http, HttpBackendSettings settings,
                                   std::string plant)
    : http_(std::move(http)), s_(std::move(settings)), plant_(std::move(plant)) {}

HttpStateBackend::~HttpStateBackend() { Unlock(); }

HttpResponse HttpStateBackend::Send(const std::string& method, const std::string& url,
                                    const std::string& body) {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.body = body;
  if (!body.empty()) r.headers.Set("Content-Type", "application/json");
  // Writes carry the whole state, locks compare IDs: each is safe to repeat.
  r.idempotent = true;
  if (!s_.username.empty() || !s_.password.empty()) {
    r.headers.Set("Authorization", "Basic " + Base64(s_.username + ":" + s_.password));
  }
  return http_->Send(r);
}

bool HttpStateBackend::Read(StateSnapshot* out, Diagnostics* diags) {
  HttpResponse r = Send("GET", s_.address, "");
  *out = StateSnapshot{};
  if (r.error.empty() && (r.status == 204 || r.status == 404)) return true;  // none yet
  if (!r.Ok()) {
    diags->Error("cannot read the state of plant " + plant_ + " from " + s_.address + ": " +
                 Said(r));
    return false;
  }
  if (r.body.empty()) return true;
  Value j = Value::parse(r.body, nullptr, false);
  if (j.is_discarded()) {
    diags->Error("the state at " + s_.address + " is not JSON");
    return false;
  }
  if (j.is_object() && j.contains("terraform_version")) {
    diags->Error("the state at " + s_.address + " is Terraform's, not mfgctl's", {},
                 "give each plant an address of its own");
    return false;
  }
  return StateFromJson(j, s_.address, out, diags);
}

bool HttpStateBackend::Write(const StateSnapshot& s, Diagnostics* diags) {
  std::string url = s_.address;
  if (held_.is_object()) {
    url += (url.find('?') == std::string::npos ? "?ID=" : "&ID=") + held_.value("ID", "");
  }
  HttpResponse r = Send(s_.update_method, url, ShowJson(StateToJson(s), 1) + "\n");
  if (r.Ok()) return true;
  if (r.error.empty() && (r.status == 409 || r.status == 423)) {
    diags->Error("the state of plant " + plant_ + " at " + s_.address + " is locked by " +
                 DescribeLockInfo(Value::parse(r.body, nullptr, false)) +
                 ": nothing was written");
    return false;
  }
  diags->Error("cannot write the state of plant " + plant_ + " to " + s_.address + ": " +
               Said(r));
  return false;
}

bool HttpStateBackend::TryLock(const Value& info, Value* holder, std::string* error) {
  HttpResponse r = Send(s_.lock_method, s_.lock_address, info.dump());
  if (r.Ok()) return true;
  if (r.error.empty() && (r.status == 409 || r.status == 423)) {
    *holder = Value::parse(r.body, nullptr, false);
    return false;
  }
  *error = "cannot lock the state of plant " + plant_ + " at " + s_.lock_address + ": " + Said(r);
  return false;
}

bool HttpStateBackend::Lock(const std::string& who, int timeout_ms, Diagnostics* diags) {
  if (held_.is_object() || s_.lock_address.empty()) return true;
  Value info = {{"ID", NewLockId()},
                {"Operation", "mfgctl"},
                {"Info", ""},
                {"Who", who},
                {"Version", MFGCTL_VERSION},
                {"Created", UtcTimestamp(std::chrono::system_clock::now(), true)},
                {"Path", ""}};
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    Value holder;
    std::string error;
    if (TryLock(info, &holder, &error)) {
      held_ = info;
      return true;
    }
    if (!error.empty()) {
      diags->Error(error);
      return false;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      diags->Error("state of this plant is locked by " + DescribeLockInfo(holder), {},
                   "wait for that run to finish, or pass --lock-timeout to wait for it; a lock "
                   "behind " + s_.lock_address + " outlives a run that died: `mfgctl "
                   "force-unlock` clears it once you are sure that run is gone");
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

void HttpStateBackend::Unlock() {
  if (!held_.is_object()) return;
  Send(s_.unlock_method, s_.unlock_address.empty() ? s_.lock_address : s_.unlock_address,
       held_.dump());
  held_ = Value();
}

bool HttpStateBackend::LockHolder(std::string* who, Diagnostics* diags) {
  who->clear();
  if (held_.is_object()) {
    *who = DescribeLockInfo(held_);
    return true;
  }
  if (s_.lock_address.empty()) return true;
  // The protocol has no way to ask: try to take the lock, and give it back.
  Value probe = {{"ID", NewLockId()}, {"Operation", "mfgctl force-unlock"}, {"Who", "probe"}};
  Value holder;
  std::string error;
  if (TryLock(probe, &holder, &error)) {
    Send(s_.unlock_method, s_.unlock_address.empty() ? s_.lock_address : s_.unlock_address,
         probe.dump());
    return true;
  }
  if (!error.empty()) {
    diags->Error(error);
    return false;
  }
  *who = DescribeLockInfo(holder);
  return true;
}

bool HttpStateBackend::ForceUnlock(Diagnostics* diags) {
  if (s_.lock_address.empty()) return true;
  Value probe = {{"ID", NewLockId()}, {"Operation", "mfgctl force-unlock"}, {"Who", "probe"}};
  Value holder;
  std::string error;
  std::string unlock = s_.unlock_address.empty() ? s_.lock_address : s_.unlock_address;
  if (TryLock(probe, &holder, &error)) {
    Send(s_.unlock_method, unlock, probe.dump());
    return true;  // it was free
  }
  if (!error.empty()) {
    diags->Error(error);
    return false;
  }
  // The holder's own lock info, so a server that checks the ID unlocks it
  // (Terraform's force-unlock sends an empty body, which only some accept).
  HttpResponse r = Send(s_.unlock_method, unlock, holder.is_object() ? holder.dump() : "");
  if (r.Ok()) return true;
  diags->Error("cannot clear the state lock of plant " + plant_ + " at " + unlock + ": " +
               Said(r));
  return false;
}

}  // namespace mfgctl
