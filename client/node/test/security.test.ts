// TLS, mTLS and bearer tokens against the real server: the secure stack that
// scripts/test-clients.sh starts (LIVESTREAM_TLS_TARGET, LIVESTREAM_MTLS_TARGET,
// LIVESTREAM_AUTHZ_PLAINTEXT_TARGET, LIVESTREAM_TLS_DIR; see start_secure_stack
// there). Its policy allows the principals "allowed-app" (allowed.token) and
// "caller" (the CN of client.crt); "denied-app" (denied.token) is known but not
// allowed. Without the stack those tests skip; the local checks always run.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  CreateClientOptions,
  createClient,
  isServiceError,
  LiveStreamAction,
  readBearerTokenFile,
  RichError,
  tlsCredentials,
  updateStatus,
  UpdateStatusRequest,
} from '../src';

const env = {
  tls: process.env.LIVESTREAM_TLS_TARGET,
  mtls: process.env.LIVESTREAM_MTLS_TARGET,
  plaintext: process.env.LIVESTREAM_AUTHZ_PLAINTEXT_TARGET,
  dir: process.env.LIVESTREAM_TLS_DIR,
};
const skip = !(env.tls && env.mtls && env.plaintext && env.dir) && 'no secure stack: run through scripts/test-clients.sh';
const file = (name: string): string => path.join(env.dir ?? '', name);
const token = (name: string): string => readBearerTokenFile(file(`${name}.token`));

/** Starts the known webinar's stream; resolves with the tracking id or the RichError. */
async function start(target: string, options: CreateClientOptions): Promise<string | RichError> {
  const client = createClient(target, options);
  try {
    const response = await updateStatus(
      client,
      UpdateStatusRequest.fromPartial({ webinarId: '99289110036', action: LiveStreamAction.LIVE_STREAM_ACTION_START }),
      { deadlineMs: 10_000 },
    );
    return response.trackingId;
  } catch (err) {
    assert.ok(err instanceof Error && isServiceError(err), String(err));
    return RichError.from(err);
  } finally {
    client.close();
  }
}

describe('TLS, mTLS and bearer tokens against the real server', { skip }, () => {
  const ca = { caFile: file('ca.crt') };
  const mtls = { ...ca, certFile: file('client.crt'), keyFile: file('client.key') };
  const cases: Array<[string, () => [string, CreateClientOptions], number, string?]> = [
    ['tls, allowed token', () => [env.tls!, { tls: ca, bearerToken: token('allowed') }], GrpcStatus.OK],
    ['tls, no token', () => [env.tls!, { tls: ca }], GrpcStatus.UNAUTHENTICATED, 'UNAUTHENTICATED'],
    ['tls, denied token', () => [env.tls!, { tls: ca, bearerToken: token('denied') }], GrpcStatus.PERMISSION_DENIED,
      'PERMISSION_DENIED'],
    ['tls, untrusted CA', () => [env.tls!, { tls: { caFile: file('other-ca.crt') }, bearerToken: token('allowed') }],
      GrpcStatus.UNAVAILABLE],
    ['mtls, client certificate', () => [env.mtls!, { tls: mtls }], GrpcStatus.OK],
    ['mtls, the token wins over the certificate', () => [env.mtls!, { tls: mtls, bearerToken: token('denied') }],
      GrpcStatus.PERMISSION_DENIED, 'PERMISSION_DENIED'],
    ['mtls, no client certificate', () => [env.mtls!, { tls: ca }], GrpcStatus.UNAVAILABLE],
    ['plaintext, token explicitly allowed',
      () => [env.plaintext!, { bearerToken: token('allowed'), allowInsecureBearerToken: true }], GrpcStatus.OK],
    ['plaintext, no token', () => [env.plaintext!, {}], GrpcStatus.UNAUTHENTICATED, 'UNAUTHENTICATED'],
    ['credentials from tlsCredentials', () => [env.tls!, { credentials: tlsCredentials(ca), bearerToken: token('allowed') }],
      GrpcStatus.OK],
  ];
  for (const [name, make, wantCode, wantReason] of cases) {
    it(name, async () => {
      const [target, options] = make();
      const result = await start(target, options);
      if (wantCode === GrpcStatus.OK) {
        assert.equal(typeof result, 'string', String(result));
        assert.notEqual(result, '');
        return;
      }
      assert.ok(result instanceof RichError, `succeeded: ${String(result)}`);
      assert.equal(result.code, wantCode, result.toString());
      if (wantReason) assert.equal(result.reason, wantReason, result.toString());
      if (options.bearerToken) assert.ok(!result.toString().includes(options.bearerToken), 'the error shows the token');
    });
  }
});

describe('local security checks', () => {
  it('refuses a bearer token on a plaintext channel unless allowed', () => {
    assert.throws(() => createClient('127.0.0.1:1', { bearerToken: 'secret-token' }), (err: Error) => {
      assert.match(err.message, /needs TLS/);
      assert.ok(!err.message.includes('secret-token'));
      return true;
    });
  });

  it('names an unreadable CA file', () => {
    assert.throws(() => tlsCredentials({ caFile: '/nonexistent/ca.crt' }), /CA file \/nonexistent\/ca\.crt/);
  });

  it('wants the client certificate and key together', () => {
    assert.throws(() => tlsCredentials({ certFile: 'client.crt' }), /go together/);
  });

  it('reads a token file without whitespace and refuses an empty one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'node-client-token-'));
    try {
      fs.writeFileSync(path.join(dir, 'token'), 'abc\n');
      assert.equal(readBearerTokenFile(path.join(dir, 'token')), 'abc');
      fs.writeFileSync(path.join(dir, 'token'), ' \n');
      assert.throws(() => readBearerTokenFile(path.join(dir, 'token')), /empty/);
    } finally {
      fs.rmSync(dir, { recursive: true });
    }
  });
});
