// OCI hooks: all six kinds run, in the spec's order, with the state on stdin.
#include <algorithm>
#include <filesystem>

#include "harness.h"

namespace cocoon::integration {
namespace {

using HooksTest = RuntimeTest;

// A hook that appends `name` to the rootfs' hooks.log. The spec runs some
// hooks in the runtime's mount namespace (or, for createContainer, in the
// container's before pivot_root) and startContainer after pivot_root, so the
// hook writes through the host path when it is visible and /hooks.log inside.
json AppendHook(const std::string& name, const std::string& rootfs) {
  std::string script = "if [ -d " + rootfs + " ]; then echo " + name + " >> " + rootfs +
                       "/hooks.log; else echo " + name + " >> /hooks.log; fi";
  return {{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}};
}

// Where `name` is in `lines`, or -1.
int IndexOf(const std::vector<std::string>& lines, const std::string& name) {
  auto it = std::find(lines.begin(), lines.end(), name);
  return it == lines.end() ? -1 : static_cast<int>(it - lines.begin());
}

TEST_F(HooksTest, AllHooksRunInOrder) {
  const std::vector<std::string> kinds = {"prestart",       "createRuntime", "createContainer",
                                          "startContainer", "poststart",     "poststop"};
  for (const auto& kind : kinds) config()["hooks"][kind] = json::array({AppendHook(kind, rootfs())});
  RunResult r = RunContainer({"true"});
  ASSERT_EQ(r.status, 0) << r.Describe();
  std::string log = ReadFileOrEmpty(rootfs() + "/hooks.log");
  std::vector<std::string> lines = Lines(log);
  ASSERT_EQ(lines.size(), kinds.size()) << log;
  for (const auto& kind : kinds) EXPECT_NE(IndexOf(lines, kind), -1) << kind << " missing:\n" << log;
  // The spec fixes this order; poststart only has to follow the create hooks
  // (runc runs it concurrently with startContainer).
  EXPECT_LT(IndexOf(lines, "prestart"), IndexOf(lines, "createContainer")) << log;
  EXPECT_LT(IndexOf(lines, "createRuntime"), IndexOf(lines, "createContainer")) << log;
  EXPECT_LT(IndexOf(lines, "createContainer"), IndexOf(lines, "startContainer")) << log;
  EXPECT_LT(IndexOf(lines, "createContainer"), IndexOf(lines, "poststart")) << log;
  EXPECT_EQ(lines.back(), "poststop") << log;
}

TEST_F(HooksTest, HooksGetStateOnStdinAndTheirEnv) {
  std::string saved = tmp() + "/state.json";
  std::string env_file = tmp() + "/env";
  config()["hooks"]["createRuntime"] = json::array(
      {{{"path", "/bin/sh"},
        {"args", {"sh", "-c", "cat > " + saved + "; echo $HOOK_VAR > " + env_file}},
        {"env", {"HOOK_VAR=from-spec"}}}});
  RunResult r = RunContainer({"true"});
  ASSERT_EQ(r.status, 0) << r.Describe();
  json state = json::parse(ReadFileOrEmpty(saved), nullptr, false);
  ASSERT_TRUE(state.is_object()) << ReadFileOrEmpty(saved);
  EXPECT_EQ(state["bundle"], bundle());
  EXPECT_GT(state.value("pid", 0), 0);
  EXPECT_TRUE(state.contains("id"));
  EXPECT_EQ(ReadFileOrEmpty(env_file), "from-spec\n");
}

// The validation suite's hooks_stdin: prestart reads "created" (runtime-spec
// 1.0 runs it after create, before the program), createRuntime "creating".
TEST_F(HooksTest, PrestartSeesCreatedAndCreateRuntimeSeesCreating) {
  std::string prestart = tmp() + "/prestart.json";
  std::string create_runtime = tmp() + "/create_runtime.json";
  config()["hooks"]["prestart"] =
      json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + prestart}}}});
  config()["hooks"]["createRuntime"] =
      json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > " + create_runtime}}}});
  RunResult r = RunContainer({"true"});
  ASSERT_EQ(r.status, 0) << r.Describe();
  json pre = json::parse(ReadFileOrEmpty(prestart), nullptr, false);
  json runtime = json::parse(ReadFileOrEmpty(create_runtime), nullptr, false);
  ASSERT_TRUE(pre.is_object() && runtime.is_object()) << ReadFileOrEmpty(prestart);
  EXPECT_EQ(pre["status"], "created");
  EXPECT_EQ(runtime["status"], "creating");
  EXPECT_GT(pre.value("pid", 0), 0);
}

TEST_F(HooksTest, FailingCreateRuntimeHookFailsCreateAndCleansUp) {
  config()["hooks"]["createRuntime"] =
      json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 1"}}}});
  SetArgs({"sleep", "1000"});
  SaveConfig();
  std::string id = NewId();
  RunResult r = Run({"create", "--bundle", bundle(), id});
  EXPECT_NE(r.status, 0) << r.Describe();
  EXPECT_FALSE(Lines(r.err).empty()) << r.Describe();
  EXPECT_FALSE(std::filesystem::exists(root() + "/" + id));
  EXPECT_TRUE(LeftoverProcesses().empty());
}

}  // namespace
}  // namespace cocoon::integration
