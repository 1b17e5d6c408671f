// Tests for signal name parsing and naming.
#include "linux/signals.h"

#include <gtest/gtest.h>

#include <csignal>

namespace cocoon::linux {
namespace {

TEST(SignalsTest, ParsesNamesInEveryForm) {
  for (const char* text : {"KILL", "SIGKILL", "kill", "sigkill", "9"}) {
    auto signal = ParseSignal(text);
    ASSERT_TRUE(signal) << text;
    EXPECT_EQ(*signal, SIGKILL) << text;
  }
  EXPECT_EQ(*ParseSignal("TERM"), SIGTERM);
  EXPECT_EQ(*ParseSignal("SIGHUP"), SIGHUP);
  EXPECT_EQ(*ParseSignal("usr1"), SIGUSR1);
  EXPECT_EQ(*ParseSignal("WINCH"), SIGWINCH);
  EXPECT_EQ(*ParseSignal("CLD"), SIGCHLD);
  EXPECT_EQ(*ParseSignal("IOT"), SIGABRT);
}

TEST(SignalsTest, ParsesRealtimeSignals) {
  EXPECT_EQ(*ParseSignal("SIGRTMIN"), SIGRTMIN);
  EXPECT_EQ(*ParseSignal("SIGRTMIN+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("rtmin+3"), SIGRTMIN + 3);
  EXPECT_EQ(*ParseSignal("RTMAX-1"), SIGRTMAX - 1);
  EXPECT_EQ(*ParseSignal("RTMAX"), SIGRTMAX);
  EXPECT_EQ(*ParseSignal("64"), 64);
}

TEST(SignalsTest, RejectsUnknownSignals) {
  for (const char* text : {"FOO", "SIGFOO", "", "0", "65", "-1", "9x", "RTMIN-1", "RTMAX+1",
                           "RTMIN+99", "RTMIN+", "SIG"}) {
    auto signal = ParseSignal(text);
    EXPECT_FALSE(signal) << text;
  }
  EXPECT_EQ(ParseSignal("FOO").error().message(), "unknown signal \"FOO\"");
}

TEST(SignalsTest, NamesSignals) {
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(SignalName(SIGABRT), "SIGABRT");
  EXPECT_EQ(SignalName(SIGRTMIN), "SIGRTMIN");
  EXPECT_EQ(SignalName(SIGRTMIN + 3), "SIGRTMIN+3");
  EXPECT_EQ(SignalName(SIGRTMAX - 1), "SIGRTMAX-1");
  EXPECT_EQ(SignalName(SIGRTMAX), "SIGRTMAX");
  EXPECT_EQ(SignalName(99), "signal 99");
}

TEST(SignalsTest, NameAndParseRoundTrip) {
  for (int signal = 1; signal <= SIGRTMAX; ++signal) {
    if (signal == 32 || signal == 33) continue;  // glibc's private signals have no name
    auto parsed = ParseSignal(SignalName(signal));
    ASSERT_TRUE(parsed) << SignalName(signal);
    EXPECT_EQ(*parsed, signal);
  }
}

}  // namespace
}  // namespace cocoon::linux
