package com.zoom.livestream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.zoom.livestream.v1.LiveStreamAction;
import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.LiveStreamSettings;
import com.zoom.livestream.v1.UpdateStatusRequest;
import com.zoom.livestream.v1.UpdateStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** End to end: generated stubs and {@link RichError} against the real server and Zoom emulator. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveStreamClientTest {
  private static final String KNOWN_WEBINAR = "99289110036";
  private static final String UNKNOWN_WEBINAR = "12345";

  private GatewayProcesses gateway;
  private ManagedChannel channel;
  private LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub;

  @BeforeAll
  void startGateway(@TempDir Path workDir) throws IOException, InterruptedException {
    gateway = GatewayProcesses.start(workDir);
    channel = Channels.plaintext(gateway.serverTarget(), repositoryServiceConfig());
    stub = LiveStreamServiceGrpc.newBlockingStub(channel);
  }

  @AfterAll
  void stopGateway() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (gateway != null) {
      gateway.close();
    }
  }

  /** The channel uses client/service_config.json, as the README tells users to. */
  static Map<String, ?> repositoryServiceConfig() throws IOException {
    return Channels.loadServiceConfig(Path.of("..", "service_config.json"));
  }

  private LiveStreamServiceGrpc.LiveStreamServiceBlockingStub withDeadline() {
    return stub.withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void startOnKnownWebinarReturnsTrackingId() {
    UpdateStatusResponse response =
        withDeadline()
            .updateStatus(
                UpdateStatusRequest.newBuilder()
                    .setWebinarId(KNOWN_WEBINAR)
                    .setAction(LiveStreamAction.LIVE_STREAM_ACTION_START)
                    .build());
    assertFalse(response.getTrackingId().isEmpty(), "tracking_id is empty");
  }

  @Test
  void unknownWebinarReadsAsNotFoundWithZoomCode() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                withDeadline()
                    .updateStatus(
                        UpdateStatusRequest.newBuilder()
                            .setWebinarId(UNKNOWN_WEBINAR)
                            .setAction(LiveStreamAction.LIVE_STREAM_ACTION_START)
                            .build()));
    RichError err = RichError.fromThrowable(e);
    assertEquals(Status.Code.NOT_FOUND, err.code(), err.toString());
    assertEquals(1, err.details(ErrorInfo.class).size(), "exactly one ErrorInfo: " + err);
    assertEquals(RichError.DOMAIN, err.errorInfo().orElseThrow().getDomain());
    assertEquals("3001", err.zoomCode().orElse(null), err.toString());
    assertFalse(err.reason().orElse("").isEmpty(), "ErrorInfo.reason is empty: " + err);
  }

  static Stream<Arguments> invalidRequests() {
    return Stream.of(
        Arguments.of(
            "meeting_id",
            UpdateStatusRequest.newBuilder()
                .setMeetingId("abc")
                .setAction(LiveStreamAction.LIVE_STREAM_ACTION_START)
                .build()),
        Arguments.of(
            "settings.display_name",
            UpdateStatusRequest.newBuilder()
                .setWebinarId(KNOWN_WEBINAR)
                .setSettings(LiveStreamSettings.newBuilder().setDisplayName("x".repeat(51)))
                .build()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidRequests")
  void validationErrorNamesTheField(String field, UpdateStatusRequest request) {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> withDeadline().updateStatus(request));
    RichError err = RichError.fromThrowable(e);
    assertEquals(Status.Code.INVALID_ARGUMENT, err.code(), err.toString());
    assertEquals(1, err.details(ErrorInfo.class).size(), "exactly one ErrorInfo: " + err);
    BadRequest badRequest =
        err.badRequest().orElseThrow(() -> new AssertionError("no BadRequest: " + err));
    assertTrue(
        badRequest.getFieldViolationsList().stream().anyMatch(v -> v.getField().equals(field)),
        "BadRequest does not name " + field + ": " + badRequest);
    assertTrue(err.badFields().contains(field), err.toString());
  }
}
