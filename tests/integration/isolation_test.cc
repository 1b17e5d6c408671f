// What the spec's process and linux sections do inside a container: mounts,
// read-only and masked paths, capabilities, rlimits, seccomp, user
// namespaces, hostname, sysctl, oom score, env, cwd and user.
#include <filesystem>
#include <sstream>

#include "harness.h"

namespace cocoon::integration {
namespace {

using IsolationTest = RuntimeTest;

// Collapses runs of whitespace to one space, for /proc tables.
std::string Squeeze(const std::string& text) {
  std::string out;
  bool space = false;
  for (char c : Trim(text)) {
    bool is_space = c == ' ' || c == '\t';
    if (is_space && space) continue;
    out += is_space ? ' ' : c;
    space = is_space;
  }
  return out;
}

// The line of /proc/mounts (as printed by `cat`) for mount point `dir`.
std::string MountLine(const std::string& mounts, const std::string& dir) {
  for (const auto& line : Lines(mounts)) {
    std::istringstream fields(line);
    std::string source, point;
    fields >> source >> point;
    if (point == dir) return line;
  }
  return "";
}

TEST_F(IsolationTest, TmpfsMountWithOptions) {
  config()["mounts"].push_back({{"destination", "/mnt/scratch"},
                                {"type", "tmpfs"},
                                {"source", "tmpfs"},
                                {"options", {"nosuid", "nodev", "size=1m", "mode=0700"}}});
  RunResult r = Sh("cat /proc/mounts; stat -c %a /mnt/scratch");
  ASSERT_EQ(r.status, 0) << r.Describe();
  std::string line = MountLine(r.out, "/mnt/scratch");
  ASSERT_NE(line, "") << r.Describe();
  EXPECT_NE(line.find("tmpfs"), std::string::npos) << line;
  EXPECT_NE(line.find("nosuid"), std::string::npos) << line;
  EXPECT_NE(line.find("nodev"), std::string::npos) << line;
  EXPECT_NE(line.find("size=1024k"), std::string::npos) << line;
  EXPECT_NE(line.find("mode=700"), std::string::npos) << line;
  EXPECT_NE(r.out.find("\n700\n"), std::string::npos) << r.Describe();
}

TEST_F(IsolationTest, BindMountsReadWriteAndReadOnly) {
  std::string shared = tmp() + "/shared";
  std::filesystem::create_directories(shared);
  WriteTextFile(shared + "/hello", "from host\n");
  config()["mounts"].push_back(
      {{"destination", "/rw"}, {"type", "bind"}, {"source", shared}, {"options", {"rbind", "rw"}}});
  config()["mounts"].push_back(
      {{"destination", "/ro"}, {"type", "bind"}, {"source", shared}, {"options", {"bind", "ro"}}});
  RunResult r = Sh("cat /ro/hello; echo written > /rw/new; echo x > /ro/denied");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "from host\n") << r.Describe();
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.Describe();
  EXPECT_EQ(ReadFileOrEmpty(shared + "/new"), "written\n");
  EXPECT_FALSE(std::filesystem::exists(shared + "/denied"));
}

TEST_F(IsolationTest, ReadonlyRoot) {
  config()["root"]["readonly"] = true;
  RunResult r = Sh("touch /newfile");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(rootfs() + "/newfile"));
  // Mounts on top of a read-only root stay writable.
  r = Sh("echo ok > /dev/shm/x && cat /dev/shm/x");
  EXPECT_EQ(r.out, "ok\n") << r.Describe();
}

TEST_F(IsolationTest, MaskedPaths) {
  // /proc/kcore is only there when the kernel has CONFIG_PROC_KCORE; check
  // the first masked /proc file this kernel has.
  std::string proc_file;
  for (const char* candidate : {"/proc/kcore", "/proc/keys", "/proc/timer_list"}) {
    if (std::filesystem::exists(candidate)) {
      proc_file = candidate;
      break;
    }
  }
  ASSERT_NE(proc_file, "") << "none of the masked /proc files exist on this kernel";
  config()["linux"]["maskedPaths"].push_back("/etc/hostname");
  RunResult r = Sh("wc -c < " + proc_file + "; wc -c < /etc/hostname; ls /sys/firmware | wc -l");
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(Squeeze(r.out), "0\n0\n0") << r.Describe();
}

TEST_F(IsolationTest, ReadonlyPaths) {
  config()["linux"]["readonlyPaths"].push_back("/etc");
  RunResult r = Sh("echo other > /proc/sys/kernel/hostname");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.Describe();
  r = Sh("touch /etc/new");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Read-only file system"), std::string::npos) << r.Describe();
  r = Sh("cat /etc/hostname");
  EXPECT_EQ(r.out, "cocoon\n") << r.Describe();
}

std::string StatusField(const std::string& status, const std::string& name) {
  for (const auto& line : Lines(status)) {
    if (line.rfind(name + ":", 0) == 0) return Trim(line.substr(name.size() + 1));
  }
  return "";
}

TEST_F(IsolationTest, DefaultCapabilities) {
  // CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29).
  RunResult r = Sh("cat /proc/self/status");
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(StatusField(r.out, "CapEff"), "0000000020000420") << r.out;
  EXPECT_EQ(StatusField(r.out, "CapBnd"), "0000000020000420") << r.out;
}

TEST_F(IsolationTest, CustomCapabilitySets) {
  // CAP_CHOWN (0) and CAP_NET_RAW (13) everywhere; inheritable only CAP_CHOWN.
  json caps = {"CAP_CHOWN", "CAP_NET_RAW"};
  auto& c = config()["process"]["capabilities"];
  for (const char* set : {"bounding", "effective", "permitted", "ambient"}) c[set] = caps;
  c["inheritable"] = json::array({"CAP_CHOWN", "CAP_NET_RAW"});
  RunResult r = Sh("cat /proc/self/status");
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(StatusField(r.out, "CapEff"), "0000000000002001") << r.out;
  EXPECT_EQ(StatusField(r.out, "CapPrm"), "0000000000002001") << r.out;
  EXPECT_EQ(StatusField(r.out, "CapBnd"), "0000000000002001") << r.out;
  EXPECT_EQ(StatusField(r.out, "CapAmb"), "0000000000002001") << r.out;
  EXPECT_EQ(StatusField(r.out, "CapInh"), "0000000000002001") << r.out;
}

TEST_F(IsolationTest, NoCapabilitiesMeansChownFails) {
  config()["process"]["capabilities"] = json::object();
  config()["process"]["user"] = {{"uid", 0}, {"gid", 0}};
  RunResult r = Sh("grep CapEff /proc/self/status; chown 65534 /tmp");
  EXPECT_NE(r.out.find("0000000000000000"), std::string::npos) << r.Describe();
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.Describe();
}

TEST_F(IsolationTest, Rlimits) {
  config()["process"]["rlimits"] = {
      {{"type", "RLIMIT_NOFILE"}, {"soft", 555}, {"hard", 666}},
      {{"type", "RLIMIT_CORE"}, {"soft", 0}, {"hard", 0}},
  };
  RunResult r = Sh("ulimit -n; ulimit -Hn; ulimit -c");
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "555\n666\n0\n") << r.Describe();
}

TEST_F(IsolationTest, SeccompDeniesSyscallWithErrno) {
  config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"architectures", {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}},
      {"syscalls",
       {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_ERRNO"}, {"errnoRet", 38}},
        {{"names", {"unlink", "unlinkat"}}, {"action", "SCMP_ACT_ERRNO"}}}}};
  RunResult r = Sh("mkdir /tmp/denied");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Function not implemented"), std::string::npos) << r.Describe();  // ENOSYS
  EXPECT_FALSE(std::filesystem::exists(rootfs() + "/tmp/denied"));
  // Without errnoRet the errno is EPERM.
  r = Sh("touch /tmp/f && rm /tmp/f");
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.Describe();
  // Everything else still works.
  r = Sh("echo fine");
  EXPECT_EQ(r.out, "fine\n") << r.Describe();
}

TEST_F(IsolationTest, SeccompArgumentConditions) {
  // kill(pid, SIGUSR2) is denied; kill with any other signal is not.
  config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"syscalls",
       {{{"names", {"kill"}},
         {"action", "SCMP_ACT_ERRNO"},
         {"errnoRet", 1},
         {"args", {{{"index", 1}, {"value", 12}, {"op", "SCMP_CMP_EQ"}}}}}}}};
  RunResult r = Sh("sleep 100 & p=$!; kill -USR2 $p; echo usr2=$?; kill -TERM $p; echo term=$?");
  EXPECT_NE(r.out.find("usr2=1"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("term=0"), std::string::npos) << r.Describe();
}

TEST_F(IsolationTest, UserNamespaceMapping) {
  if (!std::filesystem::exists("/proc/self/ns/user")) GTEST_SKIP() << "no user namespaces";
  config()["linux"]["namespaces"].push_back({{"type", "user"}});
  config()["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  config()["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  RunResult r = Sh("cat /proc/self/uid_map /proc/self/gid_map; id -u");
  ASSERT_EQ(r.status, 0) << r.Describe();
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.Describe();
  EXPECT_EQ(Squeeze(lines[0]), "0 100000 65536");
  EXPECT_EQ(Squeeze(lines[1]), "0 100000 65536");
  EXPECT_EQ(lines[2], "0");
}

TEST_F(IsolationTest, Hostname) {
  config()["hostname"] = "it-host";
  RunResult r = Sh("hostname; cat /proc/sys/kernel/hostname");
  EXPECT_EQ(r.out, "it-host\nit-host\n") << r.Describe();
}

TEST_F(IsolationTest, Domainname) {
  if (RuntimeIsRunc()) GTEST_SKIP() << "runc 1.1 does not support domainname (runc 1.2 does)";
  config()["domainname"] = "it.example";
  RunResult r = Sh("cat /proc/sys/kernel/domainname");
  EXPECT_EQ(r.out, "it.example\n") << r.Describe();
}

TEST_F(IsolationTest, Sysctl) {
  config()["linux"]["sysctl"] = {{"net.ipv4.ip_forward", "1"}, {"kernel.shm_rmid_forced", "1"}};
  RunResult r = Sh("cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shm_rmid_forced");
  EXPECT_EQ(r.out, "1\n1\n") << r.Describe();
}

TEST_F(IsolationTest, OomScoreAdj) {
  config()["process"]["oomScoreAdj"] = 123;
  RunResult r = Sh("cat /proc/self/oom_score_adj");
  EXPECT_EQ(r.out, "123\n") << r.Describe();
}

TEST_F(IsolationTest, EnvCwdUserAndUmask) {
  auto& process = config()["process"];
  process["env"].push_back("GREETING=hi there");
  process["cwd"] = "/tmp";
  process["user"] = {{"uid", 65534}, {"gid", 65534}, {"additionalGids", {1234, 5678}},
                     {"umask", 63}};  // 0077
  RunResult r = Sh("echo \"$GREETING\"; pwd; id -u; id -g; id -G; umask");
  ASSERT_EQ(r.status, 0) << r.Describe();
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 6u) << r.Describe();
  EXPECT_EQ(lines[0], "hi there");
  EXPECT_EQ(lines[1], "/tmp");
  EXPECT_EQ(lines[2], "65534");
  EXPECT_EQ(lines[3], "65534");
  EXPECT_NE(lines[4].find("1234"), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find("5678"), std::string::npos) << lines[4];
  EXPECT_EQ(lines[5], "0077");
}

TEST_F(IsolationTest, NoNewPrivileges) {
  RunResult r = Sh("grep NoNewPrivs /proc/self/status");
  EXPECT_EQ(Squeeze(r.out), "NoNewPrivs: 1") << r.Describe();
}

TEST_F(IsolationTest, DefaultDevicesAndLinks) {
  RunResult r = Sh(
      "for d in null zero full random urandom tty; do test -c /dev/$d || echo missing $d; done;"
      " test -L /dev/fd && test -L /dev/stdin && test -L /dev/stdout && test -L /dev/stderr"
      " || echo missing links; test -e /dev/ptmx || echo missing ptmx;"
      " head -c 3 /dev/zero | wc -c; echo x > /dev/null && echo null-ok");
  ASSERT_EQ(r.status, 0) << r.Describe();
  EXPECT_EQ(r.out, "3\nnull-ok\n") << r.Describe();
}

TEST_F(IsolationTest, PidAndNetworkNamespaces) {
  RunResult r = Sh("echo $$; ls /sys/class/net");
  EXPECT_EQ(r.out, "1\nlo\n") << r.Describe();
}

}  // namespace
}  // namespace cocoon::integration
