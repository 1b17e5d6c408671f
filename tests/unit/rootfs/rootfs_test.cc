// Root tests of the three rootfs steps: a forked child in a new mount namespace builds a tiny
// container root, enters it and checks from inside what a container would see.
#include "rootfs/rootfs.h"

#include <sys/sysmacros.h>

#include <gtest/gtest.h>

#include "child_runner.h"
#include "oci/default_spec.h"
#include "oci/parse.h"
#include "rootfs/mountinfo.h"
#include "rootfs/spec_mount.h"
#include "test_util.h"

namespace cocoon::rootfs {
namespace {

using testing::Checks;
using testing::Exists;
using testing::FsType;
using testing::PutFile;
using testing::PutSymlink;
using testing::Read;
using testing::ReadLink;
using testing::RunInChild;
using testing::VfsFlags;
using testing::WriteErrno;

constexpr long kMqueueMagic = 0x19800202;  // not in <linux/magic.h>

oci::Mount M(std::string dest, std::string type, std::string source, std::vector<std::string> options) {
  oci::Mount m;
  m.destination = std::move(dest);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

std::string MountTable() { return ReadFile("/proc/self/mountinfo").value_or(""); }

class RootfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mount namespaces, mount, mknod)";
    if (!RunInChild(CLONE_NEWNS, [](Checks&) {}).empty()) GTEST_SKIP() << "unshare(CLONE_NEWNS) is not allowed here";
    ASSERT_FALSE(bundle_.path().empty());
    opts_.bundle = bundle_.path();
    opts_.rootfs = bundle_ / "rootfs";
    PutFile(opts_.rootfs + "/etc/hostname", "image\n");
    PutFile(bundle_ / "data/file.txt", "data");
    PutFile(bundle_ / "hosts.txt", "hosts");
    spec_.root = oci::Root{"rootfs", false};
    spec_.linux.emplace();
    mounts_before_ = MountTable();
  }

  void TearDown() override {
    // Everything happened in the child's mount namespace: nothing may show up here.
    if (!mounts_before_.empty()) {
      EXPECT_EQ(MountTable(), mounts_before_);
    }
  }

  // Runs the three steps in a child (after `unshare_flags`), then `check` inside the container.
  std::string RunContainer(int unshare_flags, const std::function<void(Checks&)>& check) {
    return RunInChild(unshare_flags, [&](Checks& c) {
      if ((unshare_flags & CLONE_NEWUSER) && !MapRootToRoot(c)) return;
      if (!Step(c, PrepareRootfs(spec_, opts_), "PrepareRootfs")) return;
      if (!Step(c, EnterRootfs(opts_), "EnterRootfs")) return;
      if (!Step(c, FinalizeRootfs(spec_), "FinalizeRootfs")) return;
      check(c);
    });
  }

  // Maps root to root in the new user namespace. A process may only map its own ids into a
  // namespace it just created (a full map needs a writer in the parent namespace).
  static bool MapRootToRoot(Checks& c) {
    c.Ok(WriteFile("/proc/self/uid_map", "0 0 1\n"), "uid_map");
    c.Ok(WriteFile("/proc/self/setgroups", "deny"), "setgroups");
    c.Ok(WriteFile("/proc/self/gid_map", "0 0 1\n"), "gid_map");
    return c.failures().empty();
  }

  static bool Step(Checks& c, const Result<>& result, const std::string& name) {
    c.Ok(result, name);
    return result.has_value();
  }

  testing::TempDir bundle_;
  RootfsOptions opts_;
  oci::Spec spec_;
  std::string mounts_before_;
};

void ExpectCharDevice(Checks& c, const std::string& path, unsigned major, unsigned minor, mode_t mode) {
  struct stat st;
  if (::stat(path.c_str(), &st) < 0) return c.Expect(false, path + " is missing");
  c.Expect(S_ISCHR(st.st_mode), path + " is not a character device");
  c.Expect(::major(st.st_rdev) == major && ::minor(st.st_rdev) == minor,
           fmt::format("{} is {}:{}, want {}:{}", path, ::major(st.st_rdev), ::minor(st.st_rdev), major, minor));
  c.Expect((st.st_mode & 07777) == mode, fmt::format("{} has mode {:o}, want {:o}", path, st.st_mode & 07777, mode));
}

TEST_F(RootfsTest, FullContainerRoot) {
  spec_.root->readonly = true;
  spec_.mounts = {
      M("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      M("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}),
      M("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      M("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      M("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      M("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
      M("/tmp", "tmpfs", "tmpfs", {"nosuid", "size=1m", "mode=1777"}),
      M("/data", "bind", "data", {"rbind", "ro"}),
      M("/etc/hosts", "", "hosts.txt", {"bind", "ro"}),
  };
  spec_.linux->devices.push_back({"c", "/dev/mynull", 1, 3, 0600, 1, 2});
  // /proc/kcore is missing on some kernels (this VM's): then it is skipped like any missing path.
  spec_.linux->masked_paths = {"/proc/kcore", "/proc/timer_list", "/sys/firmware", "/proc/does-not-exist"};
  spec_.linux->readonly_paths = {"/proc/sys", "/dev/shm", "/nothing/here"};
  std::string bundle = bundle_.path();

  std::string failures = RunContainer(CLONE_NEWNS, [&](Checks& c) {
    c.Expect(Read("/etc/hostname") == "image\n", "the image's files are not visible");
    c.Expect(!Exists(bundle), "the old root is still reachable");
    c.Expect(FsType("/proc") == PROC_SUPER_MAGIC, "/proc is not proc");
    c.Expect(FsType("/dev") == TMPFS_MAGIC, "/dev is not a tmpfs");
    c.Expect(FsType("/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is not devpts");
    c.Expect(FsType("/dev/shm") == TMPFS_MAGIC, "/dev/shm is not a tmpfs");
    c.Expect(FsType("/dev/mqueue") == kMqueueMagic, "/dev/mqueue is not mqueue");
    c.Expect(FsType("/sys") == SYSFS_MAGIC && (VfsFlags("/sys") & ST_RDONLY), "/sys is not a read-only sysfs");

    // tmpfs options: size=, mode=, nosuid.
    struct statvfs tmp;
    c.Expect(::statvfs("/tmp", &tmp) == 0 && tmp.f_blocks * tmp.f_frsize == 1024 * 1024, "/tmp size is not 1m");
    c.Expect((VfsFlags("/tmp") & ST_NOSUID) && !(VfsFlags("/tmp") & ST_RDONLY), "/tmp is not rw,nosuid");
    struct stat st;
    c.Expect(::stat("/tmp", &st) == 0 && (st.st_mode & 07777) == 01777, "/tmp mode is not 1777");
    c.Expect(WriteErrno("/tmp/x") == 0, "/tmp is not writable");

    // Read-only binds of a directory (relative to the bundle) and of a file.
    c.Expect(Read("/data/file.txt") == "data", "/data does not show the bundle's data/");
    c.Expect(WriteErrno("/data/new") == EROFS, "/data is writable");
    c.Expect(Read("/etc/hosts") == "hosts", "/etc/hosts does not show hosts.txt");
    c.Expect(WriteErrno("/etc/hosts") == EROFS, "/etc/hosts is writable");

    // cgroup v1/hybrid: a read-only tmpfs with the container's own cgroup per hierarchy.
    c.Expect(FsType("/sys/fs/cgroup") == TMPFS_MAGIC || FsType("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC,
             "/sys/fs/cgroup is neither a tmpfs nor cgroup2");
    if (FsType("/sys/fs/cgroup") == TMPFS_MAGIC) {
      c.Expect(FsType("/sys/fs/cgroup/memory") == CGROUP_SUPER_MAGIC, "/sys/fs/cgroup/memory is not a cgroup");
      c.Expect(Exists("/sys/fs/cgroup/memory/memory.limit_in_bytes"), "memory.limit_in_bytes is missing");
      c.Expect(VfsFlags("/sys/fs/cgroup/memory") & ST_RDONLY, "/sys/fs/cgroup/memory is writable");
      c.Expect(VfsFlags("/sys/fs/cgroup") & ST_RDONLY, "/sys/fs/cgroup is writable");
    }

    // Masked and read-only paths.
    c.Expect(Exists("/proc/timer_list") && Read("/proc/timer_list").empty(), "/proc/timer_list is not masked");
    c.Expect(FsType("/sys/firmware") == TMPFS_MAGIC && (VfsFlags("/sys/firmware") & ST_RDONLY),
             "/sys/firmware is not a read-only tmpfs");
    c.Expect(WriteErrno("/proc/sys/kernel/hostname") == EROFS, "/proc/sys is writable");
    c.Expect(WriteErrno("/dev/shm/x") == EROFS, "/dev/shm is writable");
    c.Expect(VfsFlags("/dev/shm") & ST_NOEXEC, "/dev/shm is not noexec");

    // Devices and links.
    ExpectCharDevice(c, "/dev/null", 1, 3, 0666);
    ExpectCharDevice(c, "/dev/zero", 1, 5, 0666);
    ExpectCharDevice(c, "/dev/full", 1, 7, 0666);
    ExpectCharDevice(c, "/dev/random", 1, 8, 0666);
    ExpectCharDevice(c, "/dev/urandom", 1, 9, 0666);
    ExpectCharDevice(c, "/dev/tty", 5, 0, 0666);
    ExpectCharDevice(c, "/dev/mynull", 1, 3, 0600);
    c.Expect(::stat("/dev/mynull", &st) == 0 && st.st_uid == 1 && st.st_gid == 2, "/dev/mynull owner is not 1:2");
    c.Expect(WriteErrno("/dev/null") == 0, "/dev/null is not writable");
    c.Expect(ReadLink("/dev/fd") == "/proc/self/fd", "/dev/fd link");
    c.Expect(ReadLink("/dev/stdin") == "/proc/self/fd/0", "/dev/stdin link");
    c.Expect(ReadLink("/dev/stdout") == "/proc/self/fd/1", "/dev/stdout link");
    c.Expect(ReadLink("/dev/stderr") == "/proc/self/fd/2", "/dev/stderr link");
    c.Expect(ReadLink("/dev/core") == "/proc/kcore", "/dev/core link");
    c.Expect(ReadLink("/dev/ptmx") == "pts/ptmx", "/dev/ptmx link");
    int ptmx = ::open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    c.Expect(ptmx >= 0, "opening /dev/ptmx failed");
    char pts[64];
    if (ptmx >= 0 && ::unlockpt(ptmx) == 0 && ::ptsname_r(ptmx, pts, sizeof pts) == 0) {
      c.Ok(MountConsole(pts), "MountConsole");
      struct stat console, slave;
      c.Expect(::stat("/dev/console", &console) == 0 && ::stat(pts, &slave) == 0 && console.st_rdev == slave.st_rdev,
               "/dev/console is not the pty slave");
    } else {
      c.Expect(false, "no pty slave");
    }
    if (ptmx >= 0) ::close(ptmx);

    // root.readonly.
    c.Expect(WriteErrno("/newfile") == EROFS, "/ is writable");
    c.Expect(VfsFlags("/") & ST_RDONLY, "/ is not read-only");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, SymlinkInRootfsCannotEscape) {
  std::string name = "cocoon-escape-" + std::to_string(::getpid());
  testing::MakeDir(opts_.rootfs + "/etc");
  PutSymlink("/etc/../../" + name, opts_.rootfs + "/proc");
  PutSymlink("../../../../../../../../tmp", opts_.rootfs + "/escape");
  spec_.mounts = {
      M("/proc", "proc", "proc", {}),
      M("/escape/" + name + ".txt", "bind", "hosts.txt", {"bind"}),
  };
  std::string rootfs = opts_.rootfs;
  std::string failures = RunInChild(CLONE_NEWNS, [&](Checks& c) {
    if (!RootfsTest::Step(c, PrepareRootfs(spec_, opts_), "PrepareRootfs")) return;
    // Host view, before entering: the mounts landed inside the rootfs.
    c.Expect(FsType(rootfs + "/" + name) == PROC_SUPER_MAGIC, "proc is not at <rootfs>/" + name);
    c.Expect(!Exists("/" + name), "proc escaped to /" + name);
    c.Expect(!Exists(bundle_ / name), "proc escaped to the bundle");
    c.Expect(Read(rootfs + "/tmp/" + name + ".txt") == "hosts", "the bind is not at <rootfs>/tmp");
    c.Expect(!Exists("/tmp/" + name + ".txt"), "the bind escaped to the host's /tmp");
    if (!RootfsTest::Step(c, EnterRootfs(opts_), "EnterRootfs")) return;
    if (!RootfsTest::Step(c, FinalizeRootfs(spec_), "FinalizeRootfs")) return;
    c.Expect(FsType("/proc/") == PROC_SUPER_MAGIC, "/proc does not lead to proc inside the container");
    // No /dev mount: the rootfs's own /dev got the default devices.
    ExpectCharDevice(c, "/dev/null", 1, 3, 0666);
  });
  EXPECT_EQ(failures, "");
  EXPECT_FALSE(Exists("/" + name));
  EXPECT_FALSE(Exists("/tmp/" + name + ".txt"));
}

TEST_F(RootfsTest, NoPivotMovesAndChroots) {
  opts_.no_pivot = true;
  spec_.mounts = {M("/proc", "proc", "proc", {})};
  std::string failures = RunContainer(CLONE_NEWNS, [&](Checks& c) {
    c.Expect(Read("/etc/hostname") == "image\n", "/ is not the rootfs");
    c.Expect(FsType("/proc") == PROC_SUPER_MAGIC, "/proc is not proc");
    c.Expect(!Exists(bundle_.path()), "the bundle is reachable");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, TmpcopyupAndReadonlyDev) {
  PutFile(opts_.rootfs + "/opt/app/config", "cfg");
  PutSymlink("config", opts_.rootfs + "/opt/app/link");
  spec_.mounts = {
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755", "ro"}),
      M("/opt/app", "tmpfs", "tmpfs", {"tmpcopyup", "mode=750"}),
  };
  std::string failures = RunContainer(CLONE_NEWNS, [&](Checks& c) {
    c.Expect(FsType("/opt/app") == TMPFS_MAGIC, "/opt/app is not a tmpfs");
    c.Expect(Read("/opt/app/config") == "cfg", "tmpcopyup did not copy config");
    c.Expect(ReadLink("/opt/app/link") == "config", "tmpcopyup did not copy the link");
    c.Expect(WriteErrno("/opt/app/new") == 0, "/opt/app is not writable");
    ExpectCharDevice(c, "/dev/null", 1, 3, 0666);
    c.Expect(VfsFlags("/dev") & ST_RDONLY, "/dev is not read-only");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, CgroupNamespaceMountsFreshHierarchies) {
  if (FsType("/sys/fs/cgroup") != TMPFS_MAGIC) GTEST_SKIP() << "host is not cgroup v1/hybrid";
  opts_.new_cgroup_namespace = true;
  spec_.mounts = {
      M("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev"}),
      M("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev"}),
  };
  std::string failures = RunContainer(CLONE_NEWNS | CLONE_NEWCGROUP, [&](Checks& c) {
    c.Expect(FsType("/sys/fs/cgroup") == TMPFS_MAGIC, "/sys/fs/cgroup is not a tmpfs");
    c.Expect(FsType("/sys/fs/cgroup/memory") == CGROUP_SUPER_MAGIC, "/sys/fs/cgroup/memory is not a cgroup");
    c.Expect(Exists("/sys/fs/cgroup/memory/cgroup.procs"), "memory/cgroup.procs is missing");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, UserNamespaceBindsDevicesAndSys) {
  opts_.in_user_namespace = true;
  spec_.root->readonly = true;
  spec_.mounts = {
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"}),
      M("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      M("/data", "bind", "data", {"rbind", "ro"}),
  };
  std::string failures = RunContainer(CLONE_NEWNS | CLONE_NEWUSER, [&](Checks& c) {
    c.Expect(Exists("/sys/kernel") && (VfsFlags("/sys") & ST_RDONLY), "/sys is not the host's sysfs, read-only");
    ExpectCharDevice(c, "/dev/null", 1, 3, 0666);
    // Bound from the host's devtmpfs, not made on the container's /dev tmpfs.
    struct stat dev, null;
    c.Expect(::stat("/dev", &dev) == 0 && ::stat("/dev/null", &null) == 0 && dev.st_dev != null.st_dev,
             "/dev/null is not a bind mount");
    c.Expect(WriteErrno("/data/new") == EROFS, "/data is writable");
    c.Expect(WriteErrno("/newfile") == EROFS, "/ is writable");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, SharedRootfsPropagation) {
  spec_.linux->rootfs_propagation = "rshared";
  spec_.mounts = {M("/proc", "proc", "proc", {})};
  std::string failures = RunContainer(CLONE_NEWNS, [&](Checks& c) {
    auto mounts = ReadMountInfo();
    if (!mounts) return c.Expect(false, mounts.error().message());
    const MountInfo* root = FindMountOf(*mounts, "/");
    c.Expect(root && root->mount_point == "/" && root->IsShared(), "/ is not shared");
  });
  EXPECT_EQ(failures, "");
}

// The config.json of `runc spec` (and `runc spec --rootless`), with the root at our rootfs.
oci::Spec RuncSpec(bool rootless) {
  auto spec = oci::ParseSpec(oci::DefaultSpec(rootless).dump());
  return spec ? *spec : oci::Spec{};
}

void ExpectRuncDefaults(Checks& c) {
  c.Expect(FsType("/proc") == PROC_SUPER_MAGIC, "/proc is not proc");
  c.Expect(FsType("/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is not devpts");
  c.Expect(FsType("/dev/mqueue") == kMqueueMagic, "/dev/mqueue is not mqueue");
  c.Expect(VfsFlags("/sys") & ST_RDONLY, "/sys is writable");
  c.Expect(WriteErrno("/proc/sys/kernel/hostname") == EROFS, "/proc/sys is writable");
  c.Expect(Exists("/proc/timer_list") && Read("/proc/timer_list").empty(), "/proc/timer_list is not masked");
  c.Expect(WriteErrno("/newfile") == EROFS, "/ is writable");
  ExpectCharDevice(c, "/dev/null", 1, 3, 0666);
  c.Expect(ReadLink("/dev/ptmx") == "pts/ptmx", "/dev/ptmx link");
}

TEST_F(RootfsTest, RuncDefaultSpec) {
  spec_ = RuncSpec(false);
  ASSERT_FALSE(spec_.mounts.empty());
  std::string failures = RunContainer(CLONE_NEWNS, [&](Checks& c) {
    ExpectRuncDefaults(c);
    c.Expect(FsType("/sys") == SYSFS_MAGIC, "/sys is not sysfs");
  });
  EXPECT_EQ(failures, "");
}

TEST_F(RootfsTest, RuncRootlessSpecInUserNamespace) {
  spec_ = RuncSpec(true);
  ASSERT_FALSE(spec_.mounts.empty());
  opts_.in_user_namespace = true;
  std::string failures =
      RunContainer(CLONE_NEWNS | CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWPID, [&](Checks& c) {
        ExpectRuncDefaults(c);
        c.Expect(Exists("/sys/kernel"), "/sys is not the host's sysfs");
      });
  EXPECT_EQ(failures, "");
}

TEST(SpecMountTest, BindMountsAndCleanPaths) {
  oci::Mount m;
  m.type = "bind";
  EXPECT_TRUE(IsBindMount(m));
  m.type = "none";
  m.options = {"rbind", "ro"};
  EXPECT_TRUE(IsBindMount(m));
  m.options = {"ro"};
  EXPECT_FALSE(IsBindMount(m));
  EXPECT_EQ(CleanPath("/dev/"), "/dev");
  EXPECT_EQ(CleanPath("//dev//pts"), "/dev/pts");
  EXPECT_EQ(CleanPath("/"), "/");
}

TEST(RootfsErrorsTest, BadInputIsReportedBeforeAnyMount) {
  oci::Spec spec;
  RootfsOptions relative{"rootfs", "/tmp"};
  auto rel = PrepareRootfs(spec, relative);
  ASSERT_FALSE(rel);
  EXPECT_EQ(rel.error().message(), "rootfs \"rootfs\" is not an absolute path");

  spec.linux.emplace();
  spec.linux->rootfs_propagation = "sideways";
  RootfsOptions root{"/", "/"};
  auto bad = PrepareRootfs(spec, root);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "linux.rootfsPropagation: unknown propagation \"sideways\"");
}

}  // namespace
}  // namespace cocoon::rootfs
