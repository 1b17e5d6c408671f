// Gofer protocol: round trips of every message, and rejection of malformed,
// truncated and randomly mutated bytes (which must never crash the server).
#include <fcntl.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "gofer/protocol.h"
#include "gofer/server.h"
#include "gofer_test_util.h"

namespace cocoon::gofer {
namespace {

using testing::TempTree;
namespace stdfs = std::filesystem;

template <typename M>
std::vector<char> Body(const M& m) {
  auto bytes = EncodeRequest(m, 7);
  return {bytes.begin() + kHeaderSize, bytes.end()};
}

// Encodes, decodes, and checks that the decoded message encodes to the same bytes.
template <typename M>
M RoundTrip(const M& m) {
  auto bytes = EncodeRequest(m, 42);
  auto header = DecodeHeader(bytes);
  EXPECT_TRUE(header);
  EXPECT_EQ(header->type, M::kType);
  EXPECT_EQ(header->tag, 42u);
  EXPECT_EQ(header->flags, 0);
  EXPECT_EQ(header->length, bytes.size());
  auto decoded = DecodeBody<M>(bytes);
  EXPECT_TRUE(decoded);
  EXPECT_EQ(EncodeRequest(*decoded, 42), bytes);
  return *decoded;
}

NodeStat SampleStat() {
  NodeStat s;
  s.dev = 0x1122334455667788;
  s.ino = 99;
  s.mode = S_IFREG | 0644;
  s.nlink = 3;
  s.uid = 1000;
  s.gid = 100;
  s.rdev = 0;
  s.size = -1;
  s.blksize = 4096;
  s.blocks = 8;
  s.atime = {1, 2};
  s.mtime = {3, 999999999};
  s.ctime = {-5, 0};
  return s;
}

TEST(ProtocolTest, HeaderIsLittleEndian) {
  auto bytes = EncodeRequest(StatRequest{0x0102030405060708}, 0xaabbccdd);
  ASSERT_EQ(bytes.size(), kHeaderSize + 8);
  EXPECT_EQ(std::vector<char>(bytes.begin(), bytes.begin() + 12),
            (std::vector<char>{20, 0, 0, 0, 3, 0, 0, 0, '\xdd', '\xcc', '\xbb', '\xaa'}));
  EXPECT_EQ(bytes[12], 8);
  EXPECT_EQ(bytes[19], 1);
}

TEST(ProtocolTest, RequestsRoundTrip) {
  EXPECT_EQ(RoundTrip(AttachRequest{"/data"}).path, "/data");
  auto walk = RoundTrip(WalkRequest{5, {"etc", "passwd", std::string(255, 'x')}});
  EXPECT_EQ(walk.handle, 5u);
  EXPECT_EQ(walk.names, (std::vector<std::string>{"etc", "passwd", std::string(255, 'x')}));
  EXPECT_EQ(RoundTrip(StatRequest{9}).handle, 9u);
  auto open = RoundTrip(OpenRequest{3, O_RDWR | O_TRUNC});
  EXPECT_EQ(open.flags, static_cast<uint32_t>(O_RDWR | O_TRUNC));
  auto create = RoundTrip(CreateRequest{1, "f", O_RDWR, 0640, 10, 20});
  EXPECT_EQ(create.name, "f");
  EXPECT_EQ(create.mode, 0640u);
  EXPECT_EQ(create.gid, 20u);
  EXPECT_EQ(RoundTrip(MkdirRequest{1, "d", 0755, 1, 2}).uid, 1u);
  EXPECT_EQ(RoundTrip(MknodRequest{1, "n", S_IFCHR | 0600, 0x501, 0, 0}).rdev, 0x501u);
  auto symlink = RoundTrip(SymlinkRequest{1, "l", "../a/b c", 0, 0});
  EXPECT_EQ(symlink.target, "../a/b c");
  EXPECT_EQ(RoundTrip(LinkRequest{1, "h", 77}).target, 77u);
  EXPECT_EQ(RoundTrip(ReadlinkRequest{4}).handle, 4u);
  EXPECT_EQ(RoundTrip(UnlinkRequest{1, "x", AT_REMOVEDIR}).flags, static_cast<uint32_t>(AT_REMOVEDIR));
  auto rename = RoundTrip(RenameRequest{1, "a", 2, "b", 1});
  EXPECT_EQ(rename.new_dir, 2u);
  EXPECT_EQ(rename.new_name, "b");
  EXPECT_EQ(RoundTrip(GetdentsRequest{1, 12345}).offset, 12345u);
  SetstatRequest set;
  set.handle = 3;
  set.mask = kSetAll;
  set.mode = 04755;
  set.size = int64_t{1} << 40;
  set.atime = {7, 8};
  set.mtime = {9, 10};
  auto decoded = RoundTrip(set);
  EXPECT_EQ(decoded.size, int64_t{1} << 40);
  EXPECT_EQ(decoded.mtime.tv_nsec, 10);
  EXPECT_EQ(RoundTrip(StatfsRequest{1}).handle, 1u);
  EXPECT_EQ(RoundTrip(FsyncRequest{1}).handle, 1u);
  EXPECT_EQ(RoundTrip(CloseRequest{1}).handle, 1u);
}

TEST(ProtocolTest, RepliesRoundTrip) {
  WalkReply walk;
  walk.nodes = {{11, SampleStat()}, {12, SampleStat()}};
  auto bytes = EncodeReply(MessageType::kWalk, 5, 0, walk);
  auto decoded = DecodeReply<WalkReply>(bytes, MessageType::kWalk, 5);
  ASSERT_TRUE(decoded);
  ASSERT_EQ(decoded->nodes.size(), 2u);
  EXPECT_EQ(decoded->nodes[1].handle, 12u);
  EXPECT_EQ(decoded->nodes[0].stat.dev, 0x1122334455667788u);
  EXPECT_EQ(decoded->nodes[0].stat.size, -1);
  EXPECT_EQ(decoded->nodes[0].stat.mtime.tv_nsec, 999999999);
  EXPECT_EQ(decoded->nodes[0].stat.ctime.tv_sec, -5);

  GetdentsReply dents;
  dents.next_offset = 77;
  dents.end = 1;
  dents.entries = {{"a", 1, 4}, {"bb", 2, 8}};
  auto d = DecodeReply<GetdentsReply>(EncodeReply(MessageType::kGetdents, 1, 0, dents), MessageType::kGetdents, 1);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->entries[1].name, "bb");
  EXPECT_EQ(d->entries[1].type, 8u);
  EXPECT_EQ(d->next_offset, 77u);

  // Errors carry only the errno.
  auto err = EncodeErrorReply(MessageType::kStat, 9, ENOENT);
  EXPECT_EQ(err.size(), kHeaderSize + 4);
  EXPECT_EQ(DecodeReply<StatReply>(err, MessageType::kStat, 9).error(), -ENOENT);
  // A reply to some other request, or with trailing bytes, is EIO.
  EXPECT_EQ(DecodeReply<StatReply>(err, MessageType::kStat, 10).error(), -EIO);
  EXPECT_EQ(DecodeReply<StatReply>(err, MessageType::kOpen, 9).error(), -EIO);
  auto request = EncodeRequest(StatRequest{1}, 9);
  EXPECT_EQ(DecodeReply<StatReply>(request, MessageType::kStat, 9).error(), -EIO);
  auto ok = EncodeReply(MessageType::kStat, 9, 0, StatReply{SampleStat()});
  ok.push_back(0);
  FinishMessage(ok, MessageType::kStat, kFlagReply, 9);
  EXPECT_EQ(DecodeReply<StatReply>(ok, MessageType::kStat, 9).error(), -EIO);
  // An errno outside 1..4095 is not a reply.
  auto bad = EncodeErrorReply(MessageType::kStat, 9, 5000);
  EXPECT_EQ(DecodeReply<StatReply>(bad, MessageType::kStat, 9).error(), -EIO);
}

TEST(ProtocolTest, NamesAndTexts) {
  EXPECT_TRUE(IsValidName("a"));
  EXPECT_TRUE(IsValidName("..."));
  EXPECT_TRUE(IsValidName(std::string(255, 'n')));
  EXPECT_FALSE(IsValidName(""));
  EXPECT_FALSE(IsValidName("."));
  EXPECT_FALSE(IsValidName(".."));
  EXPECT_FALSE(IsValidName("a/b"));
  EXPECT_FALSE(IsValidName("/"));
  EXPECT_FALSE(IsValidName(std::string("a\0b", 3)));
  EXPECT_FALSE(IsValidName(std::string(256, 'n')));
  EXPECT_TRUE(IsValidText("/etc/../x"));
  EXPECT_TRUE(IsValidText(""));
  EXPECT_FALSE(IsValidText(std::string("a\0", 2)));
  EXPECT_FALSE(IsValidText(std::string(4096, 't')));
}

TEST(ProtocolTest, RejectsBadNamesInRequests) {
  for (std::string bad : {std::string(""), std::string("."), std::string(".."), std::string("a/b"),
                          std::string("x\0y", 3), std::string(256, 'z')}) {
    auto bytes = EncodeRequest(WalkRequest{1, {"ok", bad}}, 1);
    EXPECT_EQ(DecodeBody<WalkRequest>(bytes).error(), -EINVAL) << bad;
    EXPECT_EQ(DecodeBody<MkdirRequest>(EncodeRequest(MkdirRequest{1, bad, 0, 0, 0}, 1)).error(), -EINVAL);
    EXPECT_EQ(DecodeBody<RenameRequest>(EncodeRequest(RenameRequest{1, "a", 1, bad, 0}, 1)).error(), -EINVAL);
  }
  EXPECT_EQ(DecodeBody<SymlinkRequest>(EncodeRequest(SymlinkRequest{1, "l", std::string("a\0", 2), 0, 0}, 1))
                .error(),
            -EINVAL);
}

TEST(ProtocolTest, RejectsMalformedHeaders) {
  auto good = EncodeRequest(StatRequest{1}, 1);
  EXPECT_TRUE(DecodeHeader(good));
  // Short.
  for (size_t n = 0; n < kHeaderSize; ++n) {
    EXPECT_EQ(DecodeHeader(std::span(good.data(), n)).error(), -EINVAL) << n;
  }
  // Length disagreeing with the packet, either way.
  auto longer = good;
  longer.push_back(0);
  EXPECT_EQ(DecodeHeader(longer).error(), -EINVAL);
  EXPECT_EQ(DecodeHeader(std::span(good.data(), good.size() - 1)).error(), -EINVAL);
  // Over the maximum, even when the length field agrees.
  std::vector<char> huge(kMaxMessageSize + 1);
  memcpy(huge.data(), good.data(), kHeaderSize);
  FinishMessage(huge, MessageType::kStat, 0, 1);
  EXPECT_EQ(DecodeHeader(huge).error(), -EINVAL);
  // Unknown types and flags.
  for (uint16_t type : {uint16_t{0}, uint16_t{kLastMessageType + 1}, uint16_t{0xffff}}) {
    auto b = good;
    memcpy(b.data() + 4, &type, 2);
    EXPECT_EQ(DecodeHeader(b).error(), -EINVAL) << type;
  }
  auto flagged = good;
  flagged[6] = 2;
  EXPECT_EQ(DecodeHeader(flagged).error(), -EINVAL);
}

TEST(ProtocolTest, RejectsTruncatedAndTrailingBodies) {
  std::vector<std::vector<char>> messages = {
      EncodeRequest(WalkRequest{1, {"a", "bc"}}, 1),
      EncodeRequest(CreateRequest{1, "f", 0, 0644, 0, 0}, 1),
      EncodeRequest(SymlinkRequest{1, "l", "target", 0, 0}, 1),
      EncodeRequest(RenameRequest{1, "a", 2, "b", 0}, 1),
      EncodeRequest(SetstatRequest{}, 1),
  };
  auto decode = [](const std::vector<char>& m) -> int {
    auto h = DecodeHeader(m);
    if (!h) return h.error();
    switch (h->type) {
      case MessageType::kWalk: return DecodeBody<WalkRequest>(m) ? 0 : -EINVAL;
      case MessageType::kCreate: return DecodeBody<CreateRequest>(m) ? 0 : -EINVAL;
      case MessageType::kSymlink: return DecodeBody<SymlinkRequest>(m) ? 0 : -EINVAL;
      case MessageType::kRename: return DecodeBody<RenameRequest>(m) ? 0 : -EINVAL;
      case MessageType::kSetstat: return DecodeBody<SetstatRequest>(m) ? 0 : -EINVAL;
      default: return -1;
    }
  };
  for (const auto& m : messages) {
    EXPECT_EQ(decode(m), 0);
    for (size_t n = kHeaderSize; n < m.size(); ++n) {
      std::vector<char> cut(m.begin(), m.begin() + static_cast<ptrdiff_t>(n));
      FinishMessage(cut, DecodeHeader(m)->type, 0, 1);
      EXPECT_EQ(decode(cut), -EINVAL) << n;
    }
    auto extra = m;
    extra.push_back('x');
    FinishMessage(extra, DecodeHeader(m)->type, 0, 1);
    EXPECT_EQ(decode(extra), -EINVAL);
  }
}

TEST(ProtocolTest, RejectsOverlongLengthsAndCounts) {
  // A string length beyond the message.
  auto walk = EncodeRequest(WalkRequest{1, {"abc"}}, 1);
  uint32_t big = 0xfffffff0;
  memcpy(walk.data() + kHeaderSize + 8 + 4, &big, 4);  // the name's length
  EXPECT_EQ(DecodeBody<WalkRequest>(walk).error(), -EINVAL);
  // A list count beyond the message (must not allocate or loop that many).
  walk = EncodeRequest(WalkRequest{1, {"abc"}}, 1);
  memcpy(walk.data() + kHeaderSize + 8, &big, 4);
  EXPECT_EQ(DecodeBody<WalkRequest>(walk).error(), -EINVAL);
  // A list count that is plausible but too large for the bytes.
  uint32_t three = 3;
  walk = EncodeRequest(WalkRequest{1, {"abc"}}, 1);
  memcpy(walk.data() + kHeaderSize + 8, &three, 4);
  EXPECT_EQ(DecodeBody<WalkRequest>(walk).error(), -EINVAL);
}

// Every kind of request, valid, as seeds for mutation.
std::vector<std::vector<char>> Seeds() {
  SetstatRequest set;
  set.handle = 2;
  set.mask = kSetMode | kSetMtime;
  set.mode = 0600;
  return {
      EncodeRequest(AttachRequest{"/"}, 1),
      EncodeRequest(WalkRequest{1, {"dir", "file"}}, 2),
      EncodeRequest(StatRequest{1}, 3),
      EncodeRequest(OpenRequest{2, O_RDONLY}, 4),
      EncodeRequest(CreateRequest{1, "new", O_RDWR, 0644, 0, 0}, 5),
      EncodeRequest(MkdirRequest{1, "newdir", 0755, 0, 0}, 6),
      EncodeRequest(MknodRequest{1, "fifo", S_IFIFO | 0644, 0, 0, 0}, 7),
      EncodeRequest(SymlinkRequest{1, "sl", "/etc", 0, 0}, 8),
      EncodeRequest(LinkRequest{1, "hl", 2}, 9),
      EncodeRequest(ReadlinkRequest{3}, 10),
      EncodeRequest(UnlinkRequest{1, "new", 0}, 11),
      EncodeRequest(RenameRequest{1, "newdir", 1, "renamed", 0}, 12),
      EncodeRequest(GetdentsRequest{1, 0}, 13),
      EncodeRequest(set, 14),
      EncodeRequest(StatfsRequest{1}, 15),
      EncodeRequest(FsyncRequest{1}, 16),
      EncodeRequest(CloseRequest{5}, 17),
  };
}

// The server answers every mutation with a well-formed reply and stays
// inside its directory.
TEST(ProtocolFuzzTest, RandomMutationsNeverCrashTheServer) {
  TempTree outside;
  outside.Write("secret", "x");
  TempTree tree;
  tree.Write("dir/file", "data");
  Server server(tree.OpenDir(), false);
  std::mt19937 rng(12345);
  auto seeds = Seeds();
  // Give the mutations real handles to hit.
  UniqueFd fd;
  for (const auto& s : seeds) server.Handle(s, &fd);
  int replies_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<char> m = seeds[rng() % seeds.size()];
    int mutations = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < mutations; ++k) {
      switch (rng() % 5) {
        case 0: m[rng() % m.size()] = static_cast<char>(rng()); break;  // flip a byte
        case 1: m.resize(rng() % (m.size() + 1)); break;                 // truncate
        case 2: m.insert(m.begin() + static_cast<ptrdiff_t>(rng() % (m.size() + 1)), static_cast<char>(rng())); break;
        case 3:
          if (m.size() >= kHeaderSize) FinishMessage(m, static_cast<MessageType>(m[4]), 0, 1);  // fix the length
          break;
        case 4:
          if (m.size() > kHeaderSize + 4) {  // a random u32 (a length, count or handle)
            uint32_t v = rng() % 8 == 0 ? static_cast<uint32_t>(rng()) : rng() % 64;
            memcpy(m.data() + kHeaderSize + rng() % (m.size() - kHeaderSize - 3), &v, 4);
          }
          break;
      }
      if (m.empty()) m.push_back(0);
    }
    auto reply = server.Handle(m, &fd);
    fd.reset();
    auto header = DecodeHeader(reply);
    ASSERT_GE(reply.size(), kHeaderSize + 4);
    if (header) {
      EXPECT_EQ(header->flags, kFlagReply);
      ++replies_ok;
    }
  }
  EXPECT_GT(replies_ok, 1000);
  EXPECT_EQ(outside.Read("secret"), "x");
}

TEST(ProtocolFuzzTest, RandomRepliesNeverCrashTheClientDecoder) {
  std::mt19937 rng(777);
  WalkReply walk;
  walk.nodes = {{1, SampleStat()}};
  GetdentsReply dents;
  dents.entries = {{"a", 1, 4}};
  std::vector<std::vector<char>> seeds = {EncodeReply(MessageType::kWalk, 1, 0, walk),
                                          EncodeReply(MessageType::kGetdents, 1, 0, dents),
                                          EncodeReply(MessageType::kReadlink, 1, 0, ReadlinkReply{"/x"})};
  for (int i = 0; i < 20000; ++i) {
    auto m = seeds[rng() % seeds.size()];
    m[rng() % m.size()] = static_cast<char>(rng());
    if (rng() % 2) m.resize(rng() % (m.size() + 1));
    (void)DecodeReply<WalkReply>(m, MessageType::kWalk, 1);
    (void)DecodeReply<GetdentsReply>(m, MessageType::kGetdents, 1);
    (void)DecodeReply<ReadlinkReply>(m, MessageType::kReadlink, 1);
  }
}

}  // namespace
}  // namespace cocoon::gofer
