package example.consumer;

import com.zoom.livestream.client.Channels;
import com.zoom.livestream.client.RichError;
import com.zoom.livestream.v1.LiveStreamAction;
import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.UpdateStatusRequest;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Application code: compiled against nothing but the client's coordinates. */
public final class WebinarStarter {
  private WebinarStarter() {}

  /**
   * Starts the live stream of {@code webinarId} through the gateway at {@code target}, on the
   * package's default channel (with its retry policy); the rich error when the gateway refuses.
   */
  public static Optional<RichError> start(String target, String webinarId)
      throws InterruptedException {
    ManagedChannel channel = Channels.plaintext(target);
    try {
      LiveStreamServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .updateStatus(
              UpdateStatusRequest.newBuilder()
                  .setWebinarId(webinarId)
                  .setAction(LiveStreamAction.LIVE_STREAM_ACTION_START)
                  .build());
      return Optional.empty();
    } catch (StatusRuntimeException e) {
      return Optional.of(RichError.fromThrowable(e));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
