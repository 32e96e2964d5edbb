// Generates TypeScript messages and typed @grpc/grpc-js stubs (ts-proto) into
// src/gen/ from the repository's API protos and from the google/rpc protos of
// the pinned google-proto-files package. Nothing generated is committed.
// It also copies what the package ships from elsewhere in the repository, so
// that the built package never reads the repository at run time: the retry
// policy client/service_config.json into src/gen/ (tsc emits it beside the
// code that imports it) and the repository's LICENSE to the package root
// (npm pack takes it from there).
// The API's own import "google/rpc/status.proto" (BatchUpdateStatusResult)
// resolves there too: the copy vendored under third_party/googleapis is for
// buf and Go, so it is deliberately not on the proto path.
//
// protoc comes from $PROTOC, else from PATH (Debian: apt-get install
// protobuf-compiler); test.sh installs it.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkgRoot = path.resolve(__dirname, '..');
const repoProtos = path.resolve(pkgRoot, '..', '..', 'protos');
const googleProtos = path.dirname(require.resolve('google-proto-files/package.json'));
const outDir = path.join(pkgRoot, 'src', 'gen');
const serviceConfig = path.resolve(pkgRoot, '..', 'service_config.json');
const license = path.resolve(pkgRoot, '..', '..', 'LICENSE');
const plugin = path.join(
  pkgRoot,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'protoc-gen-ts_proto.cmd' : 'protoc-gen-ts_proto',
);

const protos = [
  path.join(repoProtos, 'zoom', 'livestream', 'v1', 'livestream_service.proto'),
  path.join(repoProtos, 'zoom', 'livestream', 'v1', 'error_reason.proto'),
  path.join(googleProtos, 'google', 'rpc', 'status.proto'),
  path.join(googleProtos, 'google', 'rpc', 'error_details.proto'),
  path.join(googleProtos, 'google', 'rpc', 'code.proto'),
];

// ts-proto options: grpc-js service definitions and client classes; plain
// interfaces with encode/decode/fromPartial; 64-bit ints as JS numbers (only
// Duration.seconds uses them here, and retry delays fit easily).
const tsProtoOptions = [
  'outputServices=grpc-js',
  'env=node',
  'esModuleInterop=true',
  'forceLong=number',
  'useOptionals=none',
  'outputJsonMethods=true',
].join(',');

const protoc = process.env.PROTOC || 'protoc';

// proto3 `optional` (used by the API) needs protoc 3.15 or newer without flags.
let version;
try {
  version = execFileSync(protoc, ['--version']).toString().trim();
} catch (err) {
  console.error(
    `generate: cannot run '${protoc}' (${err.code || err.message}); ` +
      'install protoc (apt-get install protobuf-compiler) or set PROTOC',
  );
  process.exit(1);
}
const m = /(\d+)\.(\d+)/.exec(version);
if (!m || Number(m[1]) < 3 || (Number(m[1]) === 3 && Number(m[2]) < 15)) {
  console.error(`generate: ${version} is too old; protoc 3.15 or newer is needed`);
  process.exit(1);
}

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

try {
  execFileSync(
    protoc,
    [
      `--plugin=protoc-gen-ts_proto=${plugin}`,
      `--ts_proto_out=${outDir}`,
      `--ts_proto_opt=${tsProtoOptions}`,
      `--proto_path=${repoProtos}`,
      `--proto_path=${googleProtos}`,
      ...protos,
    ],
    { stdio: 'inherit' },
  );
} catch {
  process.exit(1);
}
fs.copyFileSync(serviceConfig, path.join(outDir, 'service_config.json'));
fs.copyFileSync(license, path.join(pkgRoot, 'LICENSE'));
console.log(`generate: wrote ${path.relative(pkgRoot, outDir)}/ with ${version}, service_config.json and LICENSE`);
