package com.zoom.livestream.client;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.util.concurrent.Executor;

/**
 * Call credentials that send {@code authorization: Bearer <token>} with every call, for the
 * gateway's caller authorization. Like grpc-java's own OAuth credentials they refuse to send the
 * token over a connection without privacy and integrity (plaintext): the call then fails locally
 * with {@code UNAUTHENTICATED}. {@link #allowingInsecure} lifts that for a plaintext hop that stays
 * on the host (a sidecar terminating TLS). The token is never part of {@link #toString()}.
 *
 * <pre>{@code
 * stub.withCallCredentials(BearerTokenCredentials.of(token))
 * // or for the whole channel:
 * Grpc.newChannelBuilder(
 *     target, CompositeChannelCredentials.create(tls, BearerTokenCredentials.of(token)))
 * }</pre>
 */
public final class BearerTokenCredentials extends CallCredentials {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;
  private final boolean allowInsecure;

  private BearerTokenCredentials(String token, boolean allowInsecure) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the bearer token is empty");
    }
    this.header = "Bearer " + token;
    this.allowInsecure = allowInsecure;
  }

  /** Sends {@code token} only over TLS. */
  public static BearerTokenCredentials of(String token) {
    return new BearerTokenCredentials(token, false);
  }

  /** Sends {@code token} over any connection, plaintext too: only for a hop on this host. */
  public static BearerTokenCredentials allowingInsecure(String token) {
    return new BearerTokenCredentials(token, true);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    if (!allowInsecure && requestInfo.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      applier.fail(
          Status.UNAUTHENTICATED.withDescription(
              "a bearer token needs TLS; use BearerTokenCredentials.allowingInsecure only for a"
                  + " plaintext hop that stays on this host"));
      return;
    }
    Metadata metadata = new Metadata();
    metadata.put(AUTHORIZATION, header);
    applier.apply(metadata);
  }

  @Override
  public String toString() {
    return "BearerTokenCredentials{token=<redacted>, allowInsecure=" + allowInsecure + "}";
  }
}
