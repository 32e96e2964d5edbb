// A team's module that depends on the Go client by its module path and a
// release version. scripts/test-go-package.sh copies it out of the repository
// and adds the requirement with `go get MODULE@vVERSION` from the release's
// module proxy directory (scripts/release.sh go).
module example.com/livestream-consumer

go 1.26.0
