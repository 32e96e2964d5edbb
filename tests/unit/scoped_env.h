#ifndef LIVESTREAM_GATEWAY_TESTS_UNIT_SCOPED_ENV_H_
#define LIVESTREAM_GATEWAY_TESTS_UNIT_SCOPED_ENV_H_

#include <cstdlib>
#include <optional>
#include <string>

namespace livestream_gateway::testing {

// Sets an environment variable (or unsets it, given null) until the end of
// the scope, then restores it. Tests run one at a time in their process.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value == nullptr) {
      unsetenv(name);
    } else {
      setenv(name, value, 1);
    }
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_UNIT_SCOPED_ENV_H_
