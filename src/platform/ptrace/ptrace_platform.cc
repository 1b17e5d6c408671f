// The ptrace Platform: hands out stub contexts over one memory file.
#include "platform/platform.h"
#include "platform/ptrace/ptrace_context.h"

namespace cocoon::platform {
namespace {

class PtracePlatform : public Platform {
 public:
  explicit PtracePlatform(int memfd) : memfd_(memfd) {}
  Result<std::unique_ptr<Context>> NewContext() override {
    auto ctx = TRY(ptrace::PtraceContext::Create(memfd_));
    return std::unique_ptr<Context>(std::move(ctx));
  }

 private:
  int memfd_;
};

}  // namespace

Result<std::unique_ptr<Platform>> NewPtracePlatform(int memfd) {
  return std::unique_ptr<Platform>(new PtracePlatform(memfd));
}

}  // namespace cocoon::platform
