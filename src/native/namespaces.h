// Linux namespaces as data: the OCI type names, clone flags and /proc names,
// and the plan of which to create and which to join for a container.
#pragma once

#include <sys/types.h>

#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "oci/spec.h"

namespace cocoon::native {

struct NamespaceKind {
  std::string_view type;       // OCI name: "network"
  int clone_flag;              // CLONE_NEWNET
  std::string_view proc_name;  // /proc/<pid>/ns/net
};

// Every namespace kind, in the order they are joined: user first, so that the
// others are joined with the privileges of the container's user namespace.
std::span<const NamespaceKind> AllNamespaces();
const NamespaceKind* FindNamespaceKind(std::string_view type);

struct NamespaceJoin {
  const NamespaceKind* kind;
  std::string path;
};

struct NamespacePlan {
  int new_flags = 0;                // namespaces to create
  std::vector<NamespaceJoin> joins;  // namespaces to enter by path
  bool Creates(int flag) const { return (new_flags & flag) != 0; }
};

// What the spec asks for; unknown types are an error naming the entry.
Result<NamespacePlan> PlanNamespaces(const oci::Spec& spec);
// The namespaces of process `pid` that differ from ours, for exec.
Result<std::vector<NamespaceJoin>> NamespacesOfProcess(pid_t pid);
// Opens every path first (so a bad path fails before any change), then setns
// in table order.
Result<> JoinNamespaces(const std::vector<NamespaceJoin>& joins);

}  // namespace cocoon::native
