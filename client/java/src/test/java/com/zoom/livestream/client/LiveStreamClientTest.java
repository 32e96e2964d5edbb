package com.zoom.livestream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.FieldMask;
import com.google.rpc.BadRequest;
import com.google.rpc.ErrorInfo;
import com.zoom.livestream.client.example.LiveStreamExample;
import com.zoom.livestream.v1.BatchUpdateStatusRequest;
import com.zoom.livestream.v1.BatchUpdateStatusResponse;
import com.zoom.livestream.v1.BatchUpdateStatusResult;
import com.zoom.livestream.v1.ErrorReason;
import com.zoom.livestream.v1.GetLiveStreamRequest;
import com.zoom.livestream.v1.GetLiveStreamResponse;
import com.zoom.livestream.v1.LiveStream;
import com.zoom.livestream.v1.LiveStreamAction;
import com.zoom.livestream.v1.LiveStreamResolution;
import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.LiveStreamSettings;
import com.zoom.livestream.v1.UpdateLiveStreamRequest;
import com.zoom.livestream.v1.UpdateLiveStreamResponse;
import com.zoom.livestream.v1.UpdateStatusRequest;
import com.zoom.livestream.v1.UpdateStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
  // Configured but not started: only updateLiveStreamChangesTheConfiguration changes its
  // configuration, so the other tests' reads of the seed configuration do not depend on the order.
  private static final String CONFIGURABLE_WEBINAR = "99289110038";
  private static final String KNOWN_MEETING = "85746065";
  private static final LiveStream SEED_CONFIGURATION =
      LiveStream.newBuilder()
          .setStreamUrl("rtmp://live.emulator.example/live")
          .setStreamKey("emulator-stream-key-" + KNOWN_WEBINAR)
          .setPageUrl("https://emulator.example/live/" + KNOWN_WEBINAR)
          .setResolution(LiveStreamResolution.LIVE_STREAM_RESOLUTION_720P)
          .build();

  private GatewayProcesses gateway;
  private ManagedChannel channel;
  private LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub;

  @BeforeAll
  void startGateway(@TempDir Path workDir) throws IOException, InterruptedException {
    gateway = GatewayProcesses.start(workDir);
    // The package's default channel, as a user gets it: with the packaged retry policy.
    channel = Channels.plaintext(gateway.serverTarget());
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

  @Test
  void getLiveStreamReturnsTheConfiguration() {
    GetLiveStreamResponse response =
        withDeadline()
            .getLiveStream(GetLiveStreamRequest.newBuilder().setWebinarId(KNOWN_WEBINAR).build());
    assertEquals(SEED_CONFIGURATION, response.getLiveStream());
    assertFalse(response.getTrackingId().isEmpty(), "tracking_id is empty");
  }

  @Test
  void getLiveStreamOfAnUnknownWebinarIsNotFound() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                withDeadline()
                    .getLiveStream(
                        GetLiveStreamRequest.newBuilder().setWebinarId(UNKNOWN_WEBINAR).build()));
    RichError err = RichError.fromThrowable(e);
    assertEquals(Status.Code.NOT_FOUND, err.code(), err.toString());
    assertEquals(ErrorReason.ZOOM_WEBINAR_NOT_FOUND, err.errorReason(), err.toString());
  }

  @Test
  void updateLiveStreamChangesTheConfiguration() {
    LiveStream whole =
        LiveStream.newBuilder()
            .setStreamUrl("rtmps://ingest.example.com/app")
            .setStreamKey("java-client-key-1")
            .setPageUrl("https://watch.example.com/java")
            .setResolution(LiveStreamResolution.LIVE_STREAM_RESOLUTION_1080P)
            .build();
    UpdateLiveStreamResponse replaced =
        withDeadline()
            .updateLiveStream(
                UpdateLiveStreamRequest.newBuilder()
                    .setWebinarId(CONFIGURABLE_WEBINAR)
                    .setLiveStream(whole)
                    .build());
    assertEquals(whole, replaced.getLiveStream());
    assertFalse(replaced.getTrackingId().isEmpty(), "tracking_id is empty");
    assertEquals(whole, readConfiguration(CONFIGURABLE_WEBINAR));

    // Only page_url is named: the server reads the rest and sends the merged whole.
    UpdateLiveStreamResponse partial =
        withDeadline()
            .updateLiveStream(
                UpdateLiveStreamRequest.newBuilder()
                    .setWebinarId(CONFIGURABLE_WEBINAR)
                    .setLiveStream(
                        LiveStream.newBuilder()
                            .setPageUrl("https://watch.example.com/java-2")
                            .setStreamUrl("rtmp://not-sent.example.com/app"))
                    .setUpdateMask(FieldMask.newBuilder().addPaths("page_url"))
                    .build());
    LiveStream merged = whole.toBuilder().setPageUrl("https://watch.example.com/java-2").build();
    assertEquals(merged, partial.getLiveStream());
    assertEquals(merged, readConfiguration(CONFIGURABLE_WEBINAR));
  }

  @Test
  void updateLiveStreamValidationErrorNamesTheField() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                withDeadline()
                    .updateLiveStream(
                        UpdateLiveStreamRequest.newBuilder()
                            .setWebinarId(CONFIGURABLE_WEBINAR)
                            .setLiveStream(
                                LiveStream.newBuilder().setStreamUrl("http://not-rtmp.example"))
                            .setUpdateMask(FieldMask.newBuilder().addPaths("stream_url"))
                            .build()));
    RichError err = RichError.fromThrowable(e);
    assertEquals(Status.Code.INVALID_ARGUMENT, err.code(), err.toString());
    assertTrue(err.badFields().contains("live_stream.stream_url"), err.toString());
  }

  private LiveStream readConfiguration(String webinarId) {
    return withDeadline()
        .getLiveStream(GetLiveStreamRequest.newBuilder().setWebinarId(webinarId).build())
        .getLiveStream();
  }

  @Test
  void batchAnswersEveryItemInOrderAndAFailedOneReadsAsACallsError() {
    UpdateStatusRequest.Builder start =
        UpdateStatusRequest.newBuilder().setAction(LiveStreamAction.LIVE_STREAM_ACTION_START);
    BatchUpdateStatusResponse response =
        withDeadline()
            .batchUpdateStatus(
                BatchUpdateStatusRequest.newBuilder()
                    .addRequests(start.clone().setWebinarId(KNOWN_WEBINAR))
                    .addRequests(start.clone().setWebinarId("12345678901"))
                    .addRequests(start.clone().setMeetingId(KNOWN_MEETING))
                    .addRequests(start.clone().setMeetingId("abc"))
                    .build());
    List<BatchUpdateStatusResult> results = response.getResultsList();
    assertEquals(4, results.size(), response.toString());

    for (int i : new int[] {0, 2}) {
      assertTrue(RichError.fromBatchResult(results.get(i)).isEmpty(), "item " + i + ": " + results);
      assertFalse(
          results.get(i).getResponse().getTrackingId().isEmpty(), "item " + i + ": " + results);
    }

    RichError notFound = RichError.fromBatchResult(results.get(1)).orElseThrow();
    assertEquals(Status.Code.NOT_FOUND, notFound.code(), notFound.toString());
    assertEquals(1, notFound.details(ErrorInfo.class).size(), notFound.toString());
    assertEquals(RichError.DOMAIN, notFound.errorInfo().orElseThrow().getDomain());
    assertEquals("ZOOM_WEBINAR_NOT_FOUND", notFound.reason().orElseThrow());
    assertEquals(ErrorReason.ZOOM_WEBINAR_NOT_FOUND, notFound.errorReason());
    assertEquals("3001", notFound.zoomCode().orElse(null), notFound.toString());

    RichError invalid = RichError.fromBatchResult(results.get(3)).orElseThrow();
    assertEquals(Status.Code.INVALID_ARGUMENT, invalid.code(), invalid.toString());
    assertEquals(List.of("meeting_id"), invalid.badFields(), invalid.toString());
  }

  /** Runs the example in-process against the stack; its exit status and output. */
  private record ExampleRun(int exit, String out) {}

  private ExampleRun runExample(String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] all = new String[args.length + 1];
    all[0] = "--target=" + gateway.serverTarget();
    System.arraycopy(args, 0, all, 1, args.length);
    int exit =
        LiveStreamExample.run(
            all,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals("", err.toString(StandardCharsets.UTF_8));
    return new ExampleRun(exit, out.toString(StandardCharsets.UTF_8));
  }

  @Test
  void exampleStartsAStream() throws Exception {
    ExampleRun run = runExample("--webinar_id=" + KNOWN_WEBINAR, "--action=start");
    assertEquals(0, run.exit(), run.out());
    assertTrue(run.out().startsWith("OK tracking_id="), run.out());
  }

  @Test
  void exampleGetsTheConfigurationWithoutShowingTheKey() throws Exception {
    ExampleRun run = runExample("--call=get", "--webinar_id=" + KNOWN_WEBINAR);
    assertEquals(0, run.exit(), run.out());
    assertTrue(
        run.out().startsWith("OK stream_url=" + SEED_CONFIGURATION.getStreamUrl() + " "),
        run.out());
    assertFalse(run.out().contains(SEED_CONFIGURATION.getStreamKey()), run.out());
  }

  @Test
  void exampleConfiguresOnlyTheFieldsGiven(@TempDir Path dir) throws Exception {
    Path keyFile = dir.resolve("stream.key");
    Files.writeString(keyFile, "java-example-key\n");
    ExampleRun run =
        runExample(
            "--call=configure",
            "--meeting_id=" + KNOWN_MEETING,
            "--stream_key_file=" + keyFile,
            "--page_url=https://watch.example.com/java-example");
    assertEquals(0, run.exit(), run.out());
    assertTrue(
        run.out()
            .startsWith(
                "OK stream_url=rtmp://live.emulator.example/live stream_key=(16 characters)"
                    + " page_url=https://watch.example.com/java-example "),
        run.out());
    assertFalse(run.out().contains("java-example-key"), run.out());
  }

  @Test
  void exampleBatchPrintsEachItemAndFailsForTheUnknownWebinar() throws Exception {
    ExampleRun run =
        runExample(
            "--call=batch",
            "--items=webinar:" + KNOWN_WEBINAR + ",webinar:12345678901,meeting:" + KNOWN_MEETING);
    assertEquals(1, run.exit(), run.out());
    List<String> lines = run.out().lines().filter(l -> l.startsWith("[")).toList();
    assertEquals(3, lines.size(), run.out());
    assertTrue(lines.get(0).startsWith("[0] OK tracking_id="), run.out());
    assertTrue(lines.get(1).startsWith("[1] FAILED NOT_FOUND ZOOM_WEBINAR_NOT_FOUND "), run.out());
    assertTrue(lines.get(2).startsWith("[2] OK tracking_id="), run.out());
  }

  @Test
  void exampleRefusesBadFlagsBeforeCalling() throws Exception {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        LiveStreamExample.run(
            new String[] {"--target=" + gateway.serverTarget(), "--call=batch", "--items=x:1"},
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(2, exit);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("x:1"), err.toString());
  }
}
