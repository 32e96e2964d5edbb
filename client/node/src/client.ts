// Channel and call helpers around the generated LiveStreamServiceClient.

import * as fs from 'node:fs';
import { ChannelCredentials, ClientOptions, credentials, Metadata } from '@grpc/grpc-js';
import {
  LiveStreamServiceClient,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './gen/zoom/livestream/v1/livestream_service';
import { RichError } from './errors';

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
  /** Defaults to plaintext, as the gateway listens on loopback or behind a TLS-terminating proxy. */
  credentials?: ChannelCredentials;
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
  return new LiveStreamServiceClient(target, options.credentials ?? credentials.createInsecure(), channelOptions);
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
