// The retry policy that createClient applies by default (the packaged
// client/service_config.json), and serviceConfig: null turning it off, against
// a grpc-js server on loopback that fails the first attempts of each call.

import * as assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Server, ServerCredentials, ServerUnaryCall, sendUnaryData, status as GrpcStatus } from '@grpc/grpc-js';
import {
  createClient,
  CreateClientOptions,
  LiveStreamAction,
  LiveStreamServiceServer,
  LiveStreamServiceService,
  RichError,
  updateStatus,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from '../src';

describe('the default retry policy', () => {
  let server: Server;
  let target: string;
  // What the next attempts answer, in order; OK once they are used up.
  let failures: GrpcStatus[] = [];
  let attempts = 0;

  before(async () => {
    const unimplemented = (_call: unknown, callback: sendUnaryData<never>) =>
      callback({ code: GrpcStatus.UNIMPLEMENTED, details: 'not in this test' });
    const impl: LiveStreamServiceServer = {
      updateStatus: (_call: ServerUnaryCall<UpdateStatusRequest, UpdateStatusResponse>, callback) => {
        attempts += 1;
        const code = failures.shift();
        if (code === undefined) {
          callback(null, UpdateStatusResponse.fromPartial({ trackingId: `attempt-${attempts}` }));
        } else {
          callback({ code, details: `failure ${attempts}` });
        }
      },
      getLiveStream: unimplemented,
      updateLiveStream: unimplemented,
      batchUpdateStatus: unimplemented,
    };
    server = new Server();
    server.addService(LiveStreamServiceService, impl);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    target = `127.0.0.1:${port}`;
  });

  after(() => server.forceShutdown());

  beforeEach(() => {
    failures = [];
    attempts = 0;
  });

  async function call(options: CreateClientOptions): Promise<string> {
    const client = createClient(target, options);
    try {
      const request = UpdateStatusRequest.fromPartial({
        webinarId: '99289110036',
        action: LiveStreamAction.LIVE_STREAM_ACTION_START,
      });
      return (await updateStatus(client, request, { deadlineMs: 10_000 })).trackingId;
    } finally {
      client.close();
    }
  }

  it('retries UNAVAILABLE by default', async () => {
    failures = [GrpcStatus.UNAVAILABLE];
    assert.equal(await call({}), 'attempt-2');
    assert.equal(attempts, 2);
  });

  it('gives up after the 3 attempts the service config allows', async () => {
    failures = [GrpcStatus.UNAVAILABLE, GrpcStatus.UNAVAILABLE, GrpcStatus.UNAVAILABLE];
    await assert.rejects(call({}), (err) => RichError.from(err).code === GrpcStatus.UNAVAILABLE);
    assert.equal(attempts, 3);
  });

  it('does not retry other failures', async () => {
    failures = [GrpcStatus.INTERNAL];
    await assert.rejects(call({}), (err) => RichError.from(err).code === GrpcStatus.INTERNAL);
    assert.equal(attempts, 1);
  });

  it('retries nothing with serviceConfig: null', async () => {
    failures = [GrpcStatus.UNAVAILABLE];
    await assert.rejects(call({ serviceConfig: null }), (err) => RichError.from(err).code === GrpcStatus.UNAVAILABLE);
    assert.equal(attempts, 1);
  });

  it('lets channelOptions override the service config', async () => {
    failures = [GrpcStatus.UNAVAILABLE];
    const options = { channelOptions: { 'grpc.enable_retries': 0 } };
    await assert.rejects(call(options), (err) => RichError.from(err).code === GrpcStatus.UNAVAILABLE);
    assert.equal(attempts, 1);
  });
});
