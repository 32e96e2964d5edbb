// End to end: generated stubs and RichError against the real server and Zoom emulator.

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  batchItemError,
  batchUpdateStatus,
  createClient,
  ERROR_DOMAIN,
  ErrorReason,
  getLiveStream,
  isServiceError,
  LiveStream,
  LiveStreamAction,
  LiveStreamResolution,
  LiveStreamServiceClient,
  RichError,
  updateLiveStream,
  UpdateLiveStreamRequest,
  updateStatus,
  UpdateStatusRequest,
} from '../src';
import { GatewayProcesses } from './gateway_processes';

const KNOWN_WEBINAR = '99289110036';
// Configured but not started: the configuration tests change it, so the
// status tests on KNOWN_WEBINAR do not depend on their order.
const CONFIGURABLE_WEBINAR = '99289110038';
const KNOWN_MEETING = '85746065';
const UNKNOWN_WEBINAR = '12345';
const BATCH_UNKNOWN_WEBINAR = '12345678901';
const DEADLINE_MS = 10_000;

// tests/zoom_emulator/README.md "Seed fixtures".
function seedLiveStream(id: string): LiveStream {
  return LiveStream.fromPartial({
    streamUrl: 'rtmp://live.emulator.example/live',
    streamKey: `emulator-stream-key-${id}`,
    pageUrl: `https://emulator.example/live/${id}`,
    resolution: LiveStreamResolution.LIVE_STREAM_RESOLUTION_720P,
  });
}

// dist/test/ -> dist/examples/.
const EXAMPLE = path.resolve(__dirname, '..', 'examples', 'live_stream.js');

async function runExample(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [EXAMPLE, ...args], { timeout: 30_000 });
    return { code: 0, stdout };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

// A failed call rejects with grpc-js's ServiceError, an Error; RichError reads it.
async function expectRichError(promise: Promise<unknown>): Promise<RichError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error, `not an Error: ${String(err)}`);
    assert.ok(isServiceError(err), `not a ServiceError: ${String(err)}`);
    assert.ok(err.metadata instanceof Metadata);
    const rich = RichError.from(err);
    assert.equal(rich.code, err.code);
    assert.equal(rich.message, err.details);
    return rich;
  }
  assert.fail('the call succeeded');
}

describe('LiveStreamService against the real server', () => {
  let gateway: GatewayProcesses;
  let client: LiveStreamServiceClient;

  before(async () => {
    gateway = await GatewayProcesses.start();
    client = createClient(gateway.serverTarget);
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

  it('GetLiveStream returns the configuration', async () => {
    const response = await getLiveStream(client, { webinarId: KNOWN_WEBINAR }, { deadlineMs: DEADLINE_MS });
    assert.deepEqual(response.liveStream, seedLiveStream(KNOWN_WEBINAR));
    assert.notEqual(response.trackingId, '', 'tracking_id is empty');

    const meeting = await getLiveStream(client, { meetingId: KNOWN_MEETING }, { deadlineMs: DEADLINE_MS });
    assert.deepEqual(meeting.liveStream, seedLiveStream(KNOWN_MEETING));
  });

  it('GetLiveStream of an unknown webinar is NOT_FOUND', async () => {
    const err = await expectRichError(
      getLiveStream(client, { webinarId: BATCH_UNKNOWN_WEBINAR }, { deadlineMs: DEADLINE_MS }),
    );
    assert.equal(err.code, GrpcStatus.NOT_FOUND, err.toString());
    assert.equal(err.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND, err.toString());
  });

  it('UpdateLiveStream changes the whole configuration, and only what update_mask names', async () => {
    const whole = LiveStream.fromPartial({
      streamUrl: 'rtmps://ingest.example.com/app',
      streamKey: 'node-client-key-1',
      pageUrl: 'https://example.com/watch/1',
      resolution: LiveStreamResolution.LIVE_STREAM_RESOLUTION_1080P,
    });
    const set = await updateLiveStream(
      client,
      UpdateLiveStreamRequest.fromPartial({ webinarId: CONFIGURABLE_WEBINAR, liveStream: whole, updateMask: ['*'] }),
      { deadlineMs: DEADLINE_MS },
    );
    assert.deepEqual(set.liveStream, whole);
    assert.notEqual(set.trackingId, '', 'tracking_id is empty');
    const read = await getLiveStream(client, { webinarId: CONFIGURABLE_WEBINAR }, { deadlineMs: DEADLINE_MS });
    assert.deepEqual(read.liveStream, whole);

    // Only page_url is named: the stream_url given beside it is not sent, and
    // the server merges the current configuration in.
    const partial = await updateLiveStream(
      client,
      UpdateLiveStreamRequest.fromPartial({
        webinarId: CONFIGURABLE_WEBINAR,
        liveStream: { pageUrl: 'https://example.com/watch/2', streamUrl: 'rtmp://ignored.example.com/app' },
        updateMask: ['page_url'],
      }),
      { deadlineMs: DEADLINE_MS },
    );
    const merged = { ...whole, pageUrl: 'https://example.com/watch/2' };
    assert.deepEqual(partial.liveStream, merged);
    const reread = await getLiveStream(client, { webinarId: CONFIGURABLE_WEBINAR }, { deadlineMs: DEADLINE_MS });
    assert.deepEqual(reread.liveStream, merged);
  });

  it('UpdateLiveStream refuses a bad stream_url with a BadRequest naming it', async () => {
    const err = await expectRichError(
      updateLiveStream(
        client,
        UpdateLiveStreamRequest.fromPartial({
          webinarId: CONFIGURABLE_WEBINAR,
          liveStream: { streamUrl: 'http://not-rtmp.example.com/app' },
          updateMask: ['stream_url'],
        }),
        { deadlineMs: DEADLINE_MS },
      ),
    );
    assert.equal(err.code, GrpcStatus.INVALID_ARGUMENT, err.toString());
    assert.deepEqual(err.badFields, ['live_stream.stream_url'], err.toString());
  });

  it('BatchUpdateStatus answers each item in order, a failed one as a RichError', async () => {
    const start = LiveStreamAction.LIVE_STREAM_ACTION_START;
    const response = await batchUpdateStatus(
      client,
      {
        requests: [
          UpdateStatusRequest.fromPartial({ webinarId: KNOWN_WEBINAR, action: start }),
          UpdateStatusRequest.fromPartial({ webinarId: BATCH_UNKNOWN_WEBINAR, action: start }),
          UpdateStatusRequest.fromPartial({ meetingId: KNOWN_MEETING, action: start }),
          UpdateStatusRequest.fromPartial({ meetingId: 'abc', action: start }),
        ],
        validateOnly: false,
        requestId: '',
      },
      { deadlineMs: DEADLINE_MS },
    );
    assert.equal(response.results.length, 4);
    const [webinar, unknown, meeting, invalid] = response.results;

    for (const ok of [webinar!, meeting!]) {
      assert.equal(batchItemError(ok), undefined, batchItemError(ok)?.toString());
      assert.notEqual(ok.response?.trackingId ?? '', '', 'tracking_id is empty');
    }

    assert.equal(unknown!.response, undefined);
    const err = batchItemError(unknown!);
    assert.ok(err instanceof RichError);
    assert.equal(err.code, GrpcStatus.NOT_FOUND, err.toString());
    assert.equal(err.all('google.rpc.ErrorInfo').length, 1, `exactly one ErrorInfo: ${err}`);
    assert.equal(err.errorInfo?.domain, ERROR_DOMAIN);
    assert.equal(err.reason, 'ZOOM_WEBINAR_NOT_FOUND');
    assert.equal(err.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
    assert.equal(err.zoomCode, '3001', err.toString());

    // An invalid item reads as the single call's validation error does.
    const bad = batchItemError(invalid!);
    assert.equal(bad?.code, GrpcStatus.INVALID_ARGUMENT, bad?.toString());
    assert.deepEqual(bad?.badFields, ['meeting_id'], bad?.toString());
  });

  it('runs the example: get, configure and a batch with a failed item', async () => {
    const target = `--target=${gateway.serverTarget}`;
    const get = await runExample(['get', target, `--meeting_id=${KNOWN_MEETING}`]);
    assert.equal(get.code, 0, get.stdout);
    assert.match(get.stdout, /^OK stream_url=rtmp:\/\/live\.emulator\.example\/live stream_key=\(\d+ chars\) /);
    assert.ok(!get.stdout.includes(`emulator-stream-key-${KNOWN_MEETING}`), 'the example printed the stream key');

    const configure = await runExample([
      'configure',
      target,
      `--webinar_id=${CONFIGURABLE_WEBINAR}`,
      '--page_url=https://example.com/example',
      '--resolution=1080p',
    ]);
    assert.equal(configure.code, 0, configure.stdout);
    assert.match(configure.stdout, / page_url=https:\/\/example\.com\/example resolution=1080p /);

    const batch = await runExample([
      'batch',
      target,
      `webinar:${KNOWN_WEBINAR}`,
      `webinar:${BATCH_UNKNOWN_WEBINAR}`,
      `meeting:${KNOWN_MEETING}`,
    ]);
    assert.equal(batch.code, 1, batch.stdout);
    const lines = batch.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3, batch.stdout);
    assert.match(lines[0]!, new RegExp(`^webinar:${KNOWN_WEBINAR} OK tracking_id=.+`));
    assert.match(lines[1]!, new RegExp(`^webinar:${BATCH_UNKNOWN_WEBINAR} FAILED NOT_FOUND ZOOM_WEBINAR_NOT_FOUND `));
    assert.match(lines[2]!, new RegExp(`^meeting:${KNOWN_MEETING} OK tracking_id=.+`));
  });
});
