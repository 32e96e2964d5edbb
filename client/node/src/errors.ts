// Rich errors of LiveStreamService calls.
//
// @grpc/grpc-js has no rich-error API (grpc/grpc-node#1716), so this module
// decodes the `grpc-status-details-bin` trailer itself: a serialized
// google.rpc.Status whose `details` are google.protobuf.Any messages.
//
// Errors are read by their shape, never with instanceof on a grpc-js class:
// @grpc/grpc-js is a peer dependency, and an application may hold more than
// one copy of it (or call through a copy other than the one this package
// resolves), whose classes are distinct.

import { ServiceError, status as GrpcStatus } from '@grpc/grpc-js';
import { Any } from './gen/google/protobuf/any';
import {
  BadRequest,
  DebugInfo,
  ErrorInfo,
  Help,
  LocalizedMessage,
  PreconditionFailure,
  QuotaFailure,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from './gen/google/rpc/error_details';
import { Status } from './gen/google/rpc/status';
import { ErrorReason, errorReasonFromJSON } from './gen/zoom/livestream/v1/error_reason';

/** The trailer that carries the serialized google.rpc.Status. */
export const STATUS_DETAILS_KEY = 'grpc-status-details-bin';

/** The ErrorInfo.domain of every error the gateway returns. */
export const ERROR_DOMAIN = 'zoom-livestream-gateway';

/** ErrorInfo metadata keys set when Zoom answered. */
export const ZOOM_CODE = 'zoomCode';
export const HTTP_STATUS = 'httpStatus';
export const TRACKING_ID = 'trackingId';

const decoders = {
  'google.rpc.ErrorInfo': ErrorInfo,
  'google.rpc.BadRequest': BadRequest,
  'google.rpc.ResourceInfo': ResourceInfo,
  'google.rpc.PreconditionFailure': PreconditionFailure,
  'google.rpc.RetryInfo': RetryInfo,
  'google.rpc.QuotaFailure': QuotaFailure,
  'google.rpc.DebugInfo': DebugInfo,
  'google.rpc.RequestInfo': RequestInfo,
  'google.rpc.Help': Help,
  'google.rpc.LocalizedMessage': LocalizedMessage,
} as const;

type Decoders = typeof decoders;
/** A google.rpc detail type this module decodes, by its full protobuf name. */
export type DetailTypeName = keyof Decoders;
type DetailOf<N extends DetailTypeName> = ReturnType<Decoders[N]['decode']>;

/** One entry of Status.details: decoded when its type is known, raw otherwise. */
export type Detail =
  | { [N in DetailTypeName]: { typeName: N; value: DetailOf<N>; raw: Any } }[DetailTypeName]
  | { typeName: string; value: undefined; raw: Any };

/** The message name of an Any's type URL ("type.googleapis.com/google.rpc.ErrorInfo" -> "google.rpc.ErrorInfo"). */
export function typeNameOf(any: Any): string {
  return any.typeUrl.substring(any.typeUrl.lastIndexOf('/') + 1);
}

/** Decodes one Any; an unknown type or a payload that does not parse stays raw. */
export function decodeDetail(any: Any): Detail {
  const typeName = typeNameOf(any);
  if (Object.prototype.hasOwnProperty.call(decoders, typeName)) {
    try {
      const value = decoders[typeName as DetailTypeName].decode(any.value);
      return { typeName, value, raw: any } as Detail;
    } catch {
      // A corrupt detail must not hide the error being reported.
    }
  }
  return { typeName, value: undefined, raw: any };
}

/** Decodes the bytes of a `grpc-status-details-bin` trailer. Throws if they are not a google.rpc.Status. */
export function decodeStatusDetails(bytes: Uint8Array): { status: Status; details: Detail[] } {
  const status = Status.decode(bytes);
  return { status, details: status.details.map(decodeDetail) };
}

/**
 * What this module needs of a grpc-js Metadata: any copy or version of
 * grpc-js's class fits, as does any object with such a `get`.
 */
export interface MetadataLike {
  get(key: string): ReadonlyArray<string | Uint8Array>;
}

function isMetadataLike(value: unknown): value is MetadataLike {
  return typeof value === 'object' && value !== null && typeof (value as { get?: unknown }).get === 'function';
}

/** The `grpc-status-details-bin` trailer of a call's metadata, if any. */
export function statusDetailsBytes(metadata: MetadataLike | undefined): Uint8Array | undefined {
  const values: readonly unknown[] = metadata?.get(STATUS_DETAILS_KEY) ?? [];
  const first = values[0];
  return first instanceof Uint8Array ? first : undefined;
}

/**
 * Whether `err` has the shape of grpc-js's ServiceError (an Error with a
 * numeric `code`, the status message in `details` and the trailers in
 * `metadata`), from whichever copy of grpc-js made it: what the call helpers
 * of this package reject with.
 */
export function isServiceError(err: unknown): err is ServiceError {
  if (!(err instanceof Error)) return false;
  const e = err as Partial<Record<'code' | 'details' | 'metadata', unknown>>;
  return typeof e.code === 'number' && typeof e.details === 'string' && isMetadataLike(e.metadata);
}

/** A gRPC status code, or UNKNOWN for anything else. */
function grpcCode(code: unknown): GrpcStatus {
  return typeof code === 'number' && GrpcStatus[code] !== undefined ? (code as GrpcStatus) : GrpcStatus.UNKNOWN;
}

interface ErrorLike {
  code?: unknown;
  details?: unknown;
  message?: unknown;
  metadata?: unknown;
}

/**
 * The rich error of a failed call: gRPC code, developer message and the
 * decoded google.rpc details. Branch on `code`, `reason` and ErrorInfo
 * metadata, never on `message`, which may change.
 */
export class RichError {
  /** The google.rpc.Status from the trailer, or one made from the code and message when the trailer is absent. */
  readonly status: Status;
  /** Every detail, in the order the server added them. */
  readonly details: readonly Detail[];

  private constructor(
    readonly code: GrpcStatus,
    status: Status,
    details: Detail[],
  ) {
    this.status = status;
    this.details = details;
  }

  /**
   * Reads a grpc-js ServiceError (the rejection of this package's call
   * helpers, the `error` of a unary callback) by its shape, from any copy of
   * grpc-js. Anything else reads as UNKNOWN, and an error without the trailer
   * (e.g. from a proxy, or a client-side DEADLINE_EXCEEDED) has no details.
   */
  static from(err: unknown): RichError {
    const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorLike;
    const code = grpcCode(e.code);
    const message =
      typeof e.details === 'string' ? e.details : typeof e.message === 'string' ? e.message : String(err);
    let bytes: Uint8Array | undefined;
    try {
      bytes = isMetadataLike(e.metadata) ? statusDetailsBytes(e.metadata) : undefined;
    } catch {
      // A metadata object that throws must not hide the code and message.
    }
    if (bytes !== undefined) {
      try {
        const { status, details } = decodeStatusDetails(bytes);
        return new RichError(code, status, details);
      } catch {
        // Fall through: a corrupt trailer still leaves the code and message.
      }
    }
    return new RichError(code, Status.fromPartial({ code, message }), []);
  }

  /**
   * Reads a google.rpc.Status that arrived as a message rather than as a
   * trailer: the `error` of a BatchUpdateStatusResult, which carries the same
   * code, message and details a failed single call would.
   */
  static fromStatus(status: Status): RichError {
    return new RichError(grpcCode(status.code), status, status.details.map(decodeDetail));
  }

  /** The developer-facing message; for logs. */
  get message(): string {
    return this.status.message;
  }

  /** Every decoded detail of one type. AIP-193 allows at most one per type. */
  all<N extends DetailTypeName>(typeName: N): DetailOf<N>[] {
    const out: DetailOf<N>[] = [];
    for (const d of this.details) {
      if (d.typeName === typeName && d.value !== undefined) {
        out.push(d.value as DetailOf<N>);
      }
    }
    return out;
  }

  /** The first decoded detail of one type. */
  get<N extends DetailTypeName>(typeName: N): DetailOf<N> | undefined {
    return this.all(typeName)[0];
  }

  get errorInfo(): ErrorInfo | undefined {
    return this.get('google.rpc.ErrorInfo');
  }
  get badRequest(): BadRequest | undefined {
    return this.get('google.rpc.BadRequest');
  }
  get resourceInfo(): ResourceInfo | undefined {
    return this.get('google.rpc.ResourceInfo');
  }
  get preconditionFailure(): PreconditionFailure | undefined {
    return this.get('google.rpc.PreconditionFailure');
  }
  get retryInfo(): RetryInfo | undefined {
    return this.get('google.rpc.RetryInfo');
  }
  get quotaFailure(): QuotaFailure | undefined {
    return this.get('google.rpc.QuotaFailure');
  }

  /** ErrorInfo.reason (e.g. ZOOM_WEBINAR_NOT_FOUND): the stable value to branch on. */
  get reason(): string | undefined {
    return this.errorInfo?.reason;
  }

  /**
   * The reason as the generated enum (ErrorReason.ZOOM_WEBINAR_NOT_FOUND, ...):
   * ERROR_REASON_UNSPECIFIED without ErrorInfo, for another domain, or for a
   * reason this build does not know (a newer server).
   */
  get errorReason(): ErrorReason {
    const info = this.errorInfo;
    if (info === undefined || info.domain !== ERROR_DOMAIN) return ErrorReason.ERROR_REASON_UNSPECIFIED;
    const reason = errorReasonFromJSON(info.reason);
    return reason === ErrorReason.UNRECOGNIZED ? ErrorReason.ERROR_REASON_UNSPECIFIED : reason;
  }

  /** One ErrorInfo metadata value. */
  metadata(key: string): string | undefined {
    const md = this.errorInfo?.metadata;
    return md !== undefined && Object.prototype.hasOwnProperty.call(md, key) ? md[key] : undefined;
  }

  /** Zoom's own error code, e.g. "3001", when Zoom answered. */
  get zoomCode(): string | undefined {
    return this.metadata(ZOOM_CODE);
  }
  /** The HTTP status Zoom answered with. */
  get httpStatus(): string | undefined {
    return this.metadata(HTTP_STATUS);
  }
  /** Zoom's x-zm-trackingid, to quote to Zoom support. */
  get trackingId(): string | undefined {
    return this.metadata(TRACKING_ID);
  }

  /** The request fields that failed validation, e.g. ["meeting_id"]. */
  get badFields(): string[] {
    return (this.badRequest?.fieldViolations ?? []).map((v) => v.field);
  }

  /** How long the server asks the caller to wait before retrying (RetryInfo), in milliseconds. */
  get retryDelayMs(): number | undefined {
    const d = this.retryInfo?.retryDelay;
    return d === undefined ? undefined : d.seconds * 1000 + Math.floor(d.nanos / 1e6);
  }

  /** One line for logs: "NOT_FOUND ZOOM_WEBINAR_NOT_FOUND zoomCode=3001 ...: message". */
  toString(): string {
    const parts: string[] = [GrpcStatus[this.code]];
    if (this.reason) parts.push(this.reason);
    const md = this.errorInfo?.metadata ?? {};
    for (const key of Object.keys(md).sort()) parts.push(`${key}=${md[key]}`);
    if (this.badFields.length > 0) parts.push(`badFields=${this.badFields.join(',')}`);
    return `${parts.join(' ')}: ${this.message}`;
  }
}
