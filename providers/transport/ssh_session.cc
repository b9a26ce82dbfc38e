// The one user of libssh2.
#include "providers/transport/ssh_session.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/model/base64.h"
#include "engine/model/digest.h"

namespace mfgctl {
namespace {

using Clock = std::chrono::steady_clock;

void InitLibssh2Once() {
  static std::once_flag once;
  std::call_once(once, [] { libssh2_init(0); });
}

// Delayed ACKs stall each exchange by ~40 ms; Linux forgets QUICKACK after
// a while, so it is set again before every read.
ssize_t RecvQuickAck(libssh2_socket_t sock, void* buffer, size_t length, int flags,
                     void** /*abstract*/) {
  int one = 1;
  setsockopt(sock, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
  ssize_t n = recv(sock, buffer, length, flags);
  return n < 0 ? -errno : n;
}

const char* KeyTypeName(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return "ssh-rsa";
    case LIBSSH2_HOSTKEY_TYPE_DSS: return "ssh-dss";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return "ecdsa-sha2-nistp256";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return "ecdsa-sha2-nistp384";
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return "ecdsa-sha2-nistp521";
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return "ssh-ed25519";
  }
  return "unknown";
}

std::string HostPort(const SshEndpoint& e) {
  return e.port == 22 ? e.host : "[" + e.host + "]:" + std::to_string(e.port);
}

int ConnectSocket(const SshEndpoint& e, std::string* error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(e.host.c_str(), std::to_string(e.port).c_str(), &hints, &res);
  if (rc != 0) {
    *error = "cannot resolve " + e.host + ": " + gai_strerror(rc);
    return -1;
  }
  std::string last = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int r = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (r != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      r = poll(&p, 1, e.connect_timeout_ms);
      if (r == 0) {
        last = "connection timed out after " + std::to_string(e.connect_timeout_ms / 1000.0)
                   .substr(0, 4) + " s";
        close(fd);
        continue;
      }
      int soerr = 0;
      socklen_t len = sizeof soerr;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
      if (soerr != 0) {
        last = std::strerror(soerr);
        close(fd);
        continue;
      }
    } else if (r != 0) {
      last = std::strerror(errno);
      close(fd);
      continue;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (e.keepalive_s > 0) {
      // The kernel's probes keep NAT state alive and notice a dead peer.
      int idle = e.keepalive_s, count = 4;
      setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof idle);
      setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
    }
    freeaddrinfo(res);
    return fd;
  }
  freeaddrinfo(res);
  *error = "cannot connect to " + e.host + ":" + std::to_string(e.port) + ": " + last;
  return -1;
}

int KnownHostKeyType(int hostkey_type) {
  switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA: return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS: return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384: return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521: return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519: return LIBSSH2_KNOWNHOST_KEY_ED25519;
  }
  return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

std::string LastError(LIBSSH2_SESSION* s) {
  char* msg = nullptr;
  libssh2_session_last_error(s, &msg, nullptr, 0);
  return msg ? msg : "unknown error";
}

// What went wrong in an SFTP call: the server's status where it sent one.
std::string SftpError(LIBSSH2_SESSION* s, LIBSSH2_SFTP* sftp) {
  if (libssh2_session_last_errno(s) != LIBSSH2_ERROR_SFTP_PROTOCOL) return LastError(s);
  switch (libssh2_sftp_last_error(sftp)) {
    case LIBSSH2_FX_NO_SUCH_FILE:
    case LIBSSH2_FX_NO_SUCH_PATH: return "no such file or directory";
    case LIBSSH2_FX_PERMISSION_DENIED: return "permission denied";
    case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM: return "no space left on the device";
    case LIBSSH2_FX_QUOTA_EXCEEDED: return "disk quota exceeded";
    case LIBSSH2_FX_WRITE_PROTECT: return "read-only file system";
    // OpenSSH's server reports a full disk as a plain failure.
    case LIBSSH2_FX_FAILURE: return "the server refused the write (disk full?)";
  }
  return "SFTP status " + std::to_string(libssh2_sftp_last_error(sftp));
}

}  // namespace

struct SshSession::Impl {
  SshEndpoint endpoint;
  int fd = -1;
  LIBSSH2_SESSION* session = nullptr;
  LIBSSH2_SFTP* sftp = nullptr;  // opened on the first upload
  // Reached through a jump host: its session, which relays our socket.
  std::unique_ptr<Impl> jump;

  // As a jump host: the channel to the target and the thread relaying it
  // to relay_fd, the far end of the target session's socket pair. Only that
  // thread touches this session once it runs.
  LIBSSH2_CHANNEL* tunnel = nullptr;
  int relay_fd = -1;
  std::thread relay;
  std::atomic<bool> stop{false};

  ~Impl() {
    if (relay.joinable()) {
      stop = true;
      relay.join();
    }
    if (relay_fd >= 0) close(relay_fd);
    if (sftp) {
      libssh2_session_set_blocking(session, 1);
      libssh2_sftp_shutdown(sftp);
    }
    if (tunnel) {
      libssh2_session_set_blocking(session, 1);
      libssh2_channel_free(tunnel);
    }
    if (session) {
      libssh2_session_set_blocking(session, 1);
      libssh2_session_disconnect(session, "bye");
      libssh2_session_free(session);
    }
    if (fd >= 0) close(fd);
    // `jump` goes after our session has said goodbye through it.
  }

  // Opens a channel from this (jump) host to `to` and starts relaying it;
  // *inner_fd is the socket the target's session uses.
  bool OpenTunnel(const SshEndpoint& to, int* inner_fd, std::string* error) {
    libssh2_session_set_blocking(session, 1);
    libssh2_session_set_timeout(session, to.connect_timeout_ms);
    tunnel = libssh2_channel_direct_tcpip_ex(session, to.host.c_str(), to.port, "127.0.0.1", 22);
    if (!tunnel) {
      *error = "the bastion " + HostPort(endpoint) + " cannot reach " + to.host + ":" +
               std::to_string(to.port) + ": " + LastError(session);
      return false;
    }
    int pair[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
      *error = std::string("socketpair: ") + std::strerror(errno);
      return false;
    }
    relay_fd = pair[1];
    fcntl(relay_fd, F_SETFL, fcntl(relay_fd, F_GETFL) | O_NONBLOCK);
    *inner_fd = pair[0];
    relay = std::thread([this] { Relay(); });
    return true;
  }

  // Copies bytes both ways between relay_fd and the tunnel until either
  // side ends or the session is closed; keepalives go out while idle.
  void Relay() {
    libssh2_session_set_blocking(session, 0);
    std::vector<char> to_channel, to_socket;
    char buf[32768];
    bool socket_eof = false;
    while (!stop) {
      bool progress = false;
      if (to_channel.empty() && !socket_eof) {
        ssize_t n = read(relay_fd, buf, sizeof buf);
        if (n > 0) {
          to_channel.assign(buf, buf + n);
          progress = true;
        } else if (n == 0) {
          socket_eof = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          break;
        }
      }
      if (!to_channel.empty()) {
        ssize_t n = libssh2_channel_write(tunnel, to_channel.data(), to_channel.size());
        if (n > 0) {
          to_channel.erase(to_channel.begin(), to_channel.begin() + n);
          progress = true;
        } else if (n != LIBSSH2_ERROR_EAGAIN) {
          break;
        }
      }
      if (socket_eof && to_channel.empty()) break;  // the target session closed
      if (to_socket.empty()) {
        ssize_t n = libssh2_channel_read(tunnel, buf, sizeof buf);
        if (n > 0) {
          to_socket.assign(buf, buf + n);
          progress = true;
        } else if ((n == 0 && libssh2_channel_eof(tunnel)) ||
                   (n < 0 && n != LIBSSH2_ERROR_EAGAIN)) {
          break;
        }
      }
      if (!to_socket.empty()) {
        ssize_t n = write(relay_fd, to_socket.data(), to_socket.size());
        if (n > 0) {
          to_socket.erase(to_socket.begin(), to_socket.begin() + n);
          progress = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          break;
        }
      }
      if (progress) continue;
      int next = 0;
      if (endpoint.keepalive_s > 0) libssh2_keepalive_send(session, &next);
      pollfd p[2] = {{relay_fd, 0, 0}, {fd, 0, 0}};
      if (to_channel.empty() && !socket_eof) p[0].events |= POLLIN;
      if (!to_socket.empty()) p[0].events |= POLLOUT;
      int dir = libssh2_session_block_directions(session);
      p[1].events = POLLIN | ((dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0);
      poll(p, 2, 200);
    }
    // The target session sees its socket end.
    shutdown(relay_fd, SHUT_RDWR);
  }

  // The offered key and its standing in known_hosts.
  bool ReadHostKey(HostKey* out, std::string* error) {
    size_t len = 0;
    int type = 0;
    const char* key = libssh2_session_hostkey(session, &len, &type);
    if (!key) {
      *error = "no host key from " + endpoint.host;
      return false;
    }
    const unsigned char* hash = reinterpret_cast<const unsigned char*>(
        libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256));
    out->type = KeyTypeName(type);
    out->base64 = Base64(std::string_view(key, len));
    out->fingerprint =
        hash ? "SHA256:" + Base64(std::string_view(reinterpret_cast<const char*>(hash), 32), false)
             : "(unknown)";
    out->status = HostKey::Status::kUnknown;
    if (endpoint.known_hosts.empty() || access(endpoint.known_hosts.c_str(), F_OK) != 0) {
      return true;
    }
    LIBSSH2_KNOWNHOSTS* kh = libssh2_knownhost_init(session);
    if (libssh2_knownhost_readfile(kh, endpoint.known_hosts.c_str(),
                                   LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
      libssh2_knownhost_free(kh);
      *error = "cannot read known_hosts file " + endpoint.known_hosts;
      return false;
    }
    libssh2_knownhost* entry = nullptr;
    int check = libssh2_knownhost_checkp(
        kh, endpoint.host.c_str(), endpoint.port, key, len,
        LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | KnownHostKeyType(type),
        &entry);
    libssh2_knownhost_free(kh);
    if (check == LIBSSH2_KNOWNHOST_CHECK_MATCH) out->status = HostKey::Status::kKnown;
    if (check == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) out->status = HostKey::Status::kChanged;
    if (check == LIBSSH2_KNOWNHOST_CHECK_FAILURE) {
      *error = "cannot check the host key of " + HostPort(endpoint);
      return false;
    }
    return true;
  }

  bool VerifyHostKey(std::string* error) {
    std::string who = HostPort(endpoint);
    if (endpoint.known_hosts.empty()) {
      *error = "no known_hosts file is configured, so the host key of " + who +
               " cannot be verified; set known_hosts: in the ssh provider";
      return false;
    }
    HostKey key;
    if (!ReadHostKey(&key, error)) return false;
    std::string trust_hint = "check the fingerprint with the host's owner, then record it with "
                             "`mfgctl trust` (docs/cli.md)";
    switch (key.status) {
      case HostKey::Status::kKnown:
        return true;
      case HostKey::Status::kChanged:
        *error = "host key of " + who + " has CHANGED (now " + key.fingerprint + ") and does "
                 "not match " + endpoint.known_hosts + "; refusing to connect (possible "
                 "man-in-the-middle). If the host was reinstalled, remove the old key with "
                 "`ssh-keygen -R " + who + " -f " + endpoint.known_hosts + "`, then " +
                 trust_hint;
        return false;
      case HostKey::Status::kUnknown:
        *error = "host key of " + who + " (" + key.fingerprint + ") is unknown: it is not in " +
                 endpoint.known_hosts + "; refusing to connect. To trust it, " + trust_hint;
        return false;
    }
    return false;
  }

  bool Authenticate(std::string* error) {
    const std::string& user = endpoint.user;
    if (!endpoint.identity_file.empty()) {
      if (access(endpoint.identity_file.c_str(), R_OK) != 0) {
        *error = "cannot read identity_file " + endpoint.identity_file + ": " +
                 std::strerror(errno);
        return false;
      }
      int rc = libssh2_userauth_publickey_fromfile_ex(
          session, user.c_str(), static_cast<unsigned>(user.size()), nullptr,
          endpoint.identity_file.c_str(), nullptr);
      if (rc == 0) return true;
      *error = "authentication as " + user + "@" + endpoint.host + " with " +
               endpoint.identity_file + " failed: " + LastError(session);
      return false;
    }
    LIBSSH2_AGENT* agent = libssh2_agent_init(session);
    if (!agent || libssh2_agent_connect(agent) != 0 || libssh2_agent_list_identities(agent) != 0) {
      if (agent) libssh2_agent_free(agent);
      *error = "no identity_file is set and no ssh-agent is reachable (SSH_AUTH_SOCK)";
      return false;
    }
    libssh2_agent_publickey* id = nullptr;
    libssh2_agent_publickey* prev = nullptr;
    bool ok = false;
    while (libssh2_agent_get_identity(agent, &id, prev) == 0) {
      if (libssh2_agent_userauth(agent, user.c_str(), id) == 0) {
        ok = true;
        break;
      }
      prev = id;
    }
    libssh2_agent_disconnect(agent);
    libssh2_agent_free(agent);
    if (!ok) *error = "no ssh-agent key is accepted for " + user + "@" + endpoint.host;
    return ok;
  }

  // Waits until the socket is ready in the direction libssh2 is blocked on.
  bool Wait(Clock::time_point deadline) {
    int dir = libssh2_session_block_directions(session);
    pollfd p{fd, 0, 0};
    if (dir & LIBSSH2_SESSION_BLOCK_INBOUND) p.events |= POLLIN;
    if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND) p.events |= POLLOUT;
    if (p.events == 0) p.events = POLLIN;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    return poll(&p, 1, static_cast<int>(std::min<long>(left.count(), 1000))) >= 0;
  }
};

SshSession::SshSession(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SshSession::~SshSession() = default;

std::string HostKey::KnownHostsLine(const SshEndpoint& endpoint) const {
  return HostPort(endpoint) + " " + type + " " + base64;
}

bool SshSession::ScanHostKey(const SshEndpoint& endpoint, HostKey* key, std::string* error) {
  auto impl = Handshake(endpoint, error);
  return impl && impl->ReadHostKey(key, error);
}

std::unique_ptr<SshSession> SshSession::Connect(const SshEndpoint& endpoint, std::string* error) {
  auto impl = Login(endpoint, error);
  if (!impl) return nullptr;
  libssh2_session_set_timeout(impl->session, endpoint.command_timeout_ms);
  return std::unique_ptr<SshSession>(new SshSession(std::move(impl)));
}

std::unique_ptr<SshSession::Impl> SshSession::Login(const SshEndpoint& endpoint,
                                                    std::string* error) {
  auto impl = Handshake(endpoint, error);
  if (!impl || !impl->VerifyHostKey(error) || !impl->Authenticate(error)) return nullptr;
  if (endpoint.keepalive_s > 0) libssh2_keepalive_config(impl->session, 1, endpoint.keepalive_s);
  return impl;
}

std::unique_ptr<SshSession::Impl> SshSession::Handshake(const SshEndpoint& endpoint,
                                                        std::string* error) {
  InitLibssh2Once();
  auto impl = std::make_unique<Impl>();
  impl->endpoint = endpoint;
  if (endpoint.jump) {
    impl->jump = Login(*endpoint.jump, error);
    if (!impl->jump) {
      *error = "through the bastion " + HostPort(*endpoint.jump) + ": " + *error;
      return nullptr;
    }
    if (!impl->jump->OpenTunnel(endpoint, &impl->fd, error)) return nullptr;
  } else {
    impl->fd = ConnectSocket(endpoint, error);
  }
  if (impl->fd < 0) return nullptr;
  impl->session = libssh2_session_init_ex(nullptr, nullptr, nullptr, nullptr);
  if (!impl->session) {
    *error = "cannot create an SSH session";
    return nullptr;
  }
  libssh2_session_callback_set(impl->session, LIBSSH2_CALLBACK_RECV,
                               reinterpret_cast<void*>(&RecvQuickAck));
  libssh2_session_method_pref(impl->session, LIBSSH2_METHOD_HOSTKEY,
                              "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
                              "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa");
  libssh2_session_set_blocking(impl->session, 1);
  libssh2_session_set_timeout(impl->session, endpoint.connect_timeout_ms);
  if (libssh2_session_handshake(impl->session, impl->fd) != 0) {
    *error = "SSH handshake with " + HostPort(endpoint) + " failed: " + LastError(impl->session);
    return nullptr;
  }
  return impl;
}

bool SshSession::Run(const std::string& command, std::string_view input, CommandResult* result,
                     std::string* error, const OutputWatch& watch) {
  LIBSSH2_SESSION* s = impl_->session;
  auto deadline = Clock::now() + std::chrono::milliseconds(impl_->endpoint.command_timeout_ms);
  libssh2_session_set_blocking(s, 1);
  LIBSSH2_CHANNEL* ch = libssh2_channel_open_session(s);
  if (!ch) {
    *error = "cannot open an SSH channel: " + LastError(s);
    return false;
  }
  if (libssh2_channel_exec(ch, command.c_str()) != 0) {
    *error = "cannot start a command: " + LastError(s);
    libssh2_channel_free(ch);
    return false;
  }
  // Feed stdin and drain stdout and stderr in one non-blocking loop: doing
  // them one after the other can deadlock on full windows.
  libssh2_session_set_blocking(s, 0);
  *result = CommandResult{};
  size_t written = 0;
  bool eof_sent = false;
  char buf[32768];
  bool ok = true;
  for (;;) {
    bool progress = false;
    if (!eof_sent) {
      if (written < input.size()) {
        ssize_t n = libssh2_channel_write(ch, input.data() + written, input.size() - written);
        if (n > 0) {
          written += static_cast<size_t>(n);
          progress = true;
        } else if (n != LIBSSH2_ERROR_EAGAIN) {
          *error = "lost the connection while sending input: " + LastError(s);
          ok = false;
          break;
        }
      }
      if (written == input.size() && libssh2_channel_send_eof(ch) != LIBSSH2_ERROR_EAGAIN) {
        eof_sent = true;
        progress = true;
      }
    }
    size_t seen = result->out.size();
    for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
      for (;;) {
        ssize_t n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf);
        if (n > 0) {
          (stream == 0 ? result->out : result->err).append(buf, static_cast<size_t>(n));
          progress = true;
          continue;
        }
        if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
          *error = "lost the connection: " + LastError(s);
          ok = false;
        }
        break;
      }
    }
    if (!ok) break;
    if (watch && result->out.size() > seen) watch(result->out);
    if (libssh2_channel_eof(ch)) break;
    if (!progress && impl_->endpoint.keepalive_s > 0) {
      int next = 0;
      libssh2_keepalive_send(s, &next);
    }
    if (!progress && !impl_->Wait(deadline)) {
      *error = "command timed out after " +
               std::to_string(impl_->endpoint.command_timeout_ms / 1000) + " s";
      ok = false;
      break;
    }
  }
  libssh2_session_set_blocking(s, 1);
  if (ok) {
    libssh2_channel_close(ch);
    libssh2_channel_wait_closed(ch);
    result->exit_status = libssh2_channel_get_exit_status(ch);
  }
  libssh2_channel_free(ch);
  return ok;
}

bool SshSession::Upload(const std::string& local_path, const std::string& remote_path,
                        std::string* sent_digest, std::string* error) {
  LIBSSH2_SESSION* s = impl_->session;
  libssh2_session_set_blocking(s, 1);  // bounded by the command timeout
  if (!impl_->sftp && !(impl_->sftp = libssh2_sftp_init(s))) {
    *error = "cannot start SFTP: " + LastError(s);
    return false;
  }
  std::unique_ptr<FILE, int (*)(FILE*)> in(std::fopen(local_path.c_str(), "rb"), &std::fclose);
  if (!in) {
    *error = "cannot read " + local_path + ": " + std::strerror(errno);
    return false;
  }
  LIBSSH2_SFTP_HANDLE* out = libssh2_sftp_open_ex(
      impl_->sftp, remote_path.c_str(), static_cast<unsigned>(remote_path.size()),
      LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT | LIBSSH2_FXF_TRUNC, 0600, LIBSSH2_SFTP_OPENFILE);
  if (!out) {
    *error = "cannot create " + remote_path + ": " + SftpError(s, impl_->sftp);
    return false;
  }
  // Large writes let libssh2 keep many SFTP packets in flight.
  std::vector<char> buf(1 << 22);
  Sha256Stream hash;
  bool ok = true;
  size_t n;
  while (ok && (n = std::fread(buf.data(), 1, buf.size(), in.get())) > 0) {
    hash.Update(buf.data(), n);
    for (size_t off = 0; off < n;) {
      ssize_t w = libssh2_sftp_write(out, buf.data() + off, n - off);
      if (w < 0) {
        *error = "writing " + remote_path + " failed: " + SftpError(s, impl_->sftp);
        ok = false;
        break;
      }
      off += static_cast<size_t>(w);
    }
  }
  if (ok && std::ferror(in.get())) {
    *error = "cannot read " + local_path;
    ok = false;
  }
  if (libssh2_sftp_close_handle(out) != 0 && ok) {
    *error = "writing " + remote_path + " failed: " + SftpError(s, impl_->sftp);
    ok = false;
  }
  *sent_digest = hash.Digest();
  return ok;
}

}  // namespace mfgctl
