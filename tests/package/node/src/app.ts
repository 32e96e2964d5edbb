// An application that depends on @zoom-livestream-gateway/client as a backend
// team would: installed from the npm tarball, beside its own @grpc/grpc-js
// (another minor version than the one the client is developed with), type
// checked by this project's strict tsconfig, run against a gateway.
//
//   node build/app.js HOST:PORT
//
// Exits non-zero (an AssertionError) on the first expectation that fails.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Metadata, Server, ServerCredentials, status } from '@grpc/grpc-js';
import * as otherGrpc from 'grpc-js-other-copy';
import {
  createClient,
  CreateClientOptions,
  ERROR_DOMAIN,
  ErrorReason,
  isServiceError,
  LiveStreamAction,
  LiveStreamServiceServer,
  LiveStreamServiceService,
  RichError,
  updateStatus,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from '@zoom-livestream-gateway/client';

const KNOWN_WEBINAR = '99289110036';
const UNKNOWN_WEBINAR = '12345';
const DEADLINE_MS = 10_000;

function start(webinarId: string): UpdateStatusRequest {
  return UpdateStatusRequest.fromPartial({ webinarId, action: LiveStreamAction.LIVE_STREAM_ACTION_START });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail('the call succeeded');
}

function assertWebinarNotFound(rich: RichError): void {
  assert.equal(rich.code, status.NOT_FOUND, rich.toString());
  assert.equal(rich.all('google.rpc.ErrorInfo').length, 1, `exactly one ErrorInfo: ${rich}`);
  assert.equal(rich.errorInfo?.domain, ERROR_DOMAIN);
  assert.equal(rich.reason, 'ZOOM_WEBINAR_NOT_FOUND');
  assert.equal(rich.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
  assert.equal(rich.zoomCode, '3001', rich.toString());
}

// The package uses the application's @grpc/grpc-js (a peer dependency), not a
// copy of its own.
function checkOneGrpc(): void {
  const packageDir = path.dirname(require.resolve('@zoom-livestream-gateway/client/package.json'));
  const seenByPackage = require.resolve('@grpc/grpc-js/package.json', { paths: [packageDir] });
  assert.equal(seenByPackage, require.resolve('@grpc/grpc-js/package.json'));
}

// A rejected call is grpc-js's ServiceError: an Error with code, details and
// metadata, which the package's helper reads.
async function callGateway(target: string): Promise<void> {
  const client = createClient(target);
  try {
    const ok = await updateStatus(client, start(KNOWN_WEBINAR), { deadlineMs: DEADLINE_MS });
    assert.notEqual(ok.trackingId, '');

    const err = await rejection(updateStatus(client, start(UNKNOWN_WEBINAR), { deadlineMs: DEADLINE_MS }));
    assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
    assert.ok(isServiceError(err), `not a ServiceError: ${String(err)}`);
    assert.equal(err.code, status.NOT_FOUND);
    assert.equal(typeof err.details, 'string');
    assert.ok(err.metadata instanceof Metadata, 'the trailers are not a Metadata of the application\'s grpc-js');
    assert.ok(err.stack?.includes('Error'));
    assertWebinarNotFound(RichError.from(err));
  } finally {
    client.close();
  }
}

// The same call through another copy of grpc-js than the package's: its
// ServiceError and Metadata are other classes, so only their shape is shared.
async function callThroughOtherCopy(target: string): Promise<void> {
  const client = new otherGrpc.Client(target, otherGrpc.credentials.createInsecure());
  try {
    const err = await new Promise<unknown>((resolve) => {
      client.makeUnaryRequest(
        '/zoom.livestream.v1.LiveStreamService/UpdateStatus',
        (request: UpdateStatusRequest) => Buffer.from(UpdateStatusRequest.encode(request).finish()),
        (bytes: Buffer) => UpdateStatusResponse.decode(bytes),
        start(UNKNOWN_WEBINAR),
        new otherGrpc.Metadata(),
        { deadline: Date.now() + DEADLINE_MS },
        (e) => resolve(e),
      );
    });
    assert.ok(err instanceof Error && isServiceError(err), `not a ServiceError: ${String(err)}`);
    const trailers: unknown = err.metadata;
    assert.ok(trailers instanceof otherGrpc.Metadata);
    assert.ok(!(trailers instanceof Metadata), 'the two copies of grpc-js are one');
    assertWebinarNotFound(RichError.from(err));
  } finally {
    client.close();
  }
}

// The packaged retry policy applies by default, on this application's
// grpc-js: UNAVAILABLE once is retried; with serviceConfig: null it is not.
async function checkRetries(): Promise<void> {
  let unavailableLeft = 0;
  let attempts = 0;
  const unimplemented = (_call: unknown, callback: (e: { code: number; details: string }) => void) =>
    callback({ code: status.UNIMPLEMENTED, details: 'not in this test' });
  const impl: LiveStreamServiceServer = {
    updateStatus: (_call, callback) => {
      attempts += 1;
      if (unavailableLeft > 0) {
        unavailableLeft -= 1;
        callback({ code: status.UNAVAILABLE, details: 'try again' });
      } else {
        callback(null, UpdateStatusResponse.fromPartial({ trackingId: `attempt-${attempts}` }));
      }
    },
    getLiveStream: unimplemented,
    updateLiveStream: unimplemented,
    batchUpdateStatus: unimplemented,
  };
  const server = new Server();
  server.addService(LiveStreamServiceService, impl);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const call = async (options: CreateClientOptions): Promise<unknown> => {
    unavailableLeft = 1;
    attempts = 0;
    const client = createClient(`127.0.0.1:${port}`, options);
    try {
      return await updateStatus(client, start(KNOWN_WEBINAR), { deadlineMs: DEADLINE_MS });
    } catch (err) {
      return err;
    } finally {
      client.close();
    }
  };
  try {
    assert.deepEqual(await call({}), UpdateStatusResponse.fromPartial({ trackingId: 'attempt-2' }));
    assert.equal(attempts, 2);
    const err = await call({ serviceConfig: null });
    assert.ok(isServiceError(err) && err.code === status.UNAVAILABLE, String(err));
    assert.equal(attempts, 1);
  } finally {
    server.forceShutdown();
  }
}

async function main(): Promise<void> {
  const target = process.argv[2];
  if (target === undefined) throw new Error('usage: node build/app.js HOST:PORT');
  checkOneGrpc();
  await callGateway(target);
  await callThroughOtherCopy(target);
  await checkRetries();
  console.log('consumer: ok');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
