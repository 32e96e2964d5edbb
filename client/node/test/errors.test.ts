// RichError and the trailer decoder on errors built locally, so every detail
// type is covered without a server.

import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import {
  Any,
  BadRequest,
  batchItemError,
  BatchUpdateStatusResult,
  createClient,
  decodeStatusDetails,
  defaultServiceConfig,
  ErrorInfo,
  ErrorReason,
  errorReasonFromJSON,
  isServiceError,
  loadServiceConfig,
  PreconditionFailure,
  QuotaFailure,
  ResourceInfo,
  RetryInfo,
  RichError,
  Status,
  STATUS_DETAILS_KEY,
} from '../src';

const ERROR_INFO = ErrorInfo.fromPartial({
  domain: 'zoom-livestream-gateway',
  reason: 'ZOOM_WEBINAR_NOT_FOUND',
  metadata: { zoomCode: '3001', httpStatus: '400', trackingId: 'v=2.0;clid=us06;rid=1' },
});

function pack(typeName: string, bytes: Uint8Array): Any {
  return Any.fromPartial({ typeUrl: `type.googleapis.com/${typeName}`, value: Buffer.from(bytes) });
}

// What grpc-js hands a unary callback: a ServiceError with the trailers.
function serviceError(code: GrpcStatus, message: string, details: Any[] | Uint8Array): Error {
  const md = new Metadata();
  const bytes =
    details instanceof Uint8Array ? details : Status.encode(Status.fromPartial({ code, message, details })).finish();
  md.set(STATUS_DETAILS_KEY, Buffer.from(bytes));
  return Object.assign(new Error(`${code} ${GrpcStatus[code]}: ${message}`), { code, details: message, metadata: md });
}

describe('RichError', () => {
  it('gives ERROR_REASON_UNSPECIFIED unless the reason is a known one of the gateway', () => {
    const unspecified = [
      { ...ERROR_INFO, reason: 'ZOOM_SOMETHING_NEW' },
      { ...ERROR_INFO, domain: 'googleapis.com' },
    ].map((info) =>
      RichError.from(serviceError(GrpcStatus.NOT_FOUND, 'boom', [pack('google.rpc.ErrorInfo', ErrorInfo.encode(info).finish())])),
    );
    unspecified.push(RichError.from(serviceError(GrpcStatus.UNAVAILABLE, 'down', [])));
    for (const err of unspecified) assert.equal(err.errorReason, ErrorReason.ERROR_REASON_UNSPECIFIED);
  });

  it('reads ErrorInfo metadata', () => {
    const err = RichError.from(
      serviceError(GrpcStatus.NOT_FOUND, 'boom', [pack('google.rpc.ErrorInfo', ErrorInfo.encode(ERROR_INFO).finish())]),
    );
    assert.equal(err.code, GrpcStatus.NOT_FOUND);
    assert.equal(err.message, 'boom');
    assert.equal(err.reason, 'ZOOM_WEBINAR_NOT_FOUND');
    assert.equal(err.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
    assert.equal(errorReasonFromJSON(err.reason), ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
    assert.equal(err.zoomCode, '3001');
    assert.equal(err.httpStatus, '400');
    assert.equal(err.trackingId, 'v=2.0;clid=us06;rid=1');
    assert.equal(err.metadata('absent'), undefined);
    assert.equal(err.metadata('toString'), undefined);
    assert.equal(
      err.toString(),
      'NOT_FOUND ZOOM_WEBINAR_NOT_FOUND httpStatus=400 trackingId=v=2.0;clid=us06;rid=1 zoomCode=3001: boom',
    );
  });

  it('decodes every detail type and keeps unknown ones raw', () => {
    const badRequest = BadRequest.fromPartial({
      fieldViolations: [{ field: 'meeting_id', description: 'd' }, { field: 'settings.display_name' }],
    });
    const resourceInfo = ResourceInfo.fromPartial({ resourceType: 'zoom.webinar', resourceName: '12345' });
    const precondition = PreconditionFailure.fromPartial({ violations: [{ type: 'WEBINAR_NOT_STARTED' }] });
    const retryInfo = RetryInfo.fromPartial({ retryDelay: { seconds: 3, nanos: 500_000_000 } });
    const quota = QuotaFailure.fromPartial({ violations: [{ subject: 'account' }] });
    const unknown = pack('example.Unknown', new Uint8Array([1, 2, 3]));

    const err = RichError.from(
      serviceError(GrpcStatus.INVALID_ARGUMENT, 'bad', [
        pack('google.rpc.ErrorInfo', ErrorInfo.encode(ERROR_INFO).finish()),
        pack('google.rpc.BadRequest', BadRequest.encode(badRequest).finish()),
        pack('google.rpc.ResourceInfo', ResourceInfo.encode(resourceInfo).finish()),
        pack('google.rpc.PreconditionFailure', PreconditionFailure.encode(precondition).finish()),
        pack('google.rpc.RetryInfo', RetryInfo.encode(retryInfo).finish()),
        pack('google.rpc.QuotaFailure', QuotaFailure.encode(quota).finish()),
        unknown,
      ]),
    );

    assert.deepEqual(err.badRequest, badRequest);
    assert.deepEqual(err.badFields, ['meeting_id', 'settings.display_name']);
    assert.deepEqual(err.resourceInfo, resourceInfo);
    assert.deepEqual(err.preconditionFailure, precondition);
    assert.deepEqual(err.quotaFailure, quota);
    assert.equal(err.retryDelayMs, 3500);
    assert.equal(err.details.length, 7);
    const last = err.details[6];
    assert.equal(last?.typeName, 'example.Unknown');
    assert.equal(last?.value, undefined);
    assert.deepEqual(last?.raw, unknown);
  });

  it('skips a corrupt detail but keeps the others', () => {
    const err = RichError.from(
      serviceError(GrpcStatus.INTERNAL, 'x', [
        pack('google.rpc.ErrorInfo', new Uint8Array([0xff, 0xff])),
        pack('google.rpc.ErrorInfo', ErrorInfo.encode(ERROR_INFO).finish()),
      ]),
    );
    assert.deepEqual(err.all('google.rpc.ErrorInfo'), [ERROR_INFO]);
  });

  it('keeps code and message when the trailer is absent or corrupt', () => {
    const plain = RichError.from(
      Object.assign(new Error('14 UNAVAILABLE: no route'), {
        code: GrpcStatus.UNAVAILABLE,
        details: 'no route',
        metadata: new Metadata(),
      }),
    );
    assert.equal(plain.code, GrpcStatus.UNAVAILABLE);
    assert.equal(plain.message, 'no route');
    assert.equal(plain.errorInfo, undefined);
    assert.deepEqual(plain.details, []);

    const corrupt = RichError.from(serviceError(GrpcStatus.INTERNAL, 'c', new Uint8Array([0xff, 0xff, 0xff])));
    assert.equal(corrupt.code, GrpcStatus.INTERNAL);
    assert.equal(corrupt.message, 'c');
    assert.deepEqual(corrupt.details, []);
  });

  it('reads an error whose metadata is not this copy of grpc-js\'s Metadata', () => {
    // As another copy or version of grpc-js (or a test double) makes it:
    // only the shape is shared, so instanceof Metadata would be false.
    const bytes = Status.encode(
      Status.fromPartial({
        code: GrpcStatus.NOT_FOUND,
        message: 'boom',
        details: [pack('google.rpc.ErrorInfo', ErrorInfo.encode(ERROR_INFO).finish())],
      }),
    ).finish();
    class ForeignMetadata {
      get(key: string): Array<string | Buffer> {
        return key === STATUS_DETAILS_KEY ? [Buffer.from(bytes)] : [];
      }
    }
    const foreign = Object.assign(new Error('5 NOT_FOUND: boom'), {
      code: GrpcStatus.NOT_FOUND,
      details: 'boom',
      metadata: new ForeignMetadata(),
    });
    assert.ok(!((foreign.metadata as unknown) instanceof Metadata));
    assert.ok(isServiceError(foreign));
    const err = RichError.from(foreign);
    assert.equal(err.code, GrpcStatus.NOT_FOUND);
    assert.equal(err.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
    assert.equal(err.zoomCode, '3001');
  });

  it('keeps code and message when reading the metadata throws', () => {
    const err = RichError.from(
      Object.assign(new Error('x'), {
        code: GrpcStatus.INTERNAL,
        details: 'm',
        metadata: {
          get(): never {
            throw new Error('broken');
          },
        },
      }),
    );
    assert.equal(err.code, GrpcStatus.INTERNAL);
    assert.equal(err.message, 'm');
  });

  it('isServiceError needs an Error with code, details and metadata', () => {
    assert.ok(isServiceError(serviceError(GrpcStatus.NOT_FOUND, 'boom', [])));
    assert.ok(!isServiceError(new TypeError('oops')));
    assert.ok(!isServiceError({ code: 5, details: 'boom', metadata: new Metadata() }));
    assert.ok(!isServiceError(Object.assign(new Error('x'), { code: 5, details: 'boom' })));
    assert.ok(!isServiceError(undefined));
  });

  it('reads a non-gRPC error as UNKNOWN', () => {
    const err = RichError.from(new TypeError('oops'));
    assert.equal(err.code, GrpcStatus.UNKNOWN);
    assert.equal(err.message, 'oops');
    assert.equal(RichError.from(undefined).code, GrpcStatus.UNKNOWN);
  });

  it('reads a batch item error as the same call error would read', () => {
    const details = [
      pack('google.rpc.ErrorInfo', ErrorInfo.encode(ERROR_INFO).finish()),
      pack(
        'google.rpc.BadRequest',
        BadRequest.encode(BadRequest.fromPartial({ fieldViolations: [{ field: 'meeting_id' }] })).finish(),
      ),
    ];
    const status = Status.fromPartial({ code: GrpcStatus.NOT_FOUND, message: 'boom', details });
    const call = RichError.from(serviceError(GrpcStatus.NOT_FOUND, 'boom', details));
    const item = batchItemError(BatchUpdateStatusResult.fromPartial({ error: status }));
    assert.ok(item instanceof RichError);
    assert.deepEqual(item, call);
    assert.equal(item.errorReason, ErrorReason.ZOOM_WEBINAR_NOT_FOUND);
    assert.deepEqual(item.badFields, ['meeting_id']);
    assert.equal(item.toString(), call.toString());

    assert.equal(RichError.fromStatus(Status.fromPartial({ code: 999, message: 'x' })).code, GrpcStatus.UNKNOWN);
    assert.equal(batchItemError(BatchUpdateStatusResult.fromPartial({ response: { trackingId: 't' } })), undefined);
  });

  it('decodeStatusDetails rejects bytes that are not a Status', () => {
    assert.throws(() => decodeStatusDetails(new Uint8Array([0xff, 0xff, 0xff])));
  });
});

// dist/test/ -> client/service_config.json
const REPOSITORY_SERVICE_CONFIG = path.resolve(__dirname, '..', '..', '..', 'service_config.json');

describe('createClient', () => {
  it('accepts a service config of the repository shape and rejects a broken one', () => {
    const config = {
      methodConfig: [
        {
          name: [{ service: 'zoom.livestream.v1.LiveStreamService' }],
          retryPolicy: {
            maxAttempts: 4,
            initialBackoff: '0.1s',
            maxBackoff: '1s',
            backoffMultiplier: 2,
            retryableStatusCodes: ['UNAVAILABLE'],
          },
        },
      ],
    };
    createClient('127.0.0.1:1', { serviceConfig: config }).close();
    const broken = structuredClone(config);
    delete (broken.methodConfig[0]!.retryPolicy as Partial<typeof config.methodConfig[0]['retryPolicy']>).maxAttempts;
    assert.throws(() => createClient('127.0.0.1:1', { serviceConfig: broken }), /maxAttempts/);
  });

  it('loads the repository service config, which retries only UNAVAILABLE', () => {
    const config = loadServiceConfig(REPOSITORY_SERVICE_CONFIG) as {
      methodConfig: Array<{ name: Array<{ service?: string }>; retryPolicy?: { retryableStatusCodes?: string[] } }>;
    };
    const ours = config.methodConfig.filter((mc) =>
      mc.name.some((n) => n.service === 'zoom.livestream.v1.LiveStreamService'),
    );
    assert.equal(ours.length, 1, JSON.stringify(config));
    assert.deepEqual(ours[0]?.retryPolicy?.retryableStatusCodes, ['UNAVAILABLE']);
    createClient('127.0.0.1:1', { serviceConfig: REPOSITORY_SERVICE_CONFIG }).close();
  });

  it('ships the repository service config as its default, a fresh copy each time', () => {
    const config = defaultServiceConfig();
    assert.deepEqual(config, loadServiceConfig(REPOSITORY_SERVICE_CONFIG));
    (config as { methodConfig: unknown[] }).methodConfig.length = 0;
    assert.deepEqual(defaultServiceConfig(), loadServiceConfig(REPOSITORY_SERVICE_CONFIG));
    // The copy tsc emitted beside the code (dist/test/ -> dist/src/gen/).
    assert.ok(fs.existsSync(path.resolve(__dirname, '..', 'src', 'gen', 'service_config.json')));
  });

  it('loadServiceConfig rejects JSON that is not an object', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'svc-config-'));
    try {
      const file = path.join(dir, 'c.json');
      fs.writeFileSync(file, '[1]');
      assert.throws(() => loadServiceConfig(file), /JSON object/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
