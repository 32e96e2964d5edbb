#ifndef LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_AUTH_CONTEXT_H_
#define LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_AUTH_CONTEXT_H_

// A grpc::AuthContext with the properties a test gives it, as gRPC's TLS
// handshaker would set them for a verified client certificate.

#include <grpcpp/security/auth_context.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace livestream_gateway::testing {

class FakeAuthContext final : public grpc::AuthContext {
 public:
  // With no properties the peer is not authenticated (plaintext).
  explicit FakeAuthContext(std::multimap<std::string, std::string> properties = {},
                           std::string identity_property = "")
      : properties_(std::move(properties)), identity_property_(std::move(identity_property)) {}

  bool IsPeerAuthenticated() const override { return !identity_property_.empty(); }
  std::vector<grpc::string_ref> GetPeerIdentity() const override {
    return FindPropertyValues(identity_property_);
  }
  std::string GetPeerIdentityPropertyName() const override { return identity_property_; }
  std::vector<grpc::string_ref> FindPropertyValues(const std::string& name) const override {
    std::vector<grpc::string_ref> values;
    auto [begin, end] = properties_.equal_range(name);
    for (auto it = begin; it != end; ++it) values.emplace_back(it->second);
    return values;
  }
  // Iteration is not used by the code under test.
  grpc::AuthPropertyIterator begin() const override { return Iterator(); }
  grpc::AuthPropertyIterator end() const override { return Iterator(); }
  void AddProperty(const std::string& key, const grpc::string_ref& value) override {
    properties_.emplace(key, std::string(value.data(), value.size()));
  }
  bool SetPeerIdentityPropertyName(const std::string& name) override {
    identity_property_ = name;
    return true;
  }

 private:
  // AuthPropertyIterator's constructors are protected.
  struct Iterator : grpc::AuthPropertyIterator {
    Iterator() : grpc::AuthPropertyIterator() {}
  };

  std::multimap<std::string, std::string> properties_;
  std::string identity_property_;
};

}  // namespace livestream_gateway::testing

#endif  // LIVESTREAM_GATEWAY_TESTS_UNIT_FAKE_AUTH_CONTEXT_H_
