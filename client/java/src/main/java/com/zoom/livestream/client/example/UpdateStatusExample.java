package com.zoom.livestream.client.example;

import com.zoom.livestream.client.BearerTokenCredentials;
import com.zoom.livestream.client.ChannelSecurity;
import com.zoom.livestream.client.Channels;
import com.zoom.livestream.client.RichError;
import com.zoom.livestream.v1.LiveStreamAction;
import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.LiveStreamSettings;
import com.zoom.livestream.v1.UpdateStatusRequest;
import com.zoom.livestream.v1.UpdateStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Calls LiveStreamService.UpdateStatus once and prints the result or the rich error.
 *
 * <pre>
 * UpdateStatusExample --target=127.0.0.1:50051 --webinar_id=99289110036 --action=start
 *     [--display_name=NAME] [--active_speaker_name=true|false] [--deadline_ms=5000]
 *     [--service_config=../service_config.json]
 *     [--tls=true] [--tls_ca_file=ca.crt] [--tls_cert_file=client.crt --tls_key_file=client.key]
 *     [--bearer_token_file=token]
 * </pre>
 *
 * Exit status: 0 on success, 1 when the call failed, 2 on bad usage.
 */
public final class UpdateStatusExample {
  private static final Set<String> FLAGS =
      Set.of(
          "target",
          "webinar_id",
          "meeting_id",
          "action",
          "display_name",
          "active_speaker_name",
          "deadline_ms",
          "service_config",
          "tls",
          "tls_ca_file",
          "tls_cert_file",
          "tls_key_file",
          "bearer_token_file");

  private UpdateStatusExample() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> flags;
    UpdateStatusRequest request;
    long deadlineMs;
    try {
      flags = parseFlags(args);
      request = buildRequest(flags);
      deadlineMs = Long.parseLong(flags.getOrDefault("deadline_ms", "5000"));
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(
          "usage: UpdateStatusExample --target=HOST:PORT (--webinar_id=ID | --meeting_id=ID)"
              + " [--action=start|stop|unspecified] [--display_name=NAME]"
              + " [--active_speaker_name=true|false] [--deadline_ms=5000]"
              + " [--service_config=PATH] [--tls=true] [--tls_ca_file=PATH]"
              + " [--tls_cert_file=PATH --tls_key_file=PATH] [--bearer_token_file=PATH]");
      System.exit(2);
      return;
    }

    Map<String, ?> serviceConfig =
        flags.containsKey("service_config")
            ? Channels.loadServiceConfig(Path.of(flags.get("service_config")))
            : null;
    boolean tls =
        Boolean.parseBoolean(flags.getOrDefault("tls", "false"))
            || flags.containsKey("tls_ca_file")
            || flags.containsKey("tls_cert_file")
            || flags.containsKey("tls_key_file");
    ManagedChannel channel =
        tls
            ? Channels.secure(
                flags.get("target"),
                ChannelSecurity.tls(
                    pathFlag(flags, "tls_ca_file"),
                    pathFlag(flags, "tls_cert_file"),
                    pathFlag(flags, "tls_key_file")),
                serviceConfig)
            : Channels.plaintext(flags.get("target"), serviceConfig);
    LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub =
        LiveStreamServiceGrpc.newBlockingStub(channel);
    if (flags.containsKey("bearer_token_file")) {
      // Refused on a plaintext channel: the call fails with UNAUTHENTICATED before it is sent.
      stub =
          stub.withCallCredentials(
              BearerTokenCredentials.of(
                  ChannelSecurity.readBearerTokenFile(Path.of(flags.get("bearer_token_file")))));
    }
    int exit = 0;
    try {
      // A deadline bounds the whole call, retries included; without one a hung network would
      // block this thread forever.
      UpdateStatusResponse response =
          stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS)
              .updateStatus(request);
      System.out.println("OK tracking_id=" + response.getTrackingId());
    } catch (StatusRuntimeException e) {
      RichError err = RichError.fromThrowable(e);
      System.out.println("FAILED " + err);
      err.badRequest()
          .ifPresent(
              br ->
                  br.getFieldViolationsList()
                      .forEach(
                          v ->
                              System.out.println(
                                  "  field " + v.getField() + ": " + v.getDescription())));
      err.resourceInfo()
          .ifPresent(
              ri ->
                  System.out.println(
                      "  resource " + ri.getResourceType() + " " + ri.getResourceName()));
      err.preconditionFailure()
          .ifPresent(
              pf ->
                  pf.getViolationsList()
                      .forEach(
                          v ->
                              System.out.println(
                                  "  precondition "
                                      + v.getType()
                                      + " "
                                      + v.getSubject()
                                      + ": "
                                      + v.getDescription())));
      err.retryDelay().ifPresent(d -> System.out.println("  retry after " + d));
      exit = 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.exit(exit);
  }

  private static Path pathFlag(Map<String, String> flags, String name) {
    return flags.containsKey(name) ? Path.of(flags.get(name)) : null;
  }

  /** Accepts {@code --name=value} and {@code --name value}. */
  static Map<String, String> parseFlags(String[] args) {
    Map<String, String> flags = new HashMap<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (!arg.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument " + arg);
      }
      String name;
      String value;
      int eq = arg.indexOf('=');
      if (eq >= 0) {
        name = arg.substring(2, eq);
        value = arg.substring(eq + 1);
      } else {
        name = arg.substring(2);
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("--" + name + " needs a value");
        }
        value = args[++i];
      }
      if (!FLAGS.contains(name)) {
        throw new IllegalArgumentException("unknown flag --" + name);
      }
      flags.put(name, value);
    }
    if (!flags.containsKey("target")) {
      throw new IllegalArgumentException("--target is required");
    }
    return flags;
  }

  static UpdateStatusRequest buildRequest(Map<String, String> flags) {
    UpdateStatusRequest.Builder request = UpdateStatusRequest.newBuilder();
    if (flags.containsKey("webinar_id") == flags.containsKey("meeting_id")) {
      throw new IllegalArgumentException("give exactly one of --webinar_id and --meeting_id");
    }
    if (flags.containsKey("webinar_id")) {
      request.setWebinarId(flags.get("webinar_id"));
    } else {
      request.setMeetingId(flags.get("meeting_id"));
    }
    switch (flags.getOrDefault("action", "start").toLowerCase(Locale.ROOT)) {
      case "start" -> request.setAction(LiveStreamAction.LIVE_STREAM_ACTION_START);
      case "stop" -> request.setAction(LiveStreamAction.LIVE_STREAM_ACTION_STOP);
      case "unspecified" -> request.setAction(LiveStreamAction.LIVE_STREAM_ACTION_UNSPECIFIED);
      default -> throw new IllegalArgumentException("--action must be start, stop or unspecified");
    }
    LiveStreamSettings.Builder settings = LiveStreamSettings.newBuilder();
    if (flags.containsKey("display_name")) {
      settings.setDisplayName(flags.get("display_name"));
    }
    if (flags.containsKey("active_speaker_name")) {
      String v = flags.get("active_speaker_name");
      if (!v.equals("true") && !v.equals("false")) {
        throw new IllegalArgumentException("--active_speaker_name must be true or false");
      }
      settings.setActiveSpeakerName(Boolean.parseBoolean(v));
    }
    if (flags.containsKey("display_name") || flags.containsKey("active_speaker_name")) {
      request.setSettings(settings);
    }
    return request.build();
  }
}
