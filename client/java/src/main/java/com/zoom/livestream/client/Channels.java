package com.zoom.livestream.client;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Builds channels to the gateway, optionally with the repository's gRPC service config. */
public final class Channels {
  private Channels() {}

  /**
   * Parses a gRPC service config JSON (e.g. {@code client/service_config.json}) into the map that
   * {@link ManagedChannelBuilder#defaultServiceConfig} expects. Gson yields exactly the types
   * grpc-java accepts there: Double for numbers, List, Map, String and Boolean.
   */
  public static Map<String, ?> parseServiceConfig(String json) {
    try {
      Map<String, Object> config =
          new Gson().fromJson(json, new TypeToken<Map<String, Object>>() {}.getType());
      if (config == null) {
        throw new IllegalArgumentException("service config is empty");
      }
      return config;
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(
          "service config is not a JSON object: " + e.getMessage(), e);
    }
  }

  /** Reads and parses a service config file. */
  public static Map<String, ?> loadServiceConfig(Path path) throws IOException {
    return parseServiceConfig(Files.readString(path, StandardCharsets.UTF_8));
  }

  /**
   * A plaintext channel to {@code target} ("host:port" or any gRPC target URI). With a service
   * config, its retry policy applies (the repository's retries UNAVAILABLE only); the resolver is
   * not asked for one, so the config in hand is the one used.
   */
  public static ManagedChannel plaintext(String target, Map<String, ?> serviceConfig) {
    return withServiceConfig(ManagedChannelBuilder.forTarget(target).usePlaintext(), serviceConfig);
  }

  /**
   * A channel to {@code target} with {@code credentials}, e.g. {@link ChannelSecurity#tls(Path,
   * Path, Path)}, optionally composed with {@link BearerTokenCredentials} through {@code
   * CompositeChannelCredentials}; the service config applies as in {@link #plaintext}.
   */
  public static ManagedChannel secure(
      String target, ChannelCredentials credentials, Map<String, ?> serviceConfig) {
    return withServiceConfig(Grpc.newChannelBuilder(target, credentials), serviceConfig);
  }

  private static ManagedChannel withServiceConfig(
      ManagedChannelBuilder<?> builder, Map<String, ?> serviceConfig) {
    if (serviceConfig != null) {
      builder.defaultServiceConfig(serviceConfig).disableServiceConfigLookUp().enableRetry();
    }
    return builder.build();
  }
}
