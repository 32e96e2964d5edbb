#include "tests/tls/test_pki.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "absl/strings/str_cat.h"

extern char** environ;

namespace livestream_testing {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";

// Runs openssl to its end; its stderr goes to an in-memory file, so it can
// never block on a full pipe, and into the error.
absl::Status Openssl(std::vector<std::string> args) {
  const int err_fd = memfd_create("openssl-stderr", MFD_CLOEXEC);
  if (err_fd < 0) return absl::InternalError("memfd_create failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_fd, STDERR_FILENO);
  args.insert(args.begin(), kOpenssl);
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, kOpenssl, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  int wait_status = 0;
  if (spawned == 0) waitpid(pid, &wait_status, 0);
  std::string errors;
  lseek(err_fd, 0, SEEK_SET);
  char buffer[4096];
  for (ssize_t n; (n = read(err_fd, buffer, sizeof(buffer))) > 0;) errors.append(buffer, n);
  close(err_fd);
  if (spawned != 0) return absl::InternalError(absl::StrCat("cannot run ", kOpenssl));
  if (!WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != 0) {
    return absl::InternalError(absl::StrCat("openssl ", args[1], " failed: ", errors));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status TestPki::MakeCa(const std::string& name) {
  const std::string config = absl::StrCat(dir_, "/", name, ".cnf");
  std::ofstream(config) << "[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n"
                        << "[dn]\nCN=" << name << "\n"
                        << "[ext]\nbasicConstraints=critical,CA:TRUE\n"
                        << "keyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\n";
  absl::Status made = Openssl({"req", "-x509", "-config", config, "-newkey", "ec", "-pkeyopt",
                               "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name), "-out",
                               cert(name), "-days", "2"});
  if (made.ok()) chmod(key(name).c_str(), 0600);
  return made;
}

absl::Status TestPki::MakeLeaf(const std::string& name, const std::string& ca,
                               const std::string& common_name, const std::string& san) {
  const std::string config = absl::StrCat(dir_, "/", name, ".cnf");
  {
    std::ofstream out(config);
    out << "[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=" << common_name << "\n"
        << "[ext]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
        << "extendedKeyUsage=serverAuth,clientAuth\nauthorityKeyIdentifier=keyid\n";
    if (!san.empty()) out << "subjectAltName=" << san << "\n";
  }
  const std::string request = absl::StrCat(dir_, "/", name, ".csr");
  absl::Status made =
      Openssl({"req", "-new", "-config", config, "-newkey", "ec", "-pkeyopt",
               "ec_paramgen_curve:P-256", "-nodes", "-keyout", key(name), "-out", request});
  if (!made.ok()) return made;
  chmod(key(name).c_str(), 0600);
  return Openssl({"x509", "-req", "-in", request, "-CA", cert(ca), "-CAkey", key(ca),
                  "-CAcreateserial", "-CAserial", absl::StrCat(dir_, "/", ca, ".srl"), "-days", "2",
                  "-extfile", config, "-extensions", "ext", "-out", cert(name)});
}

absl::Status TestPki::MakeStandardSet() {
  for (absl::Status status : {
           MakeCa("ca"),
           MakeCa("other-ca"),
           MakeLeaf("server", "ca", "livestream-gateway", "IP:127.0.0.1,IP:::1,DNS:localhost"),
           MakeLeaf("client", "ca", "caller", ""),
           MakeLeaf("spiffe-client", "ca", "spiffe-caller", absl::StrCat("URI:", kSpiffeCaller)),
           MakeLeaf("rogue-client", "other-ca", "caller", ""),
       }) {
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

}  // namespace livestream_testing
