package com.zoom.livestream.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import com.zoom.livestream.v1.BatchUpdateStatusResult;
import com.zoom.livestream.v1.ErrorReason;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The rich error of a failed LiveStreamService call: the gRPC status plus the google.rpc details
 * that the server puts in the {@code grpc-status-details-bin} trailer.
 *
 * <p>Every error of the gateway carries exactly one {@link ErrorInfo} (domain {@value #DOMAIN});
 * programs should branch on {@link #errorReason()} (or {@link #reason()}) and the ErrorInfo
 * metadata, never on the message text, which is meant for developers and may change.
 *
 * <pre>{@code
 * try {
 *   stub.updateStatus(request);
 * } catch (StatusRuntimeException e) {
 *   RichError err = RichError.fromThrowable(e);
 *   if (err.code() == Status.Code.NOT_FOUND) { ... err.zoomCode() ... }
 *   err.badRequest().ifPresent(br -> br.getFieldViolationsList().forEach(...));
 * }
 * }</pre>
 *
 * <p>A failed item of a BatchUpdateStatus call carries the same google.rpc.Status in its result
 * instead of a trailer; {@link #fromBatchResult} reads it the same way.
 */
public final class RichError {
  /** The {@code ErrorInfo.domain} of every error the gateway returns. */
  public static final String DOMAIN = "zoom-livestream-gateway";

  /** ErrorInfo metadata key: Zoom's own error code (e.g. "3001"), when Zoom answered. */
  public static final String ZOOM_CODE = "zoomCode";

  /** ErrorInfo metadata key: the HTTP status Zoom answered with. */
  public static final String HTTP_STATUS = "httpStatus";

  /** ErrorInfo metadata key: Zoom's {@code x-zm-trackingid}, to quote to Zoom support. */
  public static final String TRACKING_ID = "trackingId";

  private final Status status;
  private final com.google.rpc.Status rpcStatus;

  private RichError(Status status, com.google.rpc.Status rpcStatus) {
    this.status = status;
    this.rpcStatus = rpcStatus;
  }

  /**
   * Reads the error of a failed call. Works for any throwable: one that carries no gRPC status
   * reads as UNKNOWN, and one without a details trailer (e.g. from a proxy) has no details.
   */
  public static RichError fromThrowable(Throwable t) {
    Status status = Status.fromThrowable(t);
    com.google.rpc.Status rpcStatus = StatusProto.fromThrowable(t);
    if (rpcStatus == null) {
      rpcStatus =
          com.google.rpc.Status.newBuilder()
              .setCode(status.getCode().value())
              .setMessage(status.getDescription() == null ? "" : status.getDescription())
              .build();
    }
    return new RichError(status, rpcStatus);
  }

  /**
   * Reads a google.rpc.Status that arrived in a message rather than in a trailer. A code that is
   * not canonical reads as UNKNOWN, as grpc-java reads it on the wire.
   */
  public static RichError fromStatus(com.google.rpc.Status rpcStatus) {
    Status status = Status.fromCodeValue(rpcStatus.getCode());
    if (!rpcStatus.getMessage().isEmpty()) {
      status = status.withDescription(rpcStatus.getMessage());
    }
    return new RichError(status, rpcStatus);
  }

  /**
   * The error of one BatchUpdateStatus item, with the code, message and details a failed
   * UpdateStatus call would carry; empty when the item has its response.
   */
  public static Optional<RichError> fromBatchResult(BatchUpdateStatusResult result) {
    return result.hasError() ? Optional.of(fromStatus(result.getError())) : Optional.empty();
  }

  /** The canonical gRPC code of the call. */
  public Status.Code code() {
    return status.getCode();
  }

  /** The developer-facing message; for logs, not for branching. */
  public String message() {
    return rpcStatus.getMessage();
  }

  /** The whole google.rpc.Status (empty details when the trailer was absent). */
  public com.google.rpc.Status rpcStatus() {
    return rpcStatus;
  }

  /** The details packed in the status, in the order the server added them. */
  public List<Any> rawDetails() {
    return rpcStatus.getDetailsList();
  }

  /**
   * Every detail of type {@code type}. AIP-193 allows at most one of each type, so more than one
   * element means the server broke the contract.
   */
  public <T extends Message> List<T> details(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Any any : rpcStatus.getDetailsList()) {
      if (!any.is(type)) {
        continue;
      }
      try {
        out.add(any.unpack(type));
      } catch (InvalidProtocolBufferException e) {
        // A detail that does not parse is treated as absent rather than failing the caller's
        // error handling, which would hide the original error.
      }
    }
    return Collections.unmodifiableList(out);
  }

  /** The first detail of type {@code type}, if any. */
  public <T extends Message> Optional<T> detail(Class<T> type) {
    List<T> all = details(type);
    return all.isEmpty() ? Optional.empty() : Optional.of(all.get(0));
  }

  public Optional<ErrorInfo> errorInfo() {
    return detail(ErrorInfo.class);
  }

  public Optional<BadRequest> badRequest() {
    return detail(BadRequest.class);
  }

  public Optional<ResourceInfo> resourceInfo() {
    return detail(ResourceInfo.class);
  }

  public Optional<PreconditionFailure> preconditionFailure() {
    return detail(PreconditionFailure.class);
  }

  public Optional<RetryInfo> retryInfo() {
    return detail(RetryInfo.class);
  }

  public Optional<QuotaFailure> quotaFailure() {
    return detail(QuotaFailure.class);
  }

  /** ErrorInfo.reason, e.g. {@code ZOOM_WEBINAR_NOT_FOUND}: the stable thing to branch on. */
  public Optional<String> reason() {
    return errorInfo().map(ErrorInfo::getReason);
  }

  /**
   * The reason as the generated enum, e.g. {@code ErrorReason.ZOOM_WEBINAR_NOT_FOUND}: {@code
   * ERROR_REASON_UNSPECIFIED} without ErrorInfo, for another domain, or for a reason this build
   * does not know (a newer server).
   */
  public ErrorReason errorReason() {
    return errorInfo()
        .filter(info -> DOMAIN.equals(info.getDomain()))
        .map(info -> ErrorReason.getDescriptor().findValueByName(info.getReason()))
        .map(ErrorReason::valueOf)
        .orElse(ErrorReason.ERROR_REASON_UNSPECIFIED);
  }

  /** One ErrorInfo metadata value. */
  public Optional<String> metadata(String key) {
    return errorInfo()
        .filter(info -> info.containsMetadata(key))
        .map(info -> info.getMetadataOrThrow(key));
  }

  /** Zoom's error code (ErrorInfo metadata {@value #ZOOM_CODE}), when Zoom answered. */
  public Optional<String> zoomCode() {
    return metadata(ZOOM_CODE);
  }

  /** Zoom's HTTP status (ErrorInfo metadata {@value #HTTP_STATUS}), when Zoom answered. */
  public Optional<String> httpStatus() {
    return metadata(HTTP_STATUS);
  }

  /** Zoom's tracking ID (ErrorInfo metadata {@value #TRACKING_ID}), when Zoom sent one. */
  public Optional<String> trackingId() {
    return metadata(TRACKING_ID);
  }

  /**
   * The request fields that failed validation (BadRequest field paths, e.g. {@code meeting_id}).
   */
  public List<String> badFields() {
    List<String> fields = new ArrayList<>();
    badRequest()
        .ifPresent(br -> br.getFieldViolationsList().forEach(v -> fields.add(v.getField())));
    return Collections.unmodifiableList(fields);
  }

  /** How long the server asks the caller to wait before trying again (RetryInfo), if it said. */
  public Optional<Duration> retryDelay() {
    return retryInfo()
        .filter(RetryInfo::hasRetryDelay)
        .map(
            ri ->
                Duration.ofSeconds(ri.getRetryDelay().getSeconds(), ri.getRetryDelay().getNanos()));
  }

  /**
   * A one-line summary for logs, e.g. {@code NOT_FOUND ZOOM_WEBINAR_NOT_FOUND zoomCode=3001: ...}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(code().name());
    reason().ifPresent(r -> sb.append(' ').append(r));
    errorInfo()
        .ifPresent(
            info ->
                info.getMetadataMap().entrySet().stream()
                    .sorted(java.util.Map.Entry.comparingByKey())
                    .forEach(
                        e -> sb.append(' ').append(e.getKey()).append('=').append(e.getValue())));
    List<String> fields = badFields();
    if (!fields.isEmpty()) {
      sb.append(" badFields=").append(String.join(",", fields));
    }
    sb.append(": ").append(message());
    return sb.toString();
  }
}
