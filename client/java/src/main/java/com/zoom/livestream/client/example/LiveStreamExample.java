package com.zoom.livestream.client.example;

import com.google.protobuf.FieldMask;
import com.zoom.livestream.client.BearerTokenCredentials;
import com.zoom.livestream.client.ChannelSecurity;
import com.zoom.livestream.client.Channels;
import com.zoom.livestream.client.RichError;
import com.zoom.livestream.v1.BatchUpdateStatusRequest;
import com.zoom.livestream.v1.BatchUpdateStatusResponse;
import com.zoom.livestream.v1.BatchUpdateStatusResult;
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
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Calls one LiveStreamService method and prints the result or the rich error.
 *
 * <pre>
 * LiveStreamExample --target=127.0.0.1:50051 [--call=status|get|configure|batch] ...
 *   status     (--webinar_id=ID | --meeting_id=ID) [--action=start|stop|unspecified]
 *              [--display_name=NAME] [--active_speaker_name=true|false]
 *   get        (--webinar_id=ID | --meeting_id=ID)
 *   configure  (--webinar_id=ID | --meeting_id=ID) [--stream_url=URL] [--stream_key_file=PATH]
 *              [--page_url=URL] [--resolution=720p|1080p]   (update_mask: the fields given)
 *   batch      --items=webinar:ID,meeting:ID,...   (each with --action and the settings flags)
 * Mutating calls: [--validate_only=true] [--request_id=UUID]
 * Every call: [--deadline_ms=5000] [--service_config=PATH|none] (default: the packaged one)
 *     [--tls=true] [--tls_ca_file=ca.crt] [--tls_cert_file=client.crt --tls_key_file=client.key]
 *     [--bearer_token_file=token]
 * </pre>
 *
 * Exit status: 0 on success, 1 when the call or an item of the batch failed, 2 on bad usage.
 */
public final class LiveStreamExample {
  private static final Set<String> FLAGS =
      Set.of(
          "target",
          "call",
          "webinar_id",
          "meeting_id",
          "action",
          "display_name",
          "active_speaker_name",
          "stream_url",
          "stream_key_file",
          "page_url",
          "resolution",
          "items",
          "validate_only",
          "request_id",
          "deadline_ms",
          "service_config",
          "tls",
          "tls_ca_file",
          "tls_cert_file",
          "tls_key_file",
          "bearer_token_file");

  private static final String USAGE =
      "usage: LiveStreamExample --target=HOST:PORT [--call=status|get|configure|batch]"
          + " (--webinar_id=ID | --meeting_id=ID | --items=webinar:ID,meeting:ID,...)"
          + " [--action=start|stop|unspecified] [--display_name=NAME]"
          + " [--active_speaker_name=true|false] [--stream_url=URL] [--stream_key_file=PATH]"
          + " [--page_url=URL] [--resolution=720p|1080p] [--validate_only=true]"
          + " [--request_id=UUID] [--deadline_ms=5000] [--service_config=PATH|none] [--tls=true]"
          + " [--tls_ca_file=PATH] [--tls_cert_file=PATH --tls_key_file=PATH]"
          + " [--bearer_token_file=PATH]";

  private LiveStreamExample() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  /** The whole example, with its output streams given so that tests can run it in-process. */
  public static int run(String[] args, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    Map<String, String> flags;
    Call call;
    long deadlineMs;
    try {
      flags = parseFlags(args);
      call = buildCall(flags.getOrDefault("call", "status"), flags);
      deadlineMs = Long.parseLong(flags.getOrDefault("deadline_ms", "5000"));
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE);
      return 2;
    }

    String serviceConfigFlag = flags.getOrDefault("service_config", "");
    Map<String, ?> serviceConfig =
        switch (serviceConfigFlag) {
          case "" -> Channels.defaultServiceConfig();
          case "none" -> null;
          default -> Channels.loadServiceConfig(Path.of(serviceConfigFlag));
        };
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
    try {
      // A deadline bounds the whole call, retries included; without one a hung network would
      // block this thread forever.
      return call.invoke(stub.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS), out);
    } catch (StatusRuntimeException e) {
      printError(out, "FAILED ", RichError.fromThrowable(e));
      return 1;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /** One prepared call: its request is built, it prints its result and returns the exit status. */
  private interface Call {
    int invoke(LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub, PrintStream out);
  }

  private static Call buildCall(String call, Map<String, String> flags) {
    switch (call) {
      case "status" -> {
        UpdateStatusRequest request =
            buildStatusRequest(flags)
                .setValidateOnly(validateOnly(flags))
                .setRequestId(flags.getOrDefault("request_id", ""))
                .build();
        return (stub, out) -> {
          UpdateStatusResponse response = stub.updateStatus(request);
          out.println("OK tracking_id=" + response.getTrackingId());
          return 0;
        };
      }
      case "get" -> {
        GetLiveStreamRequest.Builder builder = GetLiveStreamRequest.newBuilder();
        target(flags, builder::setWebinarId, builder::setMeetingId);
        GetLiveStreamRequest request = builder.build();
        return (stub, out) -> {
          GetLiveStreamResponse response = stub.getLiveStream(request);
          out.println(
              "OK "
                  + describe(response.getLiveStream())
                  + " tracking_id="
                  + response.getTrackingId());
          return 0;
        };
      }
      case "configure" -> {
        UpdateLiveStreamRequest request = buildConfigureRequest(flags);
        return (stub, out) -> {
          UpdateLiveStreamResponse response = stub.updateLiveStream(request);
          out.println(
              "OK "
                  + describe(response.getLiveStream())
                  + " tracking_id="
                  + response.getTrackingId());
          return 0;
        };
      }
      case "batch" -> {
        BatchUpdateStatusRequest request = buildBatchRequest(flags);
        return (stub, out) -> {
          BatchUpdateStatusResponse response = stub.batchUpdateStatus(request);
          int exit = 0;
          List<BatchUpdateStatusResult> results = response.getResultsList();
          for (int i = 0; i < results.size(); i++) {
            String prefix = "[" + i + "] ";
            // An item's error has the code and details a failed UpdateStatus call would have.
            Optional<RichError> itemError = RichError.fromBatchResult(results.get(i));
            if (itemError.isPresent()) {
              printError(out, prefix + "FAILED ", itemError.get());
              exit = 1;
            } else {
              out.println(
                  prefix + "OK tracking_id=" + results.get(i).getResponse().getTrackingId());
            }
          }
          return exit;
        };
      }
      default ->
          throw new IllegalArgumentException("--call must be status, get, configure or batch");
    }
  }

  /** The stream key is a secret: only its length is shown. */
  private static String describe(LiveStream ls) {
    return "stream_url="
        + ls.getStreamUrl()
        + " stream_key=("
        + ls.getStreamKey().length()
        + " characters) page_url="
        + ls.getPageUrl()
        + " resolution="
        + ls.getResolution();
  }

  private static void printError(PrintStream out, String prefix, RichError err) {
    out.println(prefix + err);
    err.badRequest()
        .ifPresent(
            br ->
                br.getFieldViolationsList()
                    .forEach(
                        v -> out.println("  field " + v.getField() + ": " + v.getDescription())));
    err.resourceInfo()
        .ifPresent(
            ri -> out.println("  resource " + ri.getResourceType() + " " + ri.getResourceName()));
    err.preconditionFailure()
        .ifPresent(
            pf ->
                pf.getViolationsList()
                    .forEach(
                        v ->
                            out.println(
                                "  precondition "
                                    + v.getType()
                                    + " "
                                    + v.getSubject()
                                    + ": "
                                    + v.getDescription())));
    err.retryDelay().ifPresent(d -> out.println("  retry after " + d));
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

  private static void target(
      Map<String, String> flags, Consumer<String> webinar, Consumer<String> meeting) {
    if (flags.containsKey("webinar_id") == flags.containsKey("meeting_id")) {
      throw new IllegalArgumentException("give exactly one of --webinar_id and --meeting_id");
    }
    if (flags.containsKey("webinar_id")) {
      webinar.accept(flags.get("webinar_id"));
    } else {
      meeting.accept(flags.get("meeting_id"));
    }
  }

  private static boolean validateOnly(Map<String, String> flags) {
    return booleanFlag(flags, "validate_only").orElse(false);
  }

  private static Optional<Boolean> booleanFlag(Map<String, String> flags, String name) {
    if (!flags.containsKey(name)) {
      return Optional.empty();
    }
    String v = flags.get(name);
    if (!v.equals("true") && !v.equals("false")) {
      throw new IllegalArgumentException("--" + name + " must be true or false");
    }
    return Optional.of(Boolean.parseBoolean(v));
  }

  /** The action and settings flags, without a target: shared by status and every batch item. */
  private static UpdateStatusRequest.Builder statusFields(Map<String, String> flags) {
    UpdateStatusRequest.Builder request = UpdateStatusRequest.newBuilder();
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
    booleanFlag(flags, "active_speaker_name").ifPresent(settings::setActiveSpeakerName);
    if (flags.containsKey("display_name") || flags.containsKey("active_speaker_name")) {
      request.setSettings(settings);
    }
    return request;
  }

  static UpdateStatusRequest.Builder buildStatusRequest(Map<String, String> flags) {
    UpdateStatusRequest.Builder request = statusFields(flags);
    target(flags, request::setWebinarId, request::setMeetingId);
    return request;
  }

  /** The fields given become the update_mask, so the server keeps (reads and resends) the rest. */
  static UpdateLiveStreamRequest buildConfigureRequest(Map<String, String> flags) {
    UpdateLiveStreamRequest.Builder request =
        UpdateLiveStreamRequest.newBuilder()
            .setValidateOnly(validateOnly(flags))
            .setRequestId(flags.getOrDefault("request_id", ""));
    target(flags, request::setWebinarId, request::setMeetingId);
    LiveStream.Builder ls = LiveStream.newBuilder();
    FieldMask.Builder mask = FieldMask.newBuilder();
    if (flags.containsKey("stream_url")) {
      ls.setStreamUrl(flags.get("stream_url"));
      mask.addPaths("stream_url");
    }
    if (flags.containsKey("stream_key_file")) {
      // A file rather than a flag: the key is a secret, and a command line is visible to others.
      try {
        ls.setStreamKey(
            Files.readString(Path.of(flags.get("stream_key_file")), StandardCharsets.UTF_8)
                .strip());
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read --stream_key_file: " + e.getMessage(), e);
      }
      mask.addPaths("stream_key");
    }
    if (flags.containsKey("page_url")) {
      ls.setPageUrl(flags.get("page_url"));
      mask.addPaths("page_url");
    }
    if (flags.containsKey("resolution")) {
      switch (flags.get("resolution").toLowerCase(Locale.ROOT)) {
        case "720p" -> ls.setResolution(LiveStreamResolution.LIVE_STREAM_RESOLUTION_720P);
        case "1080p" -> ls.setResolution(LiveStreamResolution.LIVE_STREAM_RESOLUTION_1080P);
        default -> throw new IllegalArgumentException("--resolution must be 720p or 1080p");
      }
      mask.addPaths("resolution");
    }
    if (mask.getPathsCount() == 0) {
      throw new IllegalArgumentException(
          "configure needs --stream_url, --stream_key_file, --page_url or --resolution");
    }
    return request.setLiveStream(ls).setUpdateMask(mask).build();
  }

  /** {@code --items=webinar:ID,meeting:ID,...}, each with the action and settings flags. */
  static BatchUpdateStatusRequest buildBatchRequest(Map<String, String> flags) {
    if (flags.containsKey("webinar_id") || flags.containsKey("meeting_id")) {
      throw new IllegalArgumentException("a batch names its targets in --items");
    }
    String items = flags.getOrDefault("items", "");
    if (items.isEmpty()) {
      throw new IllegalArgumentException("batch needs --items=webinar:ID,meeting:ID,...");
    }
    BatchUpdateStatusRequest.Builder batch =
        BatchUpdateStatusRequest.newBuilder()
            .setValidateOnly(validateOnly(flags))
            .setRequestId(flags.getOrDefault("request_id", ""));
    for (String item : items.split(",", -1)) {
      UpdateStatusRequest.Builder request = statusFields(flags);
      if (item.startsWith("webinar:")) {
        request.setWebinarId(item.substring("webinar:".length()));
      } else if (item.startsWith("meeting:")) {
        request.setMeetingId(item.substring("meeting:".length()));
      } else {
        throw new IllegalArgumentException(
            "--items: " + item + " is neither webinar:ID nor meeting:ID");
      }
      batch.addRequests(request);
    }
    return batch.build();
  }
}
