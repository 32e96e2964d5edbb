package com.zoom.livestream.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zoom.livestream.v1.LiveStreamAction;
import com.zoom.livestream.v1.LiveStreamServiceGrpc;
import com.zoom.livestream.v1.UpdateStatusRequest;
import io.grpc.CallCredentials;
import io.grpc.ChannelCredentials;
import io.grpc.CompositeChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS, mTLS and bearer tokens against the real server: the secure stack that
 * scripts/test-clients.sh starts (LIVESTREAM_TLS_TARGET, LIVESTREAM_MTLS_TARGET,
 * LIVESTREAM_AUTHZ_PLAINTEXT_TARGET, LIVESTREAM_TLS_DIR; see start_secure_stack there). Its
 * policy allows the principals "allowed-app" (allowed.token) and "caller" (the CN of client.crt);
 * "denied-app" (denied.token) is known but not allowed. Those tests are skipped without the stack.
 */
class SecureClientTest {
  private static final String TLS_TARGET = System.getenv("LIVESTREAM_TLS_TARGET");
  private static final String MTLS_TARGET = System.getenv("LIVESTREAM_MTLS_TARGET");
  private static final String PLAINTEXT_TARGET = System.getenv("LIVESTREAM_AUTHZ_PLAINTEXT_TARGET");
  private static final String DIR = System.getenv("LIVESTREAM_TLS_DIR");

  private static void assumeStack() {
    assumeTrue(
        TLS_TARGET != null && MTLS_TARGET != null && PLAINTEXT_TARGET != null && DIR != null,
        "no secure stack: run through scripts/test-clients.sh");
  }

  private static Path file(String name) {
    return Path.of(DIR, name);
  }

  private static String token(String name) throws IOException {
    return ChannelSecurity.readBearerTokenFile(file(name + ".token"));
  }

  private static ChannelCredentials caOnly() throws IOException {
    return ChannelSecurity.tls(file("ca.crt"), null, null);
  }

  private static ChannelCredentials mtls() throws IOException {
    return ChannelSecurity.tls(file("ca.crt"), file("client.crt"), file("client.key"));
  }

  /** Starts the known webinar's stream; returns the tracking id or throws the call's failure. */
  private static String start(ManagedChannel channel, CallCredentials callCredentials)
      throws InterruptedException {
    try {
      LiveStreamServiceGrpc.LiveStreamServiceBlockingStub stub =
          LiveStreamServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      if (callCredentials != null) {
        stub = stub.withCallCredentials(callCredentials);
      }
      return stub.updateStatus(
              UpdateStatusRequest.newBuilder()
                  .setWebinarId("99289110036")
                  .setAction(LiveStreamAction.LIVE_STREAM_ACTION_START)
                  .build())
          .getTrackingId();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static RichError failure(ManagedChannel channel, CallCredentials callCredentials) {
    return RichError.fromThrowable(
        assertThrows(StatusRuntimeException.class, () -> start(channel, callCredentials)));
  }

  @Test
  void tlsWithAllowedTokenSucceeds() throws Exception {
    assumeStack();
    String id =
        start(
            Channels.secure(TLS_TARGET, caOnly(), null),
            BearerTokenCredentials.of(token("allowed")));
    assertFalse(id.isEmpty());
  }

  @Test
  void tokenComposedIntoChannelCredentialsArrives() throws Exception {
    assumeStack();
    ChannelCredentials credentials =
        CompositeChannelCredentials.create(caOnly(), BearerTokenCredentials.of(token("allowed")));
    assertFalse(start(Channels.secure(TLS_TARGET, credentials, null), null).isEmpty());
  }

  @Test
  void tlsWithoutTokenIsUnauthenticated() throws Exception {
    assumeStack();
    RichError err = failure(Channels.secure(TLS_TARGET, caOnly(), null), null);
    assertEquals(Status.Code.UNAUTHENTICATED, err.code(), err.toString());
    assertEquals("UNAUTHENTICATED", err.reason().orElse(""), err.toString());
  }

  @Test
  void tlsWithDeniedTokenIsPermissionDenied() throws Exception {
    assumeStack();
    String denied = token("denied");
    RichError err =
        failure(Channels.secure(TLS_TARGET, caOnly(), null), BearerTokenCredentials.of(denied));
    assertEquals(Status.Code.PERMISSION_DENIED, err.code(), err.toString());
    assertEquals("denied-app", err.metadata("principal").orElse(""), err.toString());
    assertFalse(err.toString().contains(denied), "the error shows the token");
  }

  @Test
  void tlsWithUntrustedCaFailsTheHandshake() throws Exception {
    assumeStack();
    ChannelCredentials other = ChannelSecurity.tls(file("other-ca.crt"), null, null);
    RichError err =
        failure(
            Channels.secure(TLS_TARGET, other, null), BearerTokenCredentials.of(token("allowed")));
    assertEquals(Status.Code.UNAVAILABLE, err.code(), err.toString());
  }

  @Test
  void mtlsWithClientCertificateSucceeds() throws Exception {
    assumeStack();
    assertFalse(start(Channels.secure(MTLS_TARGET, mtls(), null), null).isEmpty());
  }

  @Test
  void mtlsTokenWinsOverCertificate() throws Exception {
    assumeStack();
    RichError err =
        failure(
            Channels.secure(MTLS_TARGET, mtls(), null), BearerTokenCredentials.of(token("denied")));
    assertEquals(Status.Code.PERMISSION_DENIED, err.code(), err.toString());
  }

  @Test
  void mtlsWithoutClientCertificateFailsTheHandshake() throws Exception {
    assumeStack();
    RichError err = failure(Channels.secure(MTLS_TARGET, caOnly(), null), null);
    assertEquals(Status.Code.UNAVAILABLE, err.code(), err.toString());
  }

  @Test
  void tokenIsNotSentOverPlaintext() throws Exception {
    assumeStack();
    RichError err =
        failure(
            Channels.plaintext(PLAINTEXT_TARGET, null),
            BearerTokenCredentials.of(token("allowed")));
    assertEquals(Status.Code.UNAUTHENTICATED, err.code(), err.toString());
    // Refused by the client: the server's refusals carry an ErrorInfo.
    assertTrue(err.errorInfo().isEmpty(), err.toString());
    assertTrue(err.message().contains("needs TLS"), err.toString());
  }

  @Test
  void tokenOverPlaintextWhenExplicitlyAllowedArrives() throws Exception {
    assumeStack();
    String id =
        start(
            Channels.plaintext(PLAINTEXT_TARGET, null),
            BearerTokenCredentials.allowingInsecure(token("allowed")));
    assertFalse(id.isEmpty());
  }

  @Test
  void toStringHidesTheToken() {
    assertFalse(BearerTokenCredentials.of("secret-token").toString().contains("secret-token"));
  }

  @Test
  void badFilesAreNamed(@TempDir Path dir) throws IOException {
    IOException missing =
        assertThrows(
            IOException.class, () -> ChannelSecurity.tls(dir.resolve("nope.crt"), null, null));
    assertTrue(missing.getMessage().contains("nope.crt"), missing.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ChannelSecurity.tls(null, dir.resolve("client.crt"), null));
    Path empty = Files.writeString(dir.resolve("token"), " \n");
    IOException emptyToken =
        assertThrows(IOException.class, () -> ChannelSecurity.readBearerTokenFile(empty));
    assertTrue(emptyToken.getMessage().contains("empty"), emptyToken.getMessage());
  }
}
