package com.zoom.livestream.client;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS channel credentials for the gateway: trust a CA file (or the JDK's default roots) and, for
 * mTLS, present a client certificate. Pair them with {@link BearerTokenCredentials} to name the
 * calling application:
 *
 * <pre>{@code
 * ChannelCredentials tls =
 *     ChannelSecurity.tls(Path.of("ca.crt"), Path.of("client.crt"), Path.of("client.key"));
 * ManagedChannel channel = Channels.secure("gateway:50051", tls, serviceConfig);
 * LiveStreamServiceGrpc.newBlockingStub(channel)
 *     .withCallCredentials(
 *         BearerTokenCredentials.of(ChannelSecurity.readBearerTokenFile(Path.of("token"))));
 * }</pre>
 */
public final class ChannelSecurity {
  private ChannelSecurity() {}

  /**
   * TLS credentials trusting {@code caFile} (PEM; null: the default roots), presenting {@code
   * certFile} with {@code keyFile} (PEM, PKCS#8) when both are non-null. Reads the files at once.
   *
   * @throws IOException naming a file that cannot be read or parsed
   */
  public static ChannelCredentials tls(Path caFile, Path certFile, Path keyFile)
      throws IOException {
    if ((certFile == null) != (keyFile == null)) {
      throw new IllegalArgumentException("the client certificate and key go together (mTLS)");
    }
    TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder();
    if (caFile != null) {
      try {
        builder.trustManager(caFile.toFile());
      } catch (IOException | RuntimeException e) {
        throw new IOException("CA file " + caFile + ": " + e.getMessage(), e);
      }
    }
    if (certFile != null) {
      try {
        builder.keyManager(certFile.toFile(), keyFile.toFile());
      } catch (IOException | RuntimeException e) {
        throw new IOException(
            "client certificate " + certFile + " with key " + keyFile + ": " + e.getMessage(), e);
      }
    }
    return builder.build();
  }

  /** TLS with the default roots and no client certificate. */
  public static ChannelCredentials tls() {
    return TlsChannelCredentials.create();
  }

  /**
   * The token in {@code path} without surrounding whitespace.
   *
   * @throws IOException when the file cannot be read or holds no token
   */
  public static String readBearerTokenFile(Path path) throws IOException {
    String token = Files.readString(path, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException("bearer token file " + path + " is empty");
    }
    return token;
  }
}
