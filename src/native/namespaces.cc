// Namespace planning and joining.
#include "native/namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <span>

#include "base/file.h"

namespace cocoon::native {
namespace {

constexpr std::array kNamespaces = {
    NamespaceKind{"user", CLONE_NEWUSER, "user"},     NamespaceKind{"ipc", CLONE_NEWIPC, "ipc"},
    NamespaceKind{"uts", CLONE_NEWUTS, "uts"},        NamespaceKind{"network", CLONE_NEWNET, "net"},
    NamespaceKind{"pid", CLONE_NEWPID, "pid"},        NamespaceKind{"cgroup", CLONE_NEWCGROUP, "cgroup"},
    NamespaceKind{"time", CLONE_NEWTIME, "time"},     NamespaceKind{"mount", CLONE_NEWNS, "mnt"},
};

}  // namespace

std::span<const NamespaceKind> AllNamespaces() { return kNamespaces; }

const NamespaceKind* FindNamespaceKind(std::string_view type) {
  for (const auto& kind : kNamespaces)
    if (kind.type == type) return &kind;
  return nullptr;
}

Result<NamespacePlan> PlanNamespaces(const oci::Spec& spec) {
  NamespacePlan plan;
  if (!spec.linux) return plan;
  for (size_t i = 0; i < spec.linux->namespaces.size(); ++i) {
    const auto& ns = spec.linux->namespaces[i];
    const NamespaceKind* kind = FindNamespaceKind(ns.type);
    if (!kind)
      return std::unexpected(Errorf("linux.namespaces[{}].type: unknown namespace type \"{}\"", i, ns.type));
    if (ns.path.empty()) {
      plan.new_flags |= kind->clone_flag;
    } else {
      plan.joins.push_back({kind, ns.path});
    }
  }
  // Join in table order regardless of the spec's order.
  std::stable_sort(plan.joins.begin(), plan.joins.end(), [](const auto& a, const auto& b) {
    return a.kind - kNamespaces.data() < b.kind - kNamespaces.data();
  });
  return plan;
}

Result<std::vector<NamespaceJoin>> NamespacesOfProcess(pid_t pid) {
  std::vector<NamespaceJoin> joins;
  for (const auto& kind : kNamespaces) {
    std::string theirs = fmt::format("/proc/{}/ns/{}", pid, kind.proc_name);
    std::string ours = fmt::format("/proc/self/ns/{}", kind.proc_name);
    struct stat a, b;
    if (::stat(theirs.c_str(), &a) < 0) {
      if (errno == ENOENT) continue;  // a namespace kind this kernel lacks
      return std::unexpected(ErrnoError("stat " + theirs));
    }
    if (::stat(ours.c_str(), &b) < 0) return std::unexpected(ErrnoError("stat " + ours));
    if (a.st_ino != b.st_ino || a.st_dev != b.st_dev) joins.push_back({&kind, theirs});
  }
  return joins;
}

Result<> JoinNamespaces(const std::vector<NamespaceJoin>& joins) {
  std::vector<UniqueFd> fds;
  for (const auto& join : joins) {
    fds.push_back(TRY_CTX(OpenFile(join.path, O_RDONLY), fmt::format("{} namespace", join.kind->type)));
  }
  for (size_t i = 0; i < joins.size(); ++i) {
    if (::setns(fds[i].get(), joins[i].kind->clone_flag) < 0)
      return std::unexpected(ErrnoError(fmt::format("joining {} namespace {}", joins[i].kind->type, joins[i].path)));
  }
  return {};
}

}  // namespace cocoon::native
