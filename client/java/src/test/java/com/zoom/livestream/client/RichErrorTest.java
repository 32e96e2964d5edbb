package com.zoom.livestream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.rpc.BadRequest;
import com.google.rpc.Code;
import com.google.rpc.ErrorInfo;
import com.google.rpc.PreconditionFailure;
import com.google.rpc.QuotaFailure;
import com.google.rpc.ResourceInfo;
import com.google.rpc.RetryInfo;
import com.zoom.livestream.v1.BatchUpdateStatusResult;
import com.zoom.livestream.v1.ErrorReason;
import com.zoom.livestream.v1.UpdateStatusResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.List;
import org.junit.jupiter.api.Test;

/** RichError on errors built locally, so every detail type is covered without a server. */
class RichErrorTest {
  private static final ErrorInfo ERROR_INFO =
      ErrorInfo.newBuilder()
          .setDomain(RichError.DOMAIN)
          .setReason("ZOOM_WEBINAR_NOT_FOUND")
          .putMetadata("zoomCode", "3001")
          .putMetadata("httpStatus", "400")
          .putMetadata("trackingId", "v=2.0;clid=us06;rid=1")
          .build();

  private static StatusRuntimeException error(Code code, com.google.protobuf.Message... details) {
    com.google.rpc.Status.Builder st =
        com.google.rpc.Status.newBuilder().setCode(code.getNumber()).setMessage("boom");
    for (com.google.protobuf.Message d : details) {
      st.addDetails(Any.pack(d));
    }
    return StatusProto.toStatusRuntimeException(st.build());
  }

  @Test
  void errorReasonIsUnspecifiedUnlessTheGatewaysKnownReason() {
    ErrorInfo newer = ERROR_INFO.toBuilder().setReason("ZOOM_SOMETHING_NEW").build();
    ErrorInfo foreign = ERROR_INFO.toBuilder().setDomain("googleapis.com").build();
    for (StatusRuntimeException e :
        List.of(
            error(Code.NOT_FOUND, newer),
            error(Code.NOT_FOUND, foreign),
            error(Code.UNAVAILABLE))) {
      assertEquals(ErrorReason.ERROR_REASON_UNSPECIFIED, RichError.fromThrowable(e).errorReason());
    }
  }

  @Test
  void readsErrorInfoMetadata() {
    RichError err = RichError.fromThrowable(error(Code.NOT_FOUND, ERROR_INFO));
    assertEquals(Status.Code.NOT_FOUND, err.code());
    assertEquals("boom", err.message());
    assertEquals("ZOOM_WEBINAR_NOT_FOUND", err.reason().orElseThrow());
    assertEquals(ErrorReason.ZOOM_WEBINAR_NOT_FOUND, err.errorReason());
    assertEquals("3001", err.zoomCode().orElseThrow());
    assertEquals("400", err.httpStatus().orElseThrow());
    assertEquals("v=2.0;clid=us06;rid=1", err.trackingId().orElseThrow());
    assertTrue(err.metadata("absent").isEmpty());
    assertEquals(
        "NOT_FOUND ZOOM_WEBINAR_NOT_FOUND httpStatus=400 trackingId=v=2.0;clid=us06;rid=1"
            + " zoomCode=3001: boom",
        err.toString());
  }

  @Test
  void readsEveryDetailType() {
    BadRequest badRequest =
        BadRequest.newBuilder()
            .addFieldViolations(
                BadRequest.FieldViolation.newBuilder().setField("meeting_id").setDescription("d"))
            .addFieldViolations(
                BadRequest.FieldViolation.newBuilder().setField("settings.display_name"))
            .build();
    ResourceInfo resourceInfo =
        ResourceInfo.newBuilder().setResourceType("zoom.webinar").setResourceName("12345").build();
    PreconditionFailure precondition =
        PreconditionFailure.newBuilder()
            .addViolations(
                PreconditionFailure.Violation.newBuilder().setType("WEBINAR_NOT_STARTED"))
            .build();
    RetryInfo retryInfo =
        RetryInfo.newBuilder()
            .setRetryDelay(Duration.newBuilder().setSeconds(3).setNanos(500_000_000))
            .build();
    QuotaFailure quota =
        QuotaFailure.newBuilder()
            .addViolations(QuotaFailure.Violation.newBuilder().setSubject("account"))
            .build();

    RichError err =
        RichError.fromThrowable(
            error(
                Code.INVALID_ARGUMENT,
                ERROR_INFO,
                badRequest,
                resourceInfo,
                precondition,
                retryInfo,
                quota));

    assertEquals(badRequest, err.badRequest().orElseThrow());
    assertEquals(List.of("meeting_id", "settings.display_name"), err.badFields());
    assertEquals(resourceInfo, err.resourceInfo().orElseThrow());
    assertEquals(precondition, err.preconditionFailure().orElseThrow());
    assertEquals(quota, err.quotaFailure().orElseThrow());
    assertEquals(java.time.Duration.ofMillis(3500), err.retryDelay().orElseThrow());
    assertEquals(6, err.rawDetails().size());
  }

  @Test
  void batchItemErrorReadsAsTheSameErrorOfACall() {
    BadRequest badRequest =
        BadRequest.newBuilder()
            .addFieldViolations(BadRequest.FieldViolation.newBuilder().setField("meeting_id"))
            .build();
    com.google.rpc.Status st =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INVALID_ARGUMENT.getNumber())
            .setMessage("boom")
            .addDetails(Any.pack(ERROR_INFO))
            .addDetails(Any.pack(badRequest))
            .build();
    RichError call = RichError.fromThrowable(StatusProto.toStatusRuntimeException(st));
    RichError item =
        RichError.fromBatchResult(BatchUpdateStatusResult.newBuilder().setError(st).build())
            .orElseThrow();

    assertEquals(Status.Code.INVALID_ARGUMENT, item.code());
    assertEquals(call.code(), item.code());
    assertEquals(st, item.rpcStatus());
    assertEquals(ErrorReason.ZOOM_WEBINAR_NOT_FOUND, item.errorReason());
    assertEquals(List.of("meeting_id"), item.badFields());
    assertEquals("3001", item.zoomCode().orElseThrow());
    assertEquals(call.toString(), item.toString());
  }

  @Test
  void batchItemWithItsResponseHasNoError() {
    BatchUpdateStatusResult ok =
        BatchUpdateStatusResult.newBuilder()
            .setResponse(UpdateStatusResponse.newBuilder().setTrackingId("t"))
            .build();
    assertTrue(RichError.fromBatchResult(ok).isEmpty());
  }

  @Test
  void statusWithAnUnknownCodeReadsAsUnknown() {
    RichError err =
        RichError.fromStatus(
            com.google.rpc.Status.newBuilder().setCode(99).setMessage("m").build());
    assertEquals(Status.Code.UNKNOWN, err.code());
    assertEquals("m", err.message());
  }

  @Test
  void errorWithoutDetailsTrailerKeepsCodeAndMessage() {
    RichError err =
        RichError.fromThrowable(
            Status.UNAVAILABLE.withDescription("no route").asRuntimeException());
    assertEquals(Status.Code.UNAVAILABLE, err.code());
    assertEquals("no route", err.message());
    assertTrue(err.errorInfo().isEmpty());
    assertTrue(err.badFields().isEmpty());
  }

  @Test
  void nonGrpcThrowableReadsAsUnknown() {
    RichError err = RichError.fromThrowable(new IllegalStateException("x"));
    assertEquals(Status.Code.UNKNOWN, err.code());
    assertTrue(err.rawDetails().isEmpty());
  }

  @Test
  void corruptDetailIsSkipped() {
    Any corrupt =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/google.rpc.ErrorInfo")
            .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff}))
            .build();
    com.google.rpc.Status st =
        com.google.rpc.Status.newBuilder()
            .setCode(Code.INTERNAL.getNumber())
            .addDetails(corrupt)
            .addDetails(Any.pack(ERROR_INFO))
            .build();
    RichError err = RichError.fromThrowable(StatusProto.toStatusRuntimeException(st));
    assertEquals(List.of(ERROR_INFO), err.details(ErrorInfo.class));
  }
}
