package com.zoom.livestream.client;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import com.google.gson.reflect.TypeToken;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Builds channels to the gateway. By default they carry the gateway's gRPC service config (the
 * repository's {@code client/service_config.json}, packaged in this jar), which retries UNAVAILABLE
 * only, with exponential backoff. Pass a {@code null} service config to turn it off.
 */
public final class Channels {
  /**
   * Where the build puts {@code client/service_config.json} in the jar, so that the retry policy
   * travels with the package instead of being read from a checkout.
   */
  private static final String SERVICE_CONFIG_RESOURCE = "service_config.json";

  private Channels() {}

  /**
   * The service config packaged in this jar, parsed as {@link #parseServiceConfig} does; a new map
   * on every call, so a caller may change it.
   */
  public static Map<String, ?> defaultServiceConfig() {
    try (InputStream in = Channels.class.getResourceAsStream(SERVICE_CONFIG_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(
            SERVICE_CONFIG_RESOURCE + " is missing beside " + Channels.class.getName());
      }
      return parseServiceConfig(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

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
   * A plaintext channel to {@code target} ("host:port" or any gRPC target URI) with the {@link
   * #defaultServiceConfig}.
   */
  public static ManagedChannel plaintext(String target) {
    return plaintext(target, defaultServiceConfig());
  }

  /**
   * A plaintext channel to {@code target} with {@code serviceConfig} (e.g. {@link
   * #defaultServiceConfig} or {@link #loadServiceConfig}), whose retry policy then applies; the
   * resolver is not asked for one, so the config in hand is the one used. {@code null}: no service
   * config and no retries.
   */
  public static ManagedChannel plaintext(String target, Map<String, ?> serviceConfig) {
    return withServiceConfig(ManagedChannelBuilder.forTarget(target).usePlaintext(), serviceConfig);
  }

  /**
   * A channel to {@code target} with {@code credentials}, e.g. {@link ChannelSecurity#tls(Path,
   * Path, Path)}, optionally composed with {@link BearerTokenCredentials} through {@code
   * CompositeChannelCredentials}, and the {@link #defaultServiceConfig}.
   */
  public static ManagedChannel secure(String target, ChannelCredentials credentials) {
    return secure(target, credentials, defaultServiceConfig());
  }

  /**
   * As {@link #secure(String, ChannelCredentials)}, with {@code serviceConfig} as in {@link
   * #plaintext(String, Map)} ({@code null}: none).
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
