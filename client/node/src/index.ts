// Public entry point of the Node.js client.

export {
  BatchUpdateStatusRequest,
  BatchUpdateStatusResponse,
  BatchUpdateStatusResult,
  GetLiveStreamRequest,
  GetLiveStreamResponse,
  LiveStream,
  LiveStreamAction,
  liveStreamActionFromJSON,
  liveStreamActionToJSON,
  LiveStreamResolution,
  liveStreamResolutionFromJSON,
  liveStreamResolutionToJSON,
  LiveStreamServiceClient,
  LiveStreamServiceService,
  LiveStreamSettings,
  UpdateLiveStreamRequest,
  UpdateLiveStreamResponse,
  UpdateStatusRequest,
  UpdateStatusResponse,
} from './gen/zoom/livestream/v1/livestream_service';
export type { LiveStreamServiceServer } from './gen/zoom/livestream/v1/livestream_service';
export {
  ErrorReason,
  errorReasonFromJSON,
  errorReasonToJSON,
} from './gen/zoom/livestream/v1/error_reason';
export { Status } from './gen/google/rpc/status';
export { Code } from './gen/google/rpc/code';
export { Any } from './gen/google/protobuf/any';
export {
  BadRequest,
  BadRequest_FieldViolation,
  DebugInfo,
  ErrorInfo,
  Help,
  LocalizedMessage,
  PreconditionFailure,
  PreconditionFailure_Violation,
  QuotaFailure,
  QuotaFailure_Violation,
  RequestInfo,
  ResourceInfo,
  RetryInfo,
} from './gen/google/rpc/error_details';
export {
  decodeDetail,
  decodeStatusDetails,
  ERROR_DOMAIN,
  HTTP_STATUS,
  isServiceError,
  RichError,
  STATUS_DETAILS_KEY,
  statusDetailsBytes,
  TRACKING_ID,
  typeNameOf,
  ZOOM_CODE,
} from './errors';
export type { Detail, DetailTypeName, MetadataLike } from './errors';
export {
  batchItemError,
  batchUpdateStatus,
  createClient,
  defaultServiceConfig,
  getLiveStream,
  loadServiceConfig,
  updateLiveStream,
  updateStatus,
} from './client';
export type { CallOptions, CreateClientOptions } from './client';
export { bearerTokenCredentials, bearerTokenInterceptor, readBearerTokenFile, tlsCredentials } from './security';
export type { TlsOptions } from './security';
