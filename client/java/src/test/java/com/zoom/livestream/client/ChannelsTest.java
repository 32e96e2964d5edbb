package com.zoom.livestream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.UpdateStatusRequest;
import com.zoom.livestream.v1.UpdateStatusResponse;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The service config of the channels {@link Channels} builds: packaged in the jar, applied by
 * default, off with {@code null}. The retries are seen by a local server that fails the first
 * attempts of a call as scripted.
 */
class ChannelsTest {
  private final Deque<Status.Code> script = new ArrayDeque<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private Server server;
  private String target;
  private ManagedChannel channel;

  /** Answers UpdateStatus with the scripted failures, then OK. */
  private final class ScriptedService extends LiveStreamServiceGrpc.LiveStreamServiceImplBase {
    @Override
    public void updateStatus(
        UpdateStatusRequest request, StreamObserver<UpdateStatusResponse> responseObserver) {
      attempts.incrementAndGet();
      Status.Code code;
      synchronized (script) {
        code = script.poll();
      }
      if (code == null) {
        responseObserver.onNext(UpdateStatusResponse.newBuilder().setTrackingId("ok").build());
        responseObserver.onCompleted();
      } else {
        responseObserver.onError(code.toStatus().asRuntimeException());
      }
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                InsecureServerCredentials.create())
            .addService(new ScriptedService())
            .build()
            .start();
    target = InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getPort();
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  static Stream<Arguments> channelsAndScripts() {
    Function<String, ManagedChannel> plaintext = Channels::plaintext;
    Function<String, ManagedChannel> secure =
        t -> Channels.secure(t, InsecureChannelCredentials.create());
    Function<String, ManagedChannel> plaintextOff = t -> Channels.plaintext(t, null);
    Function<String, ManagedChannel> secureOff =
        t -> Channels.secure(t, InsecureChannelCredentials.create(), null);
    Status.Code unavailable = Status.Code.UNAVAILABLE;
    return Stream.of(
        // name, channel, failures scripted, code the caller sees, attempts the server saw
        Arguments.of("plaintext default", plaintext, List.of(unavailable), Status.Code.OK, 2),
        Arguments.of("secure default", secure, List.of(unavailable), Status.Code.OK, 2),
        Arguments.of(
            "default gives up after maxAttempts",
            plaintext,
            List.of(unavailable, unavailable, unavailable),
            unavailable,
            3),
        Arguments.of(
            "default never retries NOT_FOUND",
            plaintext,
            List.of(Status.Code.NOT_FOUND),
            Status.Code.NOT_FOUND,
            1),
        Arguments.of(
            "default never retries DEADLINE_EXCEEDED",
            plaintext,
            List.of(Status.Code.DEADLINE_EXCEEDED),
            Status.Code.DEADLINE_EXCEEDED,
            1),
        Arguments.of("plaintext null: off", plaintextOff, List.of(unavailable), unavailable, 1),
        Arguments.of("secure null: off", secureOff, List.of(unavailable), unavailable, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("channelsAndScripts")
  void retriesAsTheServiceConfigSays(
      String name,
      Function<String, ManagedChannel> channelFor,
      List<Status.Code> failures,
      Status.Code expected,
      int expectedAttempts) {
    script.addAll(failures);
    channel = channelFor.apply(target);
    LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub =
        LiveStreamServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    UpdateStatusRequest request = UpdateStatusRequest.newBuilder().setWebinarId("1").build();
    Status.Code got;
    try {
      stub.updateStatus(request);
      got = Status.Code.OK;
    } catch (StatusRuntimeException e) {
      got = e.getStatus().getCode();
    }
    assertEquals(expected, got);
    assertEquals(expectedAttempts, attempts.get());
  }

  @Test
  void thePackagedServiceConfigIsTheRepositorys() throws IOException {
    // The build copies client/service_config.json into the jar; a stale or missing copy fails here.
    assertEquals(
        Channels.loadServiceConfig(Path.of("..", "service_config.json")),
        Channels.defaultServiceConfig());
    assertNotSame(Channels.defaultServiceConfig(), Channels.defaultServiceConfig());
  }

  @Test
  void thePackagedServiceConfigRetriesOnlyUnavailable() {
    List<?> methodConfigs = (List<?>) Channels.defaultServiceConfig().get("methodConfig");
    assertEquals(1, methodConfigs.size());
    Map<?, ?> methodConfig = (Map<?, ?>) methodConfigs.get(0);
    assertEquals(
        List.of(Map.of("service", "zoom.livestream.v1.LiveStreamService")),
        methodConfig.get("name"));
    Map<?, ?> retry = (Map<?, ?>) methodConfig.get("retryPolicy");
    assertEquals(List.of("UNAVAILABLE"), retry.get("retryableStatusCodes"));
    assertEquals(3.0, retry.get("maxAttempts"));
  }

  @Test
  void aServiceConfigIsParsedIntoWhatGrpcJavaAccepts() {
    String json =
        "{\"methodConfig\":[{\"name\":[{\"service\":\"zoom.livestream.v1.LiveStreamService\"}],"
            + "\"retryPolicy\":{\"maxAttempts\":4,\"initialBackoff\":\"0.1s\",\"maxBackoff\":\"1s\","
            + "\"backoffMultiplier\":2,\"retryableStatusCodes\":[\"UNAVAILABLE\"]}}]}";
    Map<String, ?> config = Channels.parseServiceConfig(json);
    assertFalse(config.isEmpty());
    // The channel parses its default service config when built and rejects a bad one, so a
    // successful build shows the JSON types suit grpc-java.
    Channels.plaintext("127.0.0.1:1", config).shutdownNow();
    Map<String, ?> broken = Channels.parseServiceConfig(json.replace("\"maxAttempts\":4,", ""));
    assertThrows(IllegalStateException.class, () -> Channels.plaintext("127.0.0.1:1", broken));
    assertThrows(IllegalArgumentException.class, () -> Channels.parseServiceConfig("[1]"));
    assertThrows(IllegalArgumentException.class, () -> Channels.parseServiceConfig("{"));
    assertThrows(IllegalArgumentException.class, () -> Channels.parseServiceConfig(""));
  }
}
