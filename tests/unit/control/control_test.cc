// The control RPC: framing, FD passing, dispatch, and a real client/server pair.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "control/client.h"
#include "control/server.h"

namespace cocoon::control {
namespace {

TEST(ControlMessage, RoundTripsBodyAndFds) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
  UniqueFd a(sv[0]), b(sv[1]);
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd r(pipefd[0]), w(pipefd[1]);
  int fds[] = {w.get()};
  ASSERT_TRUE(SendMessage(a.get(), {{"method", "x"}, {"n", 7}}, fds));
  auto got = ReceiveMessage(b.get());
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->body["n"], 7);
  ASSERT_EQ((*got)->fds.size(), 1u);
  // The passed fd is the pipe's write end: what goes in comes out of r.
  ASSERT_EQ(::write((*got)->fds[0].get(), "k", 1), 1);
  char c = 0;
  ASSERT_EQ(::read(r.get(), &c, 1), 1);
  EXPECT_EQ(c, 'k');
  a.reset();
  auto eof = ReceiveMessage(b.get());
  ASSERT_TRUE(eof);
  EXPECT_FALSE(*eof);
}

TEST(ControlMessage, RejectsMalformedBodies) {
  EXPECT_FALSE(DecodeBody(""));
  EXPECT_FALSE(DecodeBody("[1,2]"));
  EXPECT_FALSE(DecodeBody("{\"a\":"));
  EXPECT_FALSE(DecodeBody(std::string(kMaxMessageBytes + 1, ' ')));
  EXPECT_TRUE(DecodeBody("{\"method\":\"ps\"}"));
}

TEST(ControlMessage, RandomBytesNeverCrashTheDecoder) {
  std::mt19937 rng(42);
  std::string seed = R"({"method":"exec","params":{"args":["sh","-c","x"],"env":[],"cwd":"/"}})";
  for (int i = 0; i < 20000; ++i) {
    std::string bytes = seed;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) bytes[rng() % bytes.size()] = static_cast<char>(rng());
    auto decoded = DecodeBody(bytes);
    if (decoded) {
      EXPECT_TRUE(decoded->is_object());
    }
  }
}

TEST(ControlServer, DispatchesByMethodAndReportsErrors) {
  Server server{UniqueFd()};
  server.Handle("echo", [](const nlohmann::json& params, std::vector<UniqueFd>&) -> Result<nlohmann::json> {
    return params;
  });
  server.Handle("fail", [](const nlohmann::json&, std::vector<UniqueFd>&) -> Result<nlohmann::json> {
    return std::unexpected(MakeError("no such pid 9"));
  });
  std::vector<UniqueFd> fds;
  EXPECT_EQ(server.Dispatch({{"method", "echo"}, {"params", {{"a", 1}}}}, fds)["result"]["a"], 1);
  EXPECT_EQ(server.Dispatch({{"method", "fail"}}, fds)["error"], "no such pid 9");
  EXPECT_TRUE(server.Dispatch({{"method", "nope"}}, fds).contains("error"));
  EXPECT_TRUE(server.Dispatch({{"params", {}}}, fds).contains("error"));
  EXPECT_TRUE(server.Dispatch({{"method", "echo"}, {"params", 3}}, fds).contains("error"));
}

TEST(ControlServer, ServesClientsOverAUnixSocketInADirectory) {
  char tmpl[] = "/tmp/cocoon-control-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto listener = ListenInDir(dir, "control.sock");
  ASSERT_TRUE(listener) << listener.error().message();
  Server server(std::move(*listener));
  server.Handle("write", [](const nlohmann::json& params, std::vector<UniqueFd>& fds) -> Result<nlohmann::json> {
    if (fds.size() != 1) return std::unexpected(MakeError("want one fd"));
    std::string text = params.at("text");
    if (::write(fds[0].get(), text.data(), text.size()) < 0) return std::unexpected(ErrnoError("write"));
    return nlohmann::json{{"written", text.size()}};
  });
  server.Handle("stop", [&](const nlohmann::json&, std::vector<UniqueFd>&) -> Result<nlohmann::json> {
    server.Stop();
    return nlohmann::json::object();
  });
  std::thread serving([&] { EXPECT_TRUE(server.Serve()); });
  int pipefd[2];
  ASSERT_EQ(::pipe(pipefd), 0);
  UniqueFd r(pipefd[0]), w(pipefd[1]);
  Client client(dir, "control.sock");
  int fds[] = {w.get()};
  auto reply = client.Call("write", {{"text", "hi"}}, fds);
  ASSERT_TRUE(reply) << reply.error().message();
  EXPECT_EQ(reply->body["written"], 2);
  char buf[2];
  ASSERT_EQ(::read(r.get(), buf, 2), 2);
  EXPECT_EQ(std::string(buf, 2), "hi");
  auto failed = client.Call("write", {{"text", "x"}});
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message(), "want one fd");
  ASSERT_TRUE(client.Call("stop"));
  serving.join();
  ::unlink((dir + "/control.sock").c_str());
  ::rmdir(dir.c_str());
}

TEST(ControlClient, NamesTheSocketWhenNobodyListens) {
  Client client("/nonexistent-cocoon-dir", "control.sock");
  auto reply = client.Call("ps");
  ASSERT_FALSE(reply);
  EXPECT_NE(reply.error().message().find("/nonexistent-cocoon-dir"), std::string::npos) << reply.error().message();
}

}  // namespace
}  // namespace cocoon::control
