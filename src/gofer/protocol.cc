// Gofer protocol: header framing and the string rules.
#include "gofer/protocol.h"

#include <array>

namespace cocoon::gofer {

namespace {

constexpr std::array<std::string_view, kLastMessageType + 1> kTypeNames = {
    "",        "attach", "walk",  "stat",     "open",     "create",  "mkdir",  "mknod", "symlink",
    "link",    "readlink", "unlink", "rename", "getdents", "setstat", "statfs", "fsync", "close",
};
static_assert(kTypeNames.back() == "close", "one name per MessageType");

uint32_t Le32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= uint32_t{static_cast<unsigned char>(p[i])} << (8 * i);
  return v;
}
uint16_t Le16(const char* p) {
  return static_cast<uint16_t>(static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[1]) << 8);
}
void PutLe(char* p, uint64_t v, int size) {
  for (int i = 0; i < size; ++i) p[i] = static_cast<char>(v >> (8 * i));
}

}  // namespace

std::string_view MessageTypeName(MessageType type) {
  auto t = static_cast<uint16_t>(type);
  return t >= kFirstMessageType && t <= kLastMessageType ? kTypeNames[t] : "unknown";
}

bool IsValidName(std::string_view name) {
  return !name.empty() && name.size() <= kMaxNameLength && name != "." && name != ".." &&
         name.find('/') == std::string_view::npos && name.find('\0') == std::string_view::npos;
}

bool IsValidText(std::string_view text) {
  return text.size() <= kMaxTextLength && text.find('\0') == std::string_view::npos;
}

ErrOr<Header> DecodeHeader(std::span<const char> message) {
  if (message.size() < kHeaderSize || message.size() > kMaxMessageSize) return Fail(EINVAL);
  Header h;
  h.length = Le32(message.data());
  uint16_t type = Le16(message.data() + 4);
  h.flags = Le16(message.data() + 6);
  h.tag = Le32(message.data() + 8);
  if (h.length != message.size()) return Fail(EINVAL);
  if (type < kFirstMessageType || type > kLastMessageType) return Fail(EINVAL);
  if (h.flags & ~kFlagReply) return Fail(EINVAL);
  h.type = static_cast<MessageType>(type);
  return h;
}

void FinishMessage(std::vector<char>& bytes, MessageType type, uint16_t flags, uint32_t tag) {
  PutLe(bytes.data(), bytes.size(), 4);
  PutLe(bytes.data() + 4, static_cast<uint16_t>(type), 2);
  PutLe(bytes.data() + 6, flags, 2);
  PutLe(bytes.data() + 8, tag, 4);
}

std::vector<char> EncodeErrorReply(MessageType type, uint32_t tag, int err) {
  return EncodeReply(type, tag, err, EmptyReply{});
}

}  // namespace cocoon::gofer
