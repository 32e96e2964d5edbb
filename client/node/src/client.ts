// Channel and call helpers around the generated LiveStreamServiceClient.

import * as fs from 'node:fs';
import { ChannelCredentials, ClientOptions, credentials, Metadata } from '@grpc/grpc-js';
import {
  LiveStreamServiceClient,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './gen/zoom/livestream/v1/livestream_service';
import { RichError } from './errors';
import { bearerTokenCredentials, bearerTokenInterceptor, tlsCredentials, TlsOptions } from './security';

/** Reads a gRPC service config JSON file such as client/service_config.json. */
export function loadServiceConfig(path: string): object {
  const parsed: unknown = JSON.parse(fs.readFileSync(path, 'utf8'));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${path}: a service config must be a JSON object`);
  }
  return parsed;
}

export interface CreateClientOptions {
  /** A service config object (e.g. from loadServiceConfig) or the path of its JSON file. */
  serviceConfig?: object | string;
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
  /** Extra grpc-js channel options. */
  channelOptions?: Partial<ClientOptions>;
}

/**
 * A typed client for `target` ("host:port" or a gRPC target URI). With a
 * service config, its retry policy applies (the repository's retries
 * UNAVAILABLE only) and the resolver's config is ignored.
 */
export function createClient(target: string, options: CreateClientOptions = {}): LiveStreamServiceClient {
  const channelOptions: Partial<ClientOptions> = { ...options.channelOptions };
  if (options.serviceConfig !== undefined) {
    const config =
      typeof options.serviceConfig === 'string' ? loadServiceConfig(options.serviceConfig) : options.serviceConfig;
    channelOptions['grpc.service_config'] = JSON.stringify(config);
    channelOptions['grpc.service_config_disable_resolution'] = 1;
    channelOptions['grpc.enable_retries'] = 1;
  }
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

/**
 * Calls UpdateStatus and resolves with the response, or rejects with a
 * RichError (the decoded google.rpc.Status) on failure.
 */
export function updateStatus(
  client: LiveStreamServiceClient,
  request: UpdateStatusRequest,
  options: CallOptions,
): Promise<UpdateStatusResponse> {
  return new Promise((resolve, reject) => {
    client.updateStatus(
      request,
      options.metadata ?? new Metadata(),
      { deadline: Date.now() + options.deadlineMs },
      (err, response) => {
        if (err) {
          reject(RichError.from(err));
        } else {
          resolve(response);
        }
      },
    );
  });
}
