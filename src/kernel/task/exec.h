// execve: replace a task's program with a new one.
#pragma once

#include <string>
#include <vector>

#include "kernel/task/task.h"

namespace cocoon::kernel {

// Loads `path` (read through the task's files) into a new address space and
// points the task at its entry. Before the point of no return, failures are
// -errno and the old program continues; afterwards the result is kRegistersSet.
int64_t ExecInto(Task& task, const std::string& path, const std::vector<std::string>& argv,
                 const std::vector<std::string>& envp);

}  // namespace cocoon::kernel
