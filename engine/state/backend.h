#pragma once

#include <memory>
#include <string>

#include "engine/model/diagnostics.h"
#include "engine/state/state.h"

namespace mfgctl {

/// Where a plant's state lives. Read gives an empty snapshot (no lineage)
/// when there is none yet. Write bumps nothing: the caller sets serial.
class StateBackend {
 public:
  virtual ~StateBackend() = default;

  /// Where the state is, for people: a path, an etcd key, a URL.
  virtual std::string Where() const = 0;

  virtual bool Read(StateSnapshot* out, Diagnostics* diags) = 0;
  virtual bool Write(const StateSnapshot& s, Diagnostics* diags) = 0;

  /// Whether this backend keeps a journal (engine/state/journal.h): a run
  /// appends each finished change to it and writes the whole state once,
  /// at the end. Without one, every change rewrites the whole state.
  virtual bool HasJournal() const { return false; }
  /// Appends journal lines and makes them durable before returning; the
  /// next Read folds them in, the next Write replaces them.
  virtual bool AppendJournal(const std::string& /*lines*/, Diagnostics* /*diags*/) {
    return false;
  }

  /// Takes the plant's lock for as long as the backend lives or until
  /// Unlock. Waits up to timeout_ms (0: fail at once); on failure the
  /// diagnostic names the holder. `who` describes this run for others.
  virtual bool Lock(const std::string& who, int timeout_ms, Diagnostics* diags) = 0;
  virtual void Unlock() = 0;

  /// Who holds the plant's lock now, as that run described itself: empty
  /// when it is free (this backend's own lock counts as held). False and a
  /// diagnostic when the backend cannot tell.
  virtual bool LockHolder(std::string* who, Diagnostics* diags) = 0;
  /// True when a lock can outlive its holder (a lease in etcd, a lock
  /// object behind HTTP): a run killed on another machine leaves it taken,
  /// and ForceUnlock is how a person clears it. False for a lock the
  /// system drops with its holder.
  virtual bool LockOutlivesHolder() const = 0;
  /// Clears the plant's lock whoever holds it (`mfgctl force-unlock`,
  /// after a person confirmed the holder is gone). A backend whose lock
  /// cannot outlive its holder refuses a live one: false and a diagnostic
  /// naming the holder. A free lock is nothing to do.
  virtual bool ForceUnlock(Diagnostics* diags) = 0;
};

/// State in a local JSON file, mode 0600, replaced atomically (temp file,
/// fsync, rename, fsync of the directory). The first write of a backend's
/// life copies the previous file to PATH.backup. Its journal is
/// PATH.journal (0600, one fdatasync per append), removed by each Write.
/// The lock is a flock on PATH.lock holding the holder's description: the
/// kernel drops it when the holder dies, so a killed run never blocks the
/// next, and a lock that is held has a live holder: ForceUnlock refuses it.
class LocalStateBackend : public StateBackend {
 public:
  explicit LocalStateBackend(std::string path);
  ~LocalStateBackend() override;

  std::string Where() const override { return path_; }
  bool Read(StateSnapshot* out, Diagnostics* diags) override;
  bool Write(const StateSnapshot& s, Diagnostics* diags) override;
  bool HasJournal() const override { return true; }
  bool AppendJournal(const std::string& lines, Diagnostics* diags) override;
  bool Lock(const std::string& who, int timeout_ms, Diagnostics* diags) override;
  void Unlock() override;
  bool LockHolder(std::string* who, Diagnostics* diags) override;
  bool LockOutlivesHolder() const override { return false; }
  bool ForceUnlock(Diagnostics* diags) override;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int lock_fd_ = -1;
  int journal_fd_ = -1;
  bool backed_up_ = false;
};

}  // namespace mfgctl
