package example.consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.ErrorInfo;
import com.zoom.livestream.client.Channels;
import com.zoom.livestream.client.RichError;
import com.zoom.livestream.v1.ErrorReason;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/** What a team relies on, through the installed jar only. */
class ConsumerTest {
  /** A webinar id the Zoom emulator behind the gateway does not know. */
  private static final String UNKNOWN_WEBINAR = "12345678901";

  private static String gateway() {
    String target = System.getenv("LIVESTREAM_GATEWAY");
    assertNotNull(target, "LIVESTREAM_GATEWAY (host:port of a running gateway) is not set");
    return target;
  }

  @Test
  void readsTheRichErrorOfAnUnknownWebinar() throws InterruptedException {
    RichError err =
        WebinarStarter.start(gateway(), UNKNOWN_WEBINAR)
            .orElseThrow(() -> new AssertionError("UpdateStatus of an unknown webinar succeeded"));
    System.out.println("consumer: " + err);
    assertEquals(Status.Code.NOT_FOUND, err.code());
    assertEquals(ErrorReason.ZOOM_WEBINAR_NOT_FOUND, err.errorReason());
    ErrorInfo info = err.errorInfo().orElseThrow();
    assertEquals(RichError.DOMAIN, info.getDomain());
    assertEquals("3001", err.zoomCode().orElseThrow());
    assertEquals("400", err.httpStatus().orElseThrow());
    assertFalse(err.trackingId().orElseThrow().isEmpty());
    assertEquals(UNKNOWN_WEBINAR, err.resourceInfo().orElseThrow().getResourceName());
  }

  @Test
  void thePackageCarriesItsRetryPolicy() {
    Map<?, ?> methodConfig =
        (Map<?, ?>) ((List<?>) Channels.defaultServiceConfig().get("methodConfig")).get(0);
    Map<?, ?> retry = (Map<?, ?>) methodConfig.get("retryPolicy");
    assertEquals(List.of("UNAVAILABLE"), retry.get("retryableStatusCodes"));
  }

  @Test
  void theJarCarriesTheLicence() throws IOException, URISyntaxException {
    Path jar = Path.of(Channels.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(jar.getFileName().toString().endsWith(".jar"), jar.toString());
    try (JarFile file = new JarFile(jar.toFile())) {
      ZipEntry licence = file.getEntry("META-INF/LICENSE");
      assertNotNull(licence, "no META-INF/LICENSE in " + jar);
      try (InputStream in = file.getInputStream(licence)) {
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(text.contains("Apache License") && text.contains("Version 2.0"), jar.toString());
      }
    }
  }
}
