// End to end: generated stubs and RichError against the real server and Zoom emulator.

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  createClient,
  ERROR_DOMAIN,
  LiveStreamAction,
  LiveStreamServiceClient,
  RichError,
  updateStatus,
  UpdateStatusRequest,
} from '../src';
import { GatewayProcesses } from './gateway_processes';

const KNOWN_WEBINAR = '99289110036';
const UNKNOWN_WEBINAR = '12345';
const DEADLINE_MS = 10_000;

// The channel uses client/service_config.json, as the README tells users to
// (dist/test/ -> client/).
const SERVICE_CONFIG = path.resolve(__dirname, '..', '..', '..', 'service_config.json');

async function expectRichError(promise: Promise<unknown>): Promise<RichError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof RichError, `not a RichError: ${String(err)}`);
    return err;
  }
  assert.fail('the call succeeded');
}

describe('LiveStreamService against the real server', () => {
  let gateway: GatewayProcesses;
  let client: LiveStreamServiceClient;

  before(async () => {
    gateway = await GatewayProcesses.start();
    client = createClient(gateway.serverTarget, { serviceConfig: SERVICE_CONFIG });
  });

  after(async () => {
    client?.close();
    await gateway?.stop();
  });

  it('starts the live stream of a known webinar and returns a tracking id', async () => {
    const response = await updateStatus(
      client,
      UpdateStatusRequest.fromPartial({ webinarId: KNOWN_WEBINAR, action: LiveStreamAction.LIVE_STREAM_ACTION_START }),
      { deadlineMs: DEADLINE_MS },
    );
    assert.notEqual(response.trackingId, '', 'tracking_id is empty');
  });

  it('reads an unknown webinar as NOT_FOUND with zoomCode 3001', async () => {
    const err = await expectRichError(
      updateStatus(
        client,
        UpdateStatusRequest.fromPartial({
          webinarId: UNKNOWN_WEBINAR,
          action: LiveStreamAction.LIVE_STREAM_ACTION_START,
        }),
        { deadlineMs: DEADLINE_MS },
      ),
    );
    assert.equal(err.code, GrpcStatus.NOT_FOUND, err.toString());
    assert.equal(err.all('google.rpc.ErrorInfo').length, 1, `exactly one ErrorInfo: ${err}`);
    assert.equal(err.errorInfo?.domain, ERROR_DOMAIN);
    assert.equal(err.zoomCode, '3001', err.toString());
    assert.ok(err.reason, `ErrorInfo.reason is empty: ${err}`);
  });

  const invalid: Array<[string, UpdateStatusRequest]> = [
    [
      'meeting_id',
      UpdateStatusRequest.fromPartial({ meetingId: 'abc', action: LiveStreamAction.LIVE_STREAM_ACTION_START }),
    ],
    [
      'settings.display_name',
      UpdateStatusRequest.fromPartial({ webinarId: KNOWN_WEBINAR, settings: { displayName: 'x'.repeat(51) } }),
    ],
  ];
  for (const [field, request] of invalid) {
    it(`reads a validation error as BadRequest naming ${field}`, async () => {
      const err = await expectRichError(updateStatus(client, request, { deadlineMs: DEADLINE_MS }));
      assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT, err.toString());
      assert.equal(err.all('google.rpc.ErrorInfo').length, 1, `exactly one ErrorInfo: ${err}`);
      assert.ok(err.badRequest, `no BadRequest: ${err}`);
      assert.ok(err.badFields.includes(field), `BadRequest does not name ${field}: ${err}`);
    });
  }
});
