// TLS channel credentials and bearer tokens for the gateway.
//
// The token travels as `authorization: Bearer <token>` metadata on every
// call, through call credentials composed with TLS channel credentials;
// grpc-js refuses to compose call credentials with insecure ones, so a token
// is never sent in plaintext by accident. `allowInsecureBearerToken` opts in
// for a plaintext hop that stays on the host (a sidecar terminating TLS); the
// token is then added by an interceptor.

import * as fs from 'node:fs';
import {
  CallCredentials,
  ChannelCredentials,
  credentials,
  InterceptingCall,
  Interceptor,
  Metadata,
} from '@grpc/grpc-js';

export interface TlsOptions {
  /** PEM bundle the gateway's certificate chains to; omitted: Node's default roots. */
  caFile?: string;
  /** PEM client certificate for mTLS, with keyFile. */
  certFile?: string;
  /** PEM private key of certFile. */
  keyFile?: string;
}

function read(path: string | undefined, what: string): Buffer | null {
  if (path === undefined) return null;
  try {
    return fs.readFileSync(path);
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

/** TLS channel credentials; reads the files at once, and an unreadable one throws naming it. */
export function tlsCredentials(options: TlsOptions = {}): ChannelCredentials {
  if ((options.certFile === undefined) !== (options.keyFile === undefined)) {
    throw new Error('certFile and keyFile go together (mTLS)');
  }
  return credentials.createSsl(
    read(options.caFile, 'CA file'),
    read(options.keyFile, 'key file'),
    read(options.certFile, 'certificate file'),
  );
}

/** The token in `path` without surrounding whitespace; throws when unreadable or empty. */
export function readBearerTokenFile(path: string): string {
  const token = (read(path, 'bearer token file') as Buffer).toString('utf8').trim();
  if (token === '') throw new Error(`bearer token file ${path} is empty`);
  return token;
}

/** Call credentials sending `authorization: Bearer <token>`; grpc-js sends them over TLS only. */
export function bearerTokenCredentials(token: string): CallCredentials {
  const header = `Bearer ${token}`;
  return credentials.createFromMetadataGenerator((_params, callback) => {
    const metadata = new Metadata();
    metadata.set('authorization', header);
    callback(null, metadata);
  });
}

/**
 * An interceptor adding `authorization: Bearer <token>` to every call,
 * whatever the channel's security: only where plaintext is safe (loopback).
 */
export function bearerTokenInterceptor(token: string): Interceptor {
  const header = `Bearer ${token}`;
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set('authorization', header);
        next(metadata, listener);
      },
    });
}
