// Channel and call helpers around the generated LiveStreamServiceClient.

import * as fs from 'node:fs';
import { ChannelCredentials, ClientOptions, credentials, Metadata, ServiceError } from '@grpc/grpc-js';
import {
  BatchUpdateStatusRequest,
  BatchUpdateStatusResponse,
  BatchUpdateStatusResult,
  GetLiveStreamRequest,
  GetLiveStreamResponse,
  LiveStreamServiceClient,
  UpdateLiveStreamRequest,
  UpdateLiveStreamResponse,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './gen/zoom/livestream/v1/livestream_service';
import { RichError } from './errors';
// client/service_config.json, copied into the package at build time (scripts/generate.js).
import packagedServiceConfig from './gen/service_config.json';
import { bearerTokenCredentials, bearerTokenInterceptor, tlsCredentials, TlsOptions } from './security';

/** Reads a gRPC service config JSON file such as client/service_config.json. */
export function loadServiceConfig(path: string): object {
  const parsed: unknown = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: a service config must be a JSON object`);
  }
  return parsed;
}

/**
 * The service config that createClient applies by default, the repository's
 * client/service_config.json: it retries UNAVAILABLE only (3 attempts in all,
 * backoff 0.2 s doubling up to 2 s). A fresh copy each call.
 */
export function defaultServiceConfig(): object {
  return structuredClone(packagedServiceConfig);
}

export interface CreateClientOptions {
  /**
   * A service config object (e.g. from loadServiceConfig) or the path of its
   * JSON file; by default defaultServiceConfig(). null applies none: grpc-js's
   * defaults, which retry no failed call.
   */
  serviceConfig?: object | string | null;
  /**
   * Defaults to plaintext, as the gateway listens on loopback or behind a
   * TLS-terminating proxy. Use `tls` instead for the usual TLS and mTLS.
   */
  credentials?: ChannelCredentials;
  /** TLS with a CA file (or the default roots: `{}`) and, for mTLS, a client certificate. */
  tls?: TlsOptions;
  /** Sent as `authorization: Bearer <token>` with every call; needs TLS (see allowInsecureBearerToken). */
  bearerToken?: string;
  /** Sends bearerToken over a plaintext channel too: only for a hop that stays on this host. */
  allowInsecureBearerToken?: boolean;
  /** Extra grpc-js channel options; they override those serviceConfig sets. */
  channelOptions?: Partial<ClientOptions>;
}

/**
 * A typed client for `target` ("host:port" or a gRPC target URI). Unless
 * serviceConfig is null, the service config's retry policy applies (by
 * default the packaged one: UNAVAILABLE only) and the resolver's is ignored.
 */
export function createClient(target: string, options: CreateClientOptions = {}): LiveStreamServiceClient {
  const channelOptions: Partial<ClientOptions> = {};
  if (options.serviceConfig !== null) {
    const given = options.serviceConfig ?? packagedServiceConfig;
    const config = typeof given === 'string' ? loadServiceConfig(given) : given;
    channelOptions['grpc.service_config'] = JSON.stringify(config);
    channelOptions['grpc.service_config_disable_resolution'] = 1;
    channelOptions['grpc.enable_retries'] = 1;
  }
  Object.assign(channelOptions, options.channelOptions);
  if (options.tls !== undefined && options.credentials !== undefined) {
    throw new Error('give either tls or credentials, not both');
  }
  let channelCredentials =
    options.credentials ?? (options.tls !== undefined ? tlsCredentials(options.tls) : credentials.createInsecure());
  const token = options.bearerToken;
  if (token !== undefined) {
    if (token === '') throw new Error('bearerToken is empty');
    let composed: ChannelCredentials | undefined;
    try {
      composed = channelCredentials.compose(bearerTokenCredentials(token));
    } catch {
      // grpc-js refuses to compose call credentials with insecure ones.
    }
    if (composed !== undefined) {
      channelCredentials = composed;
    } else if (options.allowInsecureBearerToken) {
      channelOptions.interceptors = [...(channelOptions.interceptors ?? []), bearerTokenInterceptor(token)];
    } else {
      throw new Error(
        'a bearer token needs TLS (tls: {...}); set allowInsecureBearerToken only for a plaintext hop that stays on this host',
      );
    }
  }
  return new LiveStreamServiceClient(target, channelCredentials, channelOptions);
}

export interface CallOptions {
  /** Deadline for the whole call, retries included. Always set one. */
  deadlineMs: number;
  metadata?: Metadata;
}

// The shape every generated unary method shares (metadata and call options given).
type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: { deadline: number },
  callback: (err: ServiceError | null, response: Res) => void,
) => unknown;

function unary<Req, Res>(
  client: LiveStreamServiceClient,
  method: UnaryMethod<Req, Res>,
  request: Req,
  options: CallOptions,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(
      client,
      request,
      options.metadata ?? new Metadata(),
      { deadline: Date.now() + options.deadlineMs },
      (err, response) => {
        if (err) {
          // grpc-js's own ServiceError: an Error whose stack names the call
          // site, which generic gRPC error handling understands too.
          reject(err);
        } else {
          resolve(response);
        }
      },
    );
  });
}

/**
 * Calls UpdateStatus and resolves with the response, or rejects with grpc-js's
 * ServiceError (an Error with code, details and metadata); RichError.from(err)
 * decodes its google.rpc.Status.
 */
export function updateStatus(
  client: LiveStreamServiceClient,
  request: UpdateStatusRequest,
  options: CallOptions,
): Promise<UpdateStatusResponse> {
  return unary(client, client.updateStatus, request, options);
}

/** Calls GetLiveStream: the configuration (its stream key is a secret), or rejects as updateStatus does. */
export function getLiveStream(
  client: LiveStreamServiceClient,
  request: GetLiveStreamRequest,
  options: CallOptions,
): Promise<GetLiveStreamResponse> {
  return unary(client, client.getLiveStream, request, options);
}

/**
 * Calls UpdateLiveStream: the configuration sent to Zoom, or rejects as updateStatus does.
 * `updateMask` takes the proto field names (`['page_url']`).
 */
export function updateLiveStream(
  client: LiveStreamServiceClient,
  request: UpdateLiveStreamRequest,
  options: CallOptions,
): Promise<UpdateLiveStreamResponse> {
  return unary(client, client.updateLiveStream, request, options);
}

/**
 * Calls BatchUpdateStatus. Resolves with one result per request, in order,
 * even when items failed (read them with batchItemError); rejects as
 * updateStatus does only when the batch as a whole is refused.
 */
export function batchUpdateStatus(
  client: LiveStreamServiceClient,
  request: BatchUpdateStatusRequest,
  options: CallOptions,
): Promise<BatchUpdateStatusResponse> {
  return unary(client, client.batchUpdateStatus, request, options);
}

/**
 * The error of one batch item as a RichError, read exactly as a failed
 * single call's (code, ErrorInfo, BadRequest, ...); undefined when the item
 * succeeded.
 */
export function batchItemError(result: BatchUpdateStatusResult): RichError | undefined {
  return result.error === undefined ? undefined : RichError.fromStatus(result.error);
}
