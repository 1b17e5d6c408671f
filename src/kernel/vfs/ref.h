// Intrusive reference counting: the one ownership model for shared kernel
// objects (inodes, dentries, mounts, file descriptions, fd tables).
//
// Why intrusive rather than std::shared_ptr: an object can hand out a new
// reference to itself from a raw `this` (a dentry to its parent, a file to its
// poll waiters) without enable_shared_from_this, the count lives in the object
// (one allocation, one word), and checkpointing can walk objects by identity.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace cocoon::kernel::vfs {

class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void IncRef() const { count_.fetch_add(1, std::memory_order_relaxed); }
  void DecRef() const {
    if (count_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  int64_t ref_count() const { return count_.load(std::memory_order_relaxed); }

 protected:
  virtual ~RefCounted() = default;

 private:
  // Starts at 0: the first Ref takes ownership, so `Ref<T>(new T)` and
  // `Ref<T>(this)` are both right.
  mutable std::atomic<int64_t> count_{0};
};

// A counted reference to a RefCounted object; null is allowed.
template <typename T>
class Ref {
 public:
  Ref() = default;
  Ref(std::nullptr_t) {}  // NOLINT: implicit like a pointer.
  explicit Ref(T* ptr) : ptr_(ptr) {
    if (ptr_) ptr_->IncRef();
  }
  Ref(const Ref& other) : Ref(other.ptr_) {}
  Ref(Ref&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
  template <typename U>
  Ref(const Ref<U>& other) : Ref(other.get()) {}  // NOLINT: upcast like a pointer.
  template <typename U>
  Ref(Ref<U>&& other) noexcept : ptr_(other.release()) {}  // NOLINT
  ~Ref() { reset(); }

  Ref& operator=(Ref other) noexcept {
    std::swap(ptr_, other.ptr_);
    return *this;
  }

  T* get() const { return ptr_; }
  T* operator->() const { return ptr_; }
  T& operator*() const { return *ptr_; }
  explicit operator bool() const { return ptr_ != nullptr; }

  void reset() {
    if (ptr_) std::exchange(ptr_, nullptr)->DecRef();
  }
  // Gives up the reference without dropping the count (for moves between types).
  [[nodiscard]] T* release() { return std::exchange(ptr_, nullptr); }

  friend bool operator==(const Ref& a, const Ref& b) { return a.ptr_ == b.ptr_; }
  friend bool operator==(const Ref& a, std::nullptr_t) { return a.ptr_ == nullptr; }

 private:
  T* ptr_ = nullptr;
};

template <typename T, typename... Args>
Ref<T> MakeRef(Args&&... args) {
  return Ref<T>(new T(std::forward<Args>(args)...));
}

// A reference of a derived type when `ref` is one, else null.
template <typename T, typename U>
Ref<T> RefCast(const Ref<U>& ref) {
  return Ref<T>(dynamic_cast<T*>(ref.get()));
}

}  // namespace cocoon::kernel::vfs
