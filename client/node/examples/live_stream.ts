// Reads and sets the live stream configuration of a webinar or meeting, and
// starts or stops several live streams in one batch.
//
//   node dist/examples/live_stream.js get --target=127.0.0.1:50051 (--webinar_id=ID | --meeting_id=ID)
//   node dist/examples/live_stream.js configure --target=... (--webinar_id=ID | --meeting_id=ID)
//       [--stream_url=URL] [--stream_key_file=PATH] [--page_url=URL] [--resolution=720p|1080p] [--validate_only]
//   node dist/examples/live_stream.js batch --target=... [--action=start|stop] [--validate_only]
//       webinar:ID|meeting:ID...
//   each also takes [--deadline_ms=5000] [--service_config=../service_config.json]
//
// `configure` changes only the fields given (they are its update_mask); the
// gateway reads the others first. The stream key is a secret: it is read from
// a file and printed only as its length.
//
// Exit status: 0 on success, 1 when the call or any batch item failed, 2 on bad usage.

import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import {
  batchItemError,
  batchUpdateStatus,
  CallOptions,
  createClient,
  getLiveStream,
  isServiceError,
  LiveStream,
  LiveStreamAction,
  LiveStreamResolution,
  LiveStreamServiceClient,
  RichError,
  updateLiveStream,
  UpdateStatusRequest,
} from '../src';

const USAGE = `usage: live_stream get --target=HOST:PORT (--webinar_id=ID | --meeting_id=ID)
       live_stream configure --target=HOST:PORT (--webinar_id=ID | --meeting_id=ID) [--stream_url=URL]
           [--stream_key_file=PATH] [--page_url=URL] [--resolution=720p|1080p] [--validate_only]
       live_stream batch --target=HOST:PORT [--action=start|stop] [--validate_only] webinar:ID|meeting:ID...
  each also takes [--deadline_ms=5000] [--service_config=PATH]`;

function usage(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

const RESOLUTIONS: Record<string, LiveStreamResolution> = {
  '720p': LiveStreamResolution.LIVE_STREAM_RESOLUTION_720P,
  '1080p': LiveStreamResolution.LIVE_STREAM_RESOLUTION_1080P,
};

function describeLiveStream(ls: LiveStream | undefined, trackingId: string): string {
  const resolution = Object.keys(RESOLUTIONS).find((k) => RESOLUTIONS[k] === ls?.resolution) ?? 'unspecified';
  return (
    `stream_url=${ls?.streamUrl ?? ''} stream_key=(${ls?.streamKey.length ?? 0} chars) ` +
    `page_url=${ls?.pageUrl ?? ''} resolution=${resolution} tracking_id=${trackingId}`
  );
}

function errorLines(e: RichError): string[] {
  const lines = [e.toString()];
  for (const v of e.badRequest?.fieldViolations ?? []) lines.push(`  field ${v.field}: ${v.description}`);
  for (const v of e.preconditionFailure?.violations ?? []) {
    lines.push(`  precondition ${v.type} ${v.subject}: ${v.description}`);
  }
  if (e.retryDelayMs !== undefined) lines.push(`  retry after ${e.retryDelayMs} ms`);
  return lines;
}

type Values = ReturnType<typeof parse>['values'];

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      options: {
        target: { type: 'string' },
        webinar_id: { type: 'string' },
        meeting_id: { type: 'string' },
        stream_url: { type: 'string' },
        stream_key_file: { type: 'string' },
        page_url: { type: 'string' },
        resolution: { type: 'string' },
        action: { type: 'string', default: 'start' },
        validate_only: { type: 'boolean', default: false },
        deadline_ms: { type: 'string', default: '5000' },
        service_config: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    usage((err as Error).message);
  }
}

function target(values: Values): { webinarId?: string; meetingId?: string } {
  if ((values.webinar_id === undefined) === (values.meeting_id === undefined)) {
    usage('give exactly one of --webinar_id and --meeting_id');
  }
  return { webinarId: values.webinar_id, meetingId: values.meeting_id };
}

async function get(client: LiveStreamServiceClient, values: Values, call: CallOptions): Promise<number> {
  const response = await getLiveStream(client, target(values), call);
  console.log(`OK ${describeLiveStream(response.liveStream, response.trackingId)}`);
  return 0;
}

async function configure(client: LiveStreamServiceClient, values: Values, call: CallOptions): Promise<number> {
  const liveStream = LiveStream.fromPartial({ streamUrl: values.stream_url, pageUrl: values.page_url });
  const updateMask: string[] = [];
  if (values.stream_url !== undefined) updateMask.push('stream_url');
  if (values.stream_key_file !== undefined) {
    try {
      liveStream.streamKey = fs.readFileSync(values.stream_key_file, 'utf8').trim();
    } catch (err) {
      usage(`--stream_key_file: ${(err as Error).message}`);
    }
    updateMask.push('stream_key');
  }
  if (values.page_url !== undefined) updateMask.push('page_url');
  if (values.resolution !== undefined) {
    const resolution = RESOLUTIONS[values.resolution];
    if (resolution === undefined) usage('--resolution must be 720p or 1080p');
    liveStream.resolution = resolution;
    updateMask.push('resolution');
  }
  if (updateMask.length === 0) usage('configure needs at least one field to change');
  const response = await updateLiveStream(
    client,
    { ...target(values), liveStream, updateMask, validateOnly: values.validate_only, requestId: '' },
    call,
  );
  console.log(`OK ${describeLiveStream(response.liveStream, response.trackingId)}`);
  return 0;
}

async function batch(
  client: LiveStreamServiceClient,
  values: Values,
  items: string[],
  call: CallOptions,
): Promise<number> {
  const actions: Record<string, LiveStreamAction> = {
    start: LiveStreamAction.LIVE_STREAM_ACTION_START,
    stop: LiveStreamAction.LIVE_STREAM_ACTION_STOP,
  };
  const action = actions[(values.action ?? 'start').toLowerCase()];
  if (action === undefined) usage('--action must be start or stop');
  if (items.length === 0) usage('batch needs at least one webinar:ID or meeting:ID');
  const requests = items.map((item) => {
    const colon = item.indexOf(':');
    const [kind, id] = [item.slice(0, colon), item.slice(colon + 1)];
    if (kind === 'webinar') return UpdateStatusRequest.fromPartial({ webinarId: id, action });
    if (kind === 'meeting') return UpdateStatusRequest.fromPartial({ meetingId: id, action });
    usage(`${item}: a batch item is webinar:ID or meeting:ID`);
  });
  const response = await batchUpdateStatus(
    client,
    { requests, validateOnly: values.validate_only, requestId: '' },
    call,
  );
  let failed = 0;
  // One result per request, in the order of the requests.
  response.results.forEach((result, i) => {
    const err = batchItemError(result);
    if (err === undefined) {
      console.log(`${items[i]} OK tracking_id=${result.response?.trackingId ?? ''}`);
    } else {
      failed++;
      const [first, ...rest] = errorLines(err);
      console.log([`${items[i]} FAILED ${first}`, ...rest].join('\n'));
    }
  });
  return failed === 0 ? 0 : 1;
}

async function main(): Promise<number> {
  const [command, ...args] = process.argv.slice(2);
  if (command !== 'get' && command !== 'configure' && command !== 'batch') {
    usage('the first argument is get, configure or batch');
  }
  const { values, positionals } = parse(args);
  if (!values.target) usage('--target is required');
  if (command !== 'batch' && positionals.length > 0) usage(`unexpected argument ${positionals[0]}`);
  const deadlineMs = Number(values.deadline_ms);
  if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) usage('--deadline_ms must be a positive integer');

  let client;
  try {
    client = createClient(values.target, { serviceConfig: values.service_config });
  } catch (err) {
    usage((err as Error).message);
  }
  const call = { deadlineMs };
  try {
    if (command === 'get') return await get(client, values, call);
    if (command === 'configure') return await configure(client, values, call);
    return await batch(client, values, positionals, call);
  } catch (err) {
    if (!isServiceError(err)) throw err;
    console.log(`FAILED ${errorLines(RichError.from(err)).join('\n')}`);
    return 1;
  } finally {
    client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
