// Integration-test harness: process runner, pty and console-socket helpers,
// host inspection (processes, cgroups) and the per-test bundle fixture.
#include "harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "base/file.h"

extern char** environ;

namespace cocoon::integration {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string JoinArgs(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& arg : argv) {
    if (!line.empty()) line += ' ';
    bool plain = !arg.empty() && arg.find_first_of(" \t\n'\"$;&|<>()*?") == std::string::npos;
    line += plain ? arg : "'" + arg + "'";
  }
  return line;
}

UniqueFd MemFile(const char* name, const std::string& contents) {
  UniqueFd fd(memfd_create(name, MFD_CLOEXEC));
  if (!fd) return fd;
  if (!contents.empty() && !WriteAll(fd.get(), contents)) return UniqueFd();
  lseek(fd.get(), 0, SEEK_SET);
  return fd;
}

std::string ReadMemFile(int fd) {
  lseek(fd, 0, SEEK_SET);
  auto data = ReadFd(fd);
  return data ? *data : std::string("<unreadable: ") + data.error().message() + ">";
}

// The inherited environment with `extra` NAME=VALUE entries set on top.
std::vector<std::string> MergedEnv(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  auto name_of = [](const std::string& entry) { return entry.substr(0, entry.find('=')); };
  for (char** e = environ; *e != nullptr; ++e) {
    std::string entry(*e);
    bool overridden = false;
    for (const auto& x : extra) overridden |= name_of(x) == name_of(entry);
    if (!overridden) env.push_back(entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int DecodeWaitStatus(int ws) {
  if (WIFEXITED(ws)) return WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) return 128 + WTERMSIG(ws);
  return -1;
}

// Waits for `pid` to exit within `timeout`; kills its process group first if
// it does not. Returns the decoded status and sets `timed_out`.
int WaitWithTimeout(pid_t pid, std::chrono::milliseconds timeout, bool* timed_out) {
  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  *timed_out = false;
  if (pidfd) {
    pollfd pfd{.fd = pidfd.get(), .events = POLLIN, .revents = 0};
    int ready;
    do {
      ready = poll(&pfd, 1, static_cast<int>(timeout.count()));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      *timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
    }
  }
  int ws = 0;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  return DecodeWaitStatus(ws);
}

std::atomic<int> id_counter{0};

// The pristine bundle each test copies: the one the build made with
// scripts/make-bundle.sh, or else one made once per test process (and
// removed when the test program ends).
class BundleTemplate : public ::testing::Environment {
 public:
  static BundleTemplate* Get() {
    static BundleTemplate* instance = [] {
      auto* env = new BundleTemplate();
      ::testing::AddGlobalTestEnvironment(env);  // gtest owns it
      return env;
    }();
    return instance;
  }

  // The template's path, made on first use; "" (with `error` set) on failure.
  std::string Path(std::string* error) {
    std::lock_guard lock(mu_);
    if (path_.empty() && error_.empty()) Make();
    *error = error_;
    return path_;
  }

  void TearDown() override {
    std::lock_guard lock(mu_);
    if (!path_.empty() && path_ != COCOON_BUNDLE_TEMPLATE) {
      std::error_code ec;
      fs::remove_all(path_, ec);
      path_.clear();
    }
  }

 private:
  void Make() {
    if (fs::exists(std::string(COCOON_BUNDLE_TEMPLATE) + "/config.json")) {
      path_ = COCOON_BUNDLE_TEMPLATE;  // made at build time; shared, never removed
      return;
    }
    std::string dir = fmt::format("/tmp/cocoon-it-{}-template", getpid());
    std::error_code ec;
    fs::remove_all(dir, ec);
    std::string script = std::string(COCOON_SOURCE_DIR) + "/scripts/make-bundle.sh";
    RunResult r = RunCommand({"bash", script, dir}, {.timeout = 120s});
    if (!r.ok()) {
      error_ = "make-bundle.sh failed: " + r.Describe();
      return;
    }
    path_ = dir;
  }

  std::mutex mu_;
  std::string path_;
  std::string error_;
};

// Our own cgroup path per hierarchy line key ("4:memory"), to tell the
// runtime's cgroups from the ones a container merely inherits.
std::map<std::string, std::string> CgroupLines(pid_t pid) {
  std::map<std::string, std::string> lines;
  std::istringstream in(ReadFileOrEmpty(fmt::format("/proc/{}/cgroup", pid)));
  std::string line;
  while (std::getline(in, line)) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    lines[line.substr(first + 1, second - first - 1)] = line.substr(second + 1);
  }
  return lines;
}

std::string HierarchyDir(const std::string& controllers) {
  if (controllers.empty()) {
    return fs::exists("/sys/fs/cgroup/unified/cgroup.controllers") ? "/sys/fs/cgroup/unified"
                                                                   : "/sys/fs/cgroup";
  }
  std::string first = controllers.substr(0, controllers.find(','));
  if (first.rfind("name=", 0) == 0) first = first.substr(5);
  for (const std::string& candidate : {"/sys/fs/cgroup/" + first, "/sys/fs/cgroup/" + controllers}) {
    if (fs::is_directory(candidate)) return candidate;
  }
  return "";
}

// Unmounts (lazily) anything mounted at or below `dir`, deepest first, so
// that removing `dir` never reaches into a bind-mounted host directory.
void UnmountBelow(const std::string& dir) {
  std::vector<std::string> points;
  std::istringstream in(ReadFileOrEmpty("/proc/self/mountinfo"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, point;
    fields >> id >> parent >> devno >> root >> point;
    if (point == dir || point.rfind(dir + "/", 0) == 0) points.push_back(point);
  }
  std::sort(points.begin(), points.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& point : points) umount2(point.c_str(), MNT_DETACH);
}

}  // namespace

std::string RunResult::Describe() const {
  return fmt::format("`{}` -> status {}{}\n--- stdout ---\n{}\n--- stderr ---\n{}", command, status,
                     timed_out ? " (TIMED OUT)" : "", out, err);
}

RunResult RunCommand(const std::vector<std::string>& argv, const RunOptions& options) {
  RunResult result;
  result.command = JoinArgs(argv);
  UniqueFd in = MemFile("stdin", options.stdin_data);
  UniqueFd out = MemFile("stdout", "");
  UniqueFd err = MemFile("stderr", "");
  if (!in || !out || !err) {
    result.err = "harness: memfd_create failed";
    return result;
  }
  std::vector<std::string> args = argv;
  std::vector<std::string> env = MergedEnv(options.env);
  std::vector<char*> cargs = CStrings(args);
  std::vector<char*> cenv = CStrings(env);
  const char* cwd = options.cwd.empty() ? nullptr : options.cwd.c_str();

  pid_t pid = fork();
  if (pid < 0) {
    result.err = std::string("harness: fork: ") + strerror(errno);
    return result;
  }
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    setpgid(0, 0);
    if (dup2(in.get(), 0) < 0 || dup2(out.get(), 1) < 0 || dup2(err.get(), 2) < 0) _exit(126);
    if (cwd != nullptr && chdir(cwd) != 0) _exit(126);
    execvpe(cargs[0], cargs.data(), cenv.data());
    _exit(127);
  }
  setpgid(pid, pid);
  result.status = WaitWithTimeout(pid, options.timeout, &result.timed_out);
  result.out = ReadMemFile(out.get());
  result.err = ReadMemFile(err.get());
  return result;
}

RunResult RunInPty(const std::vector<std::string>& argv, const std::string& input,
                   std::chrono::milliseconds timeout) {
  RunResult result;
  result.command = "[pty] " + JoinArgs(argv);
  UniqueFd master(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!master || grantpt(master.get()) != 0 || unlockpt(master.get()) != 0) {
    result.err = std::string("harness: posix_openpt: ") + strerror(errno);
    return result;
  }
  std::string slave_path = ptsname(master.get());
  winsize size{.ws_row = 24, .ws_col = 80, .ws_xpixel = 0, .ws_ypixel = 0};
  ioctl(master.get(), TIOCSWINSZ, &size);
  std::vector<std::string> args = argv;
  std::vector<char*> cargs = CStrings(args);

  pid_t pid = fork();
  if (pid < 0) {
    result.err = std::string("harness: fork: ") + strerror(errno);
    return result;
  }
  if (pid == 0) {
    setsid();
    int slave = open(slave_path.c_str(), O_RDWR);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) _exit(126);
    if (dup2(slave, 0) < 0 || dup2(slave, 1) < 0 || dup2(slave, 2) < 0) _exit(126);
    if (slave > 2) close(slave);
    execvp(cargs[0], cargs.data());
    _exit(127);
  }
  // Typed input waits in the terminal's buffer until the program reads it.
  if (!input.empty()) (void)WriteAll(master.get(), input);
  auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (Clock::now() < deadline) {
    pollfd pfd{.fd = master.get(), .events = POLLIN, .revents = 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = poll(&pfd, 1, static_cast<int>(std::max<long>(left.count(), 1)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = read(master.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EIO: every slave fd is closed
    result.out.append(buf, static_cast<size_t>(n));
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  result.status = WaitWithTimeout(pid, std::max(left, std::chrono::milliseconds(1000)),
                                  &result.timed_out);
  return result;
}

std::string FindInPath(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "/usr/sbin:/usr/bin:/sbin:/bin");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::string candidate = dir + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::string RuntimePath() {
  const char* env = getenv("COCOON_RUNTIME");
  std::string runtime = env != nullptr && *env != '\0' ? env : COCOON_DEFAULT_RUNTIME;
  std::string found = FindInPath(runtime);
  return found.empty() ? runtime : found;
}

bool RuntimeIsRunc() { return fs::path(RuntimePath()).filename() == "runc"; }

bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || kill(pid, 0) != 0) return false;
  std::string stat = ReadFileOrEmpty(fmt::format("/proc/{}/stat", pid));
  auto paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() || stat[paren + 2] != 'Z';
}

std::vector<std::string> CgroupDirsOf(pid_t pid) {
  std::vector<std::string> dirs;
  auto ours = CgroupLines(getpid());
  for (const auto& [controllers, path] : CgroupLines(pid)) {
    if (path == "/" || ours[controllers] == path) continue;
    std::string hierarchy = HierarchyDir(controllers);
    if (!hierarchy.empty() && fs::is_directory(hierarchy + path)) dirs.push_back(hierarchy + path);
  }
  return dirs;
}

std::vector<std::string> FindCgroupDirs(const std::string& fragment) {
  std::vector<std::string> found;
  std::error_code ec;
  fs::recursive_directory_iterator it("/sys/fs/cgroup", fs::directory_options::skip_permission_denied,
                                      ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) {
      continue;
    }
    if (it.depth() >= 4) it.disable_recursion_pending();
    if (it->path().filename().string().find(fragment) != std::string::npos) {
      found.push_back(it->path().string());
    }
  }
  return found;
}

std::vector<pid_t> ProcessesTaggedWith(const std::string& marker_env,
                                       const std::string& cgroup_fragment) {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t pid = std::stoi(name);
    if (pid == getpid()) continue;
    bool tagged = ReadFileOrEmpty("/proc/" + name + "/cgroup").find(cgroup_fragment) !=
                  std::string::npos;
    std::string environ_data = ReadFileOrEmpty("/proc/" + name + "/environ");
    for (size_t pos = 0; !tagged && pos < environ_data.size();) {
      size_t end = environ_data.find('\0', pos);
      if (end == std::string::npos) end = environ_data.size();
      tagged = environ_data.compare(pos, end - pos, marker_env) == 0;
      pos = end + 1;
    }
    if (tagged && ProcessAlive(pid)) pids.push_back(pid);
  }
  return pids;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!Trim(line).empty()) lines.push_back(line);
  }
  return lines;
}

std::string Trim(const std::string& text) {
  const char* space = " \t\r\n";
  auto begin = text.find_first_not_of(space);
  if (begin == std::string::npos) return "";
  return text.substr(begin, text.find_last_not_of(space) - begin + 1);
}

std::string ReadFileOrEmpty(const std::string& path) {
  auto data = ReadFile(path);
  return data ? *data : "";
}

void WriteTextFile(const std::string& path, const std::string& text) {
  auto written = WriteFile(path, text, O_CREAT);
  ASSERT_TRUE(written) << written.error().message();
}

ConsoleSocket::ConsoleSocket(std::string path) : path_(std::move(path)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path_.size() >= sizeof addr.sun_path) return;
  std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
  UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd || bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(fd.get(), 4) != 0) {
    return;
  }
  listen_fd_ = std::move(fd);
}

ConsoleSocket::~ConsoleSocket() {
  if (listen_fd_) unlink(path_.c_str());
}

UniqueFd ConsoleSocket::ReceiveMaster(std::chrono::milliseconds timeout) {
  pollfd pfd{.fd = listen_fd_.get(), .events = POLLIN, .revents = 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return UniqueFd();
  UniqueFd conn(accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
  if (!conn) return UniqueFd();
  // runc sends the pty's name as the data and the master as SCM_RIGHTS.
  char name[4096];
  iovec iov{.iov_base = name, .iov_len = sizeof name};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  pfd = {.fd = conn.get(), .events = POLLIN, .revents = 0};
  if (poll(&pfd, 1, static_cast<int>(timeout.count())) <= 0) return UniqueFd();
  if (recvmsg(conn.get(), &msg, MSG_CMSG_CLOEXEC) < 0) return UniqueFd();
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return UniqueFd(fd);
    }
  }
  return UniqueFd();
}

std::string ReadUntil(int fd, const std::string& needle, std::chrono::milliseconds timeout) {
  std::string seen;
  auto deadline = Clock::now() + timeout;
  char buf[4096];
  while (seen.find(needle) == std::string::npos && Clock::now() < deadline) {
    pollfd pfd{.fd = fd, .events = POLLIN, .revents = 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = poll(&pfd, 1, static_cast<int>(std::max<long>(left.count(), 1)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    seen.append(buf, static_cast<size_t>(n));
  }
  return seen;
}

void RuntimeTest::SetUp() {
  COCOON_REQUIRE_ROOT();
  std::string runtime = RuntimePath();
  if (access(runtime.c_str(), X_OK) != 0) {
    GTEST_SKIP() << "runtime " << runtime
                 << " is not built or not executable (build target `cocoon` or set COCOON_RUNTIME)";
  }
  std::string error;
  std::string tmpl = BundleTemplate::Get()->Path(&error);
  ASSERT_FALSE(tmpl.empty()) << error;

  tag_ = fmt::format("cocoon-it-{}-{}", getpid(), id_counter++);
  tmp_ = "/tmp/" + tag_;
  bundle_ = tmp_ + "/bundle";
  rootfs_ = bundle_ + "/rootfs";
  root_ = tmp_ + "/state";
  std::error_code ec;
  fs::remove_all(tmp_, ec);
  fs::create_directories(tmp_, ec);
  ASSERT_FALSE(ec) << "mkdir " << tmp_ << ": " << ec.message();
  // Traversable by any uid: user-namespace containers resolve their rootfs
  // as a mapped, unprivileged host uid.
  fs::permissions(tmp_, fs::perms(0755), ec);
  fs::copy(tmpl, bundle_, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
  ASSERT_FALSE(ec) << "copy bundle to " << bundle_ << ": " << ec.message();

  config_ = json::parse(ReadFileOrEmpty(bundle_ + "/config.json"), nullptr, false);
  ASSERT_TRUE(config_.is_object()) << "template config.json did not parse";
  config_["process"]["env"].push_back(marker_env());
  SaveConfig();
}

void RuntimeTest::TearDown() {
  if (tmp_.empty()) return;
  std::vector<std::string> ids;
  {
    std::lock_guard lock(ids_mu_);
    ids = ids_;
  }
  for (const auto& id : ids) Run({"delete", "--force", id}, "", 30s);
  // Anything still running with our marker is ours: never leave it behind.
  std::vector<pid_t> leftovers = LeftoverProcesses();
  for (pid_t pid : leftovers) kill(pid, SIGKILL);
  for (int i = 0; i < 100 && !LeftoverProcesses().empty(); ++i) std::this_thread::sleep_for(20ms);
  // Cgroups named after this test's ids are ours too; children first.
  std::vector<std::string> cgroups = FindCgroupDirs(tag_ + "-c");
  std::sort(cgroups.begin(), cgroups.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  for (const auto& dir : cgroups) rmdir(dir.c_str());
  UnmountBelow(tmp_);
  std::error_code ec;
  fs::remove_all(tmp_, ec);
}

RunResult RuntimeTest::Run(const std::vector<std::string>& args, const std::string& stdin_data,
                           std::chrono::milliseconds timeout) {
  std::vector<std::string> argv = {RuntimePath(), "--root", root_};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, {.stdin_data = stdin_data, .timeout = timeout, .env = {marker_env()}});
}

std::string RuntimeTest::NewId() {
  std::lock_guard lock(ids_mu_);
  std::string id = fmt::format("{}-c{}", tag_, ids_.size());
  ids_.push_back(id);
  return id;
}

void RuntimeTest::SaveConfig() { WriteTextFile(bundle_ + "/config.json", config_.dump(2)); }

void RuntimeTest::SetArgs(const std::vector<std::string>& args) {
  config_["process"]["args"] = args;
}

RunResult RuntimeTest::RunContainer(const std::vector<std::string>& args,
                                    const std::string& stdin_data) {
  SetArgs(args);
  SaveConfig();
  return Run({"run", "--bundle", bundle_, NewId()}, stdin_data, 120s);
}

std::string RuntimeTest::CreateContainer(const std::vector<std::string>& args,
                                         const std::vector<std::string>& extra_flags) {
  SetArgs(args);
  SaveConfig();
  std::string id = NewId();
  std::vector<std::string> argv = {"create", "--bundle", bundle_};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  argv.push_back(id);
  RunResult r = Run(argv);
  if (!r.ok()) {
    ADD_FAILURE() << r.Describe();
    return "";
  }
  return id;
}

std::string RuntimeTest::StartContainer(const std::vector<std::string>& args) {
  std::string id = CreateContainer(args);
  if (id.empty()) return "";
  RunResult r = Run({"start", id});
  if (!r.ok()) {
    ADD_FAILURE() << r.Describe();
    return "";
  }
  return id;
}

json RuntimeTest::State(const std::string& id) {
  RunResult r = Run({"state", id});
  if (!r.ok()) {
    ADD_FAILURE() << r.Describe();
    return nullptr;
  }
  json state = json::parse(r.out, nullptr, false);
  if (state.is_discarded()) {
    ADD_FAILURE() << "state is not JSON: " << r.Describe();
    return nullptr;
  }
  return state;
}

bool RuntimeTest::WaitForStatus(const std::string& id, const std::string& status,
                                std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    RunResult r = Run({"state", id});
    json state = json::parse(r.out, nullptr, false);
    if (r.ok() && state.is_object() && state.value("status", "") == status) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

std::string RuntimeTest::WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    std::string data = ReadFileOrEmpty(path);
    if (!data.empty()) return data;
    std::this_thread::sleep_for(20ms);
  }
  return "";
}

}  // namespace cocoon::integration
