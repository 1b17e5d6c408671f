// Helpers for gofer tests: a host directory tree and a server running on a
// thread behind a socketpair, with a client on the other end.
#pragma once

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "gofer/client.h"
#include "gofer/server.h"

namespace cocoon::gofer::testing {

namespace stdfs = std::filesystem;

// A temporary host directory, removed afterwards.
class TempTree {
 public:
  TempTree()
      : root_(stdfs::temp_directory_path() /
              ("cocoon-gofer-" + std::to_string(getpid()) + "-" + std::to_string(counter_++))) {
    stdfs::create_directories(root_);
  }
  ~TempTree() {
    std::error_code ec;
    stdfs::remove_all(root_, ec);
  }
  void Write(const std::string& rel, const std::string& data) {
    stdfs::create_directories((root_ / rel).parent_path());
    std::ofstream(root_ / rel) << data;
  }
  std::string Read(const std::string& rel) const {
    std::ifstream in(root_ / rel);
    if (!in) return "<missing>";
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  void Mkdir(const std::string& rel) { stdfs::create_directories(root_ / rel); }
  void Symlink(const std::string& target, const std::string& rel) { stdfs::create_symlink(target, root_ / rel); }
  bool Exists(const std::string& rel) const { return stdfs::exists(stdfs::symlink_status(root_ / rel)); }
  std::string path(const std::string& rel = "") const { return rel.empty() ? root_.string() : (root_ / rel).string(); }
  UniqueFd OpenDir(const std::string& rel = "") const {
    return UniqueFd(open(path(rel).c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }

 private:
  static inline int counter_ = 0;
  stdfs::path root_;
};

// A Server on its own thread, serving one end of a socketpair until the
// client end closes.
class ServedClient {
 public:
  ServedClient(UniqueFd root, bool read_only, std::vector<ServedMount> mounts = {}) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) abort();
    server_socket_.reset(sv[1]);
    server_ = std::make_unique<Server>(std::move(root), read_only, std::move(mounts));
    client_ = std::make_shared<Client>(UniqueFd(sv[0]));
    thread_ = std::thread([this] { served_ok_ = server_->Serve(server_socket_.get()).has_value(); });
  }
  ~ServedClient() { Stop(); }
  // Closes the client end and waits for the server to see EOF.
  void Stop() {
    if (!thread_.joinable()) return;
    client_.reset();
    thread_.join();
  }
  Client& client() { return *client_; }
  std::shared_ptr<Client> shared_client() { return client_; }
  Server& server() { return *server_; }
  bool served_ok() const { return served_ok_; }

 private:
  UniqueFd server_socket_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<Client> client_;
  std::thread thread_;
  bool served_ok_ = false;
};

// Checked accessors for expectations: a failed call gives a value no test
// expects, never a dereference of an error.
inline std::string ReadlinkOf(Client& c, uint64_t handle) {
  auto r = c.Readlink(handle);
  return r ? *r : "ERR" + std::to_string(r.error());
}
inline NodeStat StatOf(Client& c, uint64_t handle) {
  auto r = c.Stat(handle);
  return r ? *r : NodeStat{.mode = 0xffffffff, .uid = 0xffffffff, .gid = 0xffffffff};
}

}  // namespace cocoon::gofer::testing
