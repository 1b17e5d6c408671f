// Small helpers on the spec model.
#include "oci/spec.h"

namespace cocoon::oci {

const Namespace* Spec::FindNamespace(const std::string& type) const {
  if (!linux) return nullptr;
  for (const auto& ns : linux->namespaces)
    if (ns.type == type) return &ns;
  return nullptr;
}

}  // namespace cocoon::oci
