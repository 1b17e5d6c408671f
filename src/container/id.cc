// Container id validation.
#include "container/id.h"

#include <cctype>

namespace cocoon::container {
namespace {

bool IsIdChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '+' || c == '-' || c == '.';
}

}  // namespace

Result<> ValidateId(std::string_view id) {
  if (id.empty()) return std::unexpected(MakeError("invalid container id: the id is empty"));
  if (id.size() > kMaxIdLength)
    return std::unexpected(Errorf("invalid container id: longer than {} characters", kMaxIdLength));
  if (id == "." || id == "..")
    return std::unexpected(Errorf("invalid container id \"{}\"", id));
  for (char c : id) {
    if (std::iscntrl(static_cast<unsigned char>(c)))
      return std::unexpected(MakeError("invalid container id: contains a control character"));
    if (!IsIdChar(c))
      return std::unexpected(Errorf("invalid container id \"{}\": character '{}' is not allowed", id, c));
  }
  return {};
}

}  // namespace cocoon::container
