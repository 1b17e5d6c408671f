// What `create` decides before it starts anything, shared by the native
// platform and the sandbox launcher: the validated spec, the namespaces, the
// rootfs, the cgroup and its limits; and the steps both take around them.
#pragma once

#include <memory>
#include <string>

#include "cgroup/manager.h"
#include "container/store.h"
#include "native/lifecycle.h"
#include "native/namespaces.h"
#include "oci/spec.h"

namespace cocoon::native {

struct CreatePlan {
  oci::Spec spec;
  NamespacePlan namespaces;
  std::string rootfs;
  std::unique_ptr<cgroup::Manager> cgroup;
  oci::Resources resources;  // the spec's, with the device rules every container gets
};

// Loads and validates the bundle's config.json and the create flags.
Result<CreatePlan> PlanCreate(const CreateOptions& options);
// The record of a container about to be created (no pid yet).
container::Record NewRecord(const CreateOptions& options, const CreatePlan& plan);
// prestart hooks (state "created") and createRuntime hooks (state "creating").
Result<> RunRuntimeHooks(const oci::Spec& spec, const container::Record& record);
// Undoes a failed create: the recorded process and anything else in the
// cgroup, the cgroup, the state directory.
void CleanUpFailedCreate(const container::Store& store, const CreatePlan& plan, const container::Record& record);

}  // namespace cocoon::native
