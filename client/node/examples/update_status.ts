// Calls LiveStreamService.UpdateStatus once and prints the result or the rich error.
//
//   node dist/examples/update_status.js --target=127.0.0.1:50051 --webinar_id=99289110036 \
//       [--action=start|stop|unspecified] [--display_name=NAME] [--active_speaker_name=true|false] \
//       [--deadline_ms=5000] [--service_config=../service_config.json]
//       [--tls] [--tls_ca_file=ca.crt] [--tls_cert_file=client.crt --tls_key_file=client.key]
//       [--bearer_token_file=token]
//
// Exit status: 0 on success, 1 when the call failed, 2 on bad usage.

import { parseArgs } from 'node:util';
import {
  CreateClientOptions,
  createClient,
  LiveStreamAction,
  readBearerTokenFile,
  RichError,
  updateStatus,
  UpdateStatusRequest,
} from '../src';

const USAGE =
  'usage: update_status --target=HOST:PORT (--webinar_id=ID | --meeting_id=ID) [--action=start|stop|unspecified]' +
  ' [--display_name=NAME] [--active_speaker_name=true|false] [--deadline_ms=5000] [--service_config=PATH]' +
  ' [--tls] [--tls_ca_file=PATH] [--tls_cert_file=PATH --tls_key_file=PATH] [--bearer_token_file=PATH]';

function usage(message: string): never {
  console.error(`error: ${message}\n${USAGE}`);
  process.exit(2);
}

function parseRequest(): { target: string; request: UpdateStatusRequest; deadlineMs: number; options: CreateClientOptions } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        target: { type: 'string' },
        webinar_id: { type: 'string' },
        meeting_id: { type: 'string' },
        action: { type: 'string', default: 'start' },
        display_name: { type: 'string' },
        active_speaker_name: { type: 'string' },
        deadline_ms: { type: 'string', default: '5000' },
        service_config: { type: 'string' },
        tls: { type: 'boolean', default: false },
        tls_ca_file: { type: 'string' },
        tls_cert_file: { type: 'string' },
        tls_key_file: { type: 'string' },
        bearer_token_file: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (!values.target) usage('--target is required');
  if ((values.webinar_id === undefined) === (values.meeting_id === undefined)) {
    usage('give exactly one of --webinar_id and --meeting_id');
  }
  const actions: Record<string, LiveStreamAction> = {
    start: LiveStreamAction.LIVE_STREAM_ACTION_START,
    stop: LiveStreamAction.LIVE_STREAM_ACTION_STOP,
    unspecified: LiveStreamAction.LIVE_STREAM_ACTION_UNSPECIFIED,
  };
  const action = actions[(values.action ?? 'start').toLowerCase()];
  if (action === undefined) usage('--action must be start, stop or unspecified');
  const asn = values.active_speaker_name;
  if (asn !== undefined && asn !== 'true' && asn !== 'false') usage('--active_speaker_name must be true or false');
  const deadlineMs = Number(values.deadline_ms);
  if (!Number.isInteger(deadlineMs) || deadlineMs <= 0) usage('--deadline_ms must be a positive integer');

  const hasSettings = values.display_name !== undefined || asn !== undefined;
  const request = UpdateStatusRequest.fromPartial({
    webinarId: values.webinar_id,
    meetingId: values.meeting_id,
    action,
    settings: hasSettings
      ? { displayName: values.display_name, activeSpeakerName: asn === undefined ? undefined : asn === 'true' }
      : undefined,
  });
  const options: CreateClientOptions = { serviceConfig: values.service_config };
  const { tls_ca_file: caFile, tls_cert_file: certFile, tls_key_file: keyFile } = values;
  if (values.tls || caFile !== undefined || certFile !== undefined || keyFile !== undefined) {
    options.tls = { caFile, certFile, keyFile };
  }
  if (values.bearer_token_file !== undefined) {
    try {
      options.bearerToken = readBearerTokenFile(values.bearer_token_file);
    } catch (err) {
      usage((err as Error).message);
    }
  }
  return { target: values.target, request, deadlineMs, options };
}

async function main(): Promise<number> {
  const { target, request, deadlineMs, options } = parseRequest();
  let client;
  try {
    client = createClient(target, options);
  } catch (err) {
    usage((err as Error).message);
  }
  try {
    const response = await updateStatus(client, request, { deadlineMs });
    console.log(`OK tracking_id=${response.trackingId}`);
    return 0;
  } catch (err) {
    const e = RichError.from(err);
    console.log(`FAILED ${e.toString()}`);
    for (const v of e.badRequest?.fieldViolations ?? []) console.log(`  field ${v.field}: ${v.description}`);
    if (e.resourceInfo) console.log(`  resource ${e.resourceInfo.resourceType} ${e.resourceInfo.resourceName}`);
    for (const v of e.preconditionFailure?.violations ?? []) {
      console.log(`  precondition ${v.type} ${v.subject}: ${v.description}`);
    }
    if (e.retryDelayMs !== undefined) console.log(`  retry after ${e.retryDelayMs} ms`);
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
