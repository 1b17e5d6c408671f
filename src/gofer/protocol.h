// The gofer protocol: one message per SOCK_SEQPACKET packet, between the
// application kernel (client) and the gofer (server).
//
// Every message is a 12-byte header followed by a body:
//
//   u32 length   whole message, header included (12 .. kMaxMessageSize)
//   u16 type     MessageType
//   u16 flags    kFlagReply on replies; no other bits are defined
//   u32 tag      chosen by the client, echoed in the reply
//
// Bodies are sequences of little-endian fixed-size integers and
// length-prefixed byte strings (u32 length, then the bytes, no terminator).
// A list is a u32 count followed by its elements. A reply body starts with an
// i32 errno: 0 means the typed result follows, anything else (1..4095) is the
// whole body. Open and Create replies carry one host fd (SCM_RIGHTS) for
// direct reads and writes.
//
// Decoding rejects, with EINVAL, any message that is short, longer than its
// packet or than kMaxMessageSize, has trailing bytes, an unknown type or
// flags, or a string that is not what its field allows: a Name is one path
// component (1..255 bytes, no '/' or NUL, not "." or ".."), a Text (symlink
// target, attach path) is up to 4095 bytes without NUL.
//
// Handles name server-side nodes (one per walked or created file); the client
// forgets them with Close. Handle 0 is never valid.
#pragma once

#include <time.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "gofer/errno_or.h"

namespace cocoon::gofer {

enum class MessageType : uint16_t {
  kAttach = 1,  // a tree's root by container path ("/" or a bind mount)
  kWalk,        // names from a directory handle, symlinks not followed
  kStat,
  kOpen,        // an fd for a regular file (donated)
  kCreate,      // a new regular file: handle plus an open fd
  kMkdir,
  kMknod,       // regular files, fifos, sockets, device nodes
  kSymlink,
  kLink,
  kReadlink,
  kUnlink,      // flags: AT_REMOVEDIR
  kRename,      // flags: RENAME_NOREPLACE, RENAME_EXCHANGE
  kGetdents,    // one page of a directory, from an offset
  kSetstat,
  kStatfs,
  kFsync,
  kClose,       // forget a handle
};
inline constexpr uint16_t kFirstMessageType = 1;
inline constexpr uint16_t kLastMessageType = static_cast<uint16_t>(MessageType::kClose);
std::string_view MessageTypeName(MessageType type);

inline constexpr size_t kHeaderSize = 12;
inline constexpr size_t kMaxMessageSize = 64 * 1024;
inline constexpr uint16_t kFlagReply = 1;
inline constexpr size_t kMaxNameLength = 255;
inline constexpr size_t kMaxTextLength = 4095;

struct Header {
  uint32_t length = 0;
  MessageType type{};
  uint16_t flags = 0;
  uint32_t tag = 0;
};

bool IsValidName(std::string_view name);
bool IsValidText(std::string_view text);

// ---- Message bodies. Each lists its fields once, in wire order, in Visit().

// What stat(2) says about a node.
struct NodeStat {
  uint64_t dev = 0;
  uint64_t ino = 0;
  uint32_t mode = 0;
  uint32_t nlink = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  uint64_t rdev = 0;
  int64_t size = 0;
  int64_t blksize = 0;
  int64_t blocks = 0;
  timespec atime{};
  timespec mtime{};
  timespec ctime{};
  template <typename V>
  void Visit(V& v) {
    v.U64(dev), v.U64(ino), v.U32(mode), v.U32(nlink), v.U32(uid), v.U32(gid), v.U64(rdev);
    v.I64(size), v.I64(blksize), v.I64(blocks), v.Time(atime), v.Time(mtime), v.Time(ctime);
  }
};

// A handle and what it names.
struct Node {
  uint64_t handle = 0;
  NodeStat stat;
  template <typename V>
  void Visit(V& v) {
    v.U64(handle), v.Struct(stat);
  }
};

// Requests that name only a node.
template <MessageType T>
struct HandleRequest {
  static constexpr MessageType kType = T;
  uint64_t handle = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(handle);
  }
};
using StatRequest = HandleRequest<MessageType::kStat>;
using ReadlinkRequest = HandleRequest<MessageType::kReadlink>;
using StatfsRequest = HandleRequest<MessageType::kStatfs>;
using FsyncRequest = HandleRequest<MessageType::kFsync>;
using CloseRequest = HandleRequest<MessageType::kClose>;

struct EmptyReply {
  template <typename V>
  void Visit(V&) {}
};

struct AttachRequest {
  static constexpr MessageType kType = MessageType::kAttach;
  std::string path;  // "/" for the root, or a bind mount's container path
  template <typename V>
  void Visit(V& v) {
    v.Text(path);
  }
};
struct AttachReply {
  Node node;
  uint32_t read_only = 0;
  template <typename V>
  void Visit(V& v) {
    v.Struct(node), v.U32(read_only);
  }
};

struct WalkRequest {
  static constexpr MessageType kType = MessageType::kWalk;
  uint64_t handle = 0;
  std::vector<std::string> names;
  template <typename V>
  void Visit(V& v) {
    v.U64(handle), v.Names(names);
  }
};
// One node per name walked; fewer than asked when a later name failed (the
// first failing name's errno is the reply's when none was walked).
struct WalkReply {
  std::vector<Node> nodes;
  template <typename V>
  void Visit(V& v) {
    v.List(nodes);
  }
};

struct StatReply {
  NodeStat stat;
  template <typename V>
  void Visit(V& v) {
    v.Struct(stat);
  }
};

struct OpenRequest {
  static constexpr MessageType kType = MessageType::kOpen;
  uint64_t handle = 0;
  uint32_t flags = 0;  // O_RDONLY/O_WRONLY/O_RDWR, O_TRUNC
  template <typename V>
  void Visit(V& v) {
    v.U64(handle), v.U32(flags);
  }
};

struct CreateRequest {
  static constexpr MessageType kType = MessageType::kCreate;
  uint64_t dir = 0;
  std::string name;
  uint32_t flags = 0;  // access mode of the returned fd
  uint32_t mode = 0;   // permission bits
  uint32_t uid = 0;
  uint32_t gid = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.U32(flags), v.U32(mode), v.U32(uid), v.U32(gid);
  }
};

struct MkdirRequest {
  static constexpr MessageType kType = MessageType::kMkdir;
  uint64_t dir = 0;
  std::string name;
  uint32_t mode = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.U32(mode), v.U32(uid), v.U32(gid);
  }
};

struct MknodRequest {
  static constexpr MessageType kType = MessageType::kMknod;
  uint64_t dir = 0;
  std::string name;
  uint32_t mode = 0;  // file type and permission bits
  uint64_t rdev = 0;
  uint32_t uid = 0;
  uint32_t gid = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.U32(mode), v.U64(rdev), v.U32(uid), v.U32(gid);
  }
};

struct SymlinkRequest {
  static constexpr MessageType kType = MessageType::kSymlink;
  uint64_t dir = 0;
  std::string name;
  std::string target;
  uint32_t uid = 0;
  uint32_t gid = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.Text(target), v.U32(uid), v.U32(gid);
  }
};

struct LinkRequest {
  static constexpr MessageType kType = MessageType::kLink;
  uint64_t dir = 0;
  std::string name;
  uint64_t target = 0;  // the existing file's handle
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.U64(target);
  }
};

// Reply of Create, Mkdir, Mknod, Symlink, Link.
struct NodeReply {
  Node node;
  template <typename V>
  void Visit(V& v) {
    v.Struct(node);
  }
};

struct ReadlinkReply {
  std::string target;
  template <typename V>
  void Visit(V& v) {
    v.Text(target);
  }
};

struct UnlinkRequest {
  static constexpr MessageType kType = MessageType::kUnlink;
  uint64_t dir = 0;
  std::string name;
  uint32_t flags = 0;  // 0 or AT_REMOVEDIR
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.Name(name), v.U32(flags);
  }
};

struct RenameRequest {
  static constexpr MessageType kType = MessageType::kRename;
  uint64_t old_dir = 0;
  std::string old_name;
  uint64_t new_dir = 0;
  std::string new_name;
  uint32_t flags = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(old_dir), v.Name(old_name), v.U64(new_dir), v.Name(new_name), v.U32(flags);
  }
};

struct GetdentsRequest {
  static constexpr MessageType kType = MessageType::kGetdents;
  uint64_t dir = 0;
  uint64_t offset = 0;  // 0, or a previous reply's next_offset
  template <typename V>
  void Visit(V& v) {
    v.U64(dir), v.U64(offset);
  }
};
struct Dirent {
  std::string name;
  uint64_t ino = 0;
  uint32_t type = 0;  // DT_*
  template <typename V>
  void Visit(V& v) {
    v.Name(name), v.U64(ino), v.U32(type);
  }
};
struct GetdentsReply {
  uint64_t next_offset = 0;
  uint32_t end = 0;  // 1 when the directory has no more entries
  std::vector<Dirent> entries;  // without "." and ".."
  template <typename V>
  void Visit(V& v) {
    v.U64(next_offset), v.U32(end), v.List(entries);
  }
};

// Which SetstatRequest fields apply.
inline constexpr uint32_t kSetMode = 1;
inline constexpr uint32_t kSetUid = 2;
inline constexpr uint32_t kSetGid = 4;
inline constexpr uint32_t kSetSize = 8;
inline constexpr uint32_t kSetAtime = 16;
inline constexpr uint32_t kSetMtime = 32;
inline constexpr uint32_t kSetAll = 63;

struct SetstatRequest {
  static constexpr MessageType kType = MessageType::kSetstat;
  uint64_t handle = 0;
  uint32_t mask = 0;
  uint32_t mode = 0;  // permission bits (07777)
  uint32_t uid = 0;
  uint32_t gid = 0;
  int64_t size = 0;
  timespec atime{};
  timespec mtime{};
  template <typename V>
  void Visit(V& v) {
    v.U64(handle), v.U32(mask), v.U32(mode), v.U32(uid), v.U32(gid), v.I64(size), v.Time(atime),
        v.Time(mtime);
  }
};

struct StatfsReply {
  uint64_t type = 0, bsize = 0, blocks = 0, bfree = 0, bavail = 0, files = 0, ffree = 0,
           namelen = 0, frsize = 0, flags = 0;
  template <typename V>
  void Visit(V& v) {
    v.U64(type), v.U64(bsize), v.U64(blocks), v.U64(bfree), v.U64(bavail), v.U64(files),
        v.U64(ffree), v.U64(namelen), v.U64(frsize), v.U64(flags);
  }
};

// ---- Encoding and decoding.

// Appends little-endian fields to a byte buffer.
class Writer {
 public:
  void U16(const uint16_t& x) { Put(x); }
  void U32(const uint32_t& x) { Put(x); }
  void I32(const int32_t& x) { Put(x); }
  void U64(const uint64_t& x) { Put(x); }
  void I64(const int64_t& x) { Put(x); }
  void Time(const timespec& t) {
    I64(t.tv_sec);
    I64(t.tv_nsec);
  }
  void Name(const std::string& s) { Bytes(s); }
  void Text(const std::string& s) { Bytes(s); }
  void Names(const std::vector<std::string>& names) {
    U32(static_cast<uint32_t>(names.size()));
    for (const auto& n : names) Name(n);
  }
  template <typename T>
  void Struct(const T& t) {
    const_cast<T&>(t).Visit(*this);  // Visit only reads through a Writer
  }
  template <typename T>
  void List(const std::vector<T>& items) {
    U32(static_cast<uint32_t>(items.size()));
    for (const auto& item : items) Struct(item);
  }

  std::vector<char>& bytes() { return out_; }

 private:
  template <typename T>
  void Put(T x) {
    static_assert(std::is_integral_v<T>);
    for (size_t i = 0; i < sizeof(T); ++i) out_.push_back(static_cast<char>(static_cast<uint64_t>(x) >> (8 * i)));
  }
  void Bytes(const std::string& s) {
    U32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  std::vector<char> out_;
};

// Reads fields back, bounds-checked; the first bad field makes ok() false and
// every later read a no-op, so a Visit() never needs to check as it goes.
class Reader {
 public:
  explicit Reader(std::span<const char> in) : in_(in) {}

  void U16(uint16_t& x) { Get(x); }
  void U32(uint32_t& x) { Get(x); }
  void I32(int32_t& x) { Get(x); }
  void U64(uint64_t& x) { Get(x); }
  void I64(int64_t& x) { Get(x); }
  void Time(timespec& t) {
    int64_t sec = 0, nsec = 0;
    I64(sec), I64(nsec);
    t.tv_sec = sec;
    t.tv_nsec = nsec;
  }
  void Name(std::string& s) {
    Bytes(s, kMaxNameLength);
    if (ok_ && !IsValidName(s)) ok_ = false;
  }
  void Text(std::string& s) {
    Bytes(s, kMaxTextLength);
    if (ok_ && !IsValidText(s)) ok_ = false;
  }
  void Names(std::vector<std::string>& names) {
    uint32_t n = Count();
    for (uint32_t i = 0; ok_ && i < n; ++i) Name(names.emplace_back());
  }
  template <typename T>
  void Struct(T& t) {
    t.Visit(*this);
  }
  template <typename T>
  void List(std::vector<T>& items) {
    uint32_t n = Count();
    for (uint32_t i = 0; ok_ && i < n; ++i) Struct(items.emplace_back());
  }

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }

 private:
  template <typename T>
  void Get(T& x) {
    x = 0;
    if (!ok_ || in_.size() - pos_ < sizeof(T)) {
      ok_ = false;
      return;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < sizeof(T); ++i) v |= uint64_t{static_cast<unsigned char>(in_[pos_ + i])} << (8 * i);
    pos_ += sizeof(T);
    x = static_cast<T>(v);
  }
  // A list count; every element takes at least one byte, so a count beyond
  // the remaining bytes is malformed (and never drives a long loop).
  uint32_t Count() {
    uint32_t n = 0;
    Get(n);
    if (ok_ && n > in_.size() - pos_) ok_ = false;
    return ok_ ? n : 0;
  }
  void Bytes(std::string& s, size_t max) {
    uint32_t n = 0;
    Get(n);
    if (!ok_ || n > max || n > in_.size() - pos_) {
      ok_ = false;
      return;
    }
    s.assign(in_.data() + pos_, n);
    pos_ += n;
  }

  std::span<const char> in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Parses and checks a header against the packet it came in.
ErrOr<Header> DecodeHeader(std::span<const char> message);

// Fills in the header of `bytes` (whose first kHeaderSize bytes are reserved).
void FinishMessage(std::vector<char>& bytes, MessageType type, uint16_t flags, uint32_t tag);

// A whole request message.
template <typename M>
std::vector<char> EncodeRequest(const M& request, uint32_t tag) {
  Writer w;
  w.bytes().resize(kHeaderSize);
  w.Struct(request);
  FinishMessage(w.bytes(), M::kType, 0, tag);
  return std::move(w.bytes());
}

// A reply: `err` (a positive errno) alone, or 0 and `reply`.
template <typename R>
std::vector<char> EncodeReply(MessageType type, uint32_t tag, int err, const R& reply) {
  Writer w;
  w.bytes().resize(kHeaderSize);
  w.I32(err);
  if (err == 0) w.Struct(reply);
  FinishMessage(w.bytes(), type, kFlagReply, tag);
  return std::move(w.bytes());
}
std::vector<char> EncodeErrorReply(MessageType type, uint32_t tag, int err);

// The body of a request (header already checked): EINVAL when malformed.
template <typename M>
ErrOr<M> DecodeBody(std::span<const char> message) {
  M out;
  Reader r(message.subspan(kHeaderSize));
  r.Struct(out);
  if (!r.ok() || !r.at_end()) return Fail(EINVAL);
  return out;
}

// A reply to the request (`type`, `tag`): its result, its errno, or EIO when
// the bytes are not a well-formed reply to that request.
template <typename R>
ErrOr<R> DecodeReply(std::span<const char> message, MessageType type, uint32_t tag) {
  auto header = DecodeHeader(message);
  if (!header || header->type != type || header->flags != kFlagReply || header->tag != tag) {
    return Fail(EIO);
  }
  Reader r(message.subspan(kHeaderSize));
  int32_t err = 0;
  r.I32(err);
  if (!r.ok() || err < 0 || err > 4095) return Fail(EIO);
  if (err != 0) {
    if (!r.at_end()) return Fail(EIO);
    return Fail(err);
  }
  R out;
  r.Struct(out);
  if (!r.ok() || !r.at_end()) return Fail(EIO);
  return out;
}


}  // namespace cocoon::gofer
