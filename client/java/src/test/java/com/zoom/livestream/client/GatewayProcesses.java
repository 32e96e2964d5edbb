package com.zoom.livestream.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The real zoom_emulator and livestream_server, started as subprocesses on loopback port 0.
 *
 * <p>Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN; a relative path (and the
 * defaults build/server/livestream_server, build/tests/zoom_emulator/zoom_emulator) is taken from
 * the repository root.
 */
final class GatewayProcesses implements AutoCloseable {
  /** The token the emulator accepts; a test credential, not a secret. */
  private static final String EMULATOR_TOKEN = "emulator-token";

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern PORT = Pattern.compile("\\d{1,5}");

  private final Path workDir;
  private final List<Process> processes = new ArrayList<>();
  private final Thread shutdownHook = new Thread(this::destroyAll, "gateway-processes-cleanup");
  private int emulatorPort;
  private int serverPort;

  private GatewayProcesses(Path workDir) {
    this.workDir = workDir;
  }

  /** Starts the emulator, then the server pointed at it; both are listening on return. */
  static GatewayProcesses start(Path workDir) throws IOException, InterruptedException {
    GatewayProcesses p = new GatewayProcesses(workDir);
    // A JVM killed mid-test must not leave servers behind.
    Runtime.getRuntime().addShutdownHook(p.shutdownHook);
    try {
      p.startAll();
    } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
    return p;
  }

  String serverTarget() {
    return "127.0.0.1:" + serverPort;
  }

  private void startAll() throws IOException, InterruptedException {
    Path emulatorPortFile = workDir.resolve("emulator.port");
    Process emulator =
        launch(
            new ProcessBuilder(
                binary("ZOOM_EMULATOR_BIN", "build/tests/zoom_emulator/zoom_emulator").toString(),
                "--listen=127.0.0.1:0",
                "--port_file=" + emulatorPortFile,
                "--quiet"),
            "zoom_emulator");
    emulatorPort = waitForPort(emulator, emulatorPortFile, "zoom_emulator");

    Path serverPortFile = workDir.resolve("server.port");
    ProcessBuilder server =
        new ProcessBuilder(
            binary("LIVESTREAM_SERVER_BIN", "build/server/livestream_server").toString(),
            "--listen=127.0.0.1:0",
            "--port_file=" + serverPortFile,
            "--zoom_api_base_url=http://127.0.0.1:" + emulatorPort + "/v2");
    server.environment().put("ZOOM_ACCESS_TOKEN", EMULATOR_TOKEN);
    serverPort =
        waitForPort(launch(server, "livestream_server"), serverPortFile, "livestream_server");
  }

  private static Path binary(String envVar, String defaultRelative) {
    String configured = System.getenv(envVar);
    Path path = Path.of(configured == null || configured.isEmpty() ? defaultRelative : configured);
    if (!path.isAbsolute()) {
      path = repoRoot().resolve(path);
    }
    path = path.normalize();
    if (!Files.isExecutable(path)) {
      throw new AssertionError(
          envVar + ": no executable at " + path + " (build it, or set " + envVar + ")");
    }
    return path;
  }

  private static Path repoRoot() {
    String root = System.getenv("LIVESTREAM_REPO_ROOT");
    // Surefire runs in client/java; the pom passes the root explicitly as well.
    return Path.of(root == null || root.isEmpty() ? "../.." : root).toAbsolutePath().normalize();
  }

  private synchronized Process launch(ProcessBuilder pb, String name) throws IOException {
    pb.redirectOutput(workDir.resolve(name + ".stdout").toFile());
    pb.redirectError(workDir.resolve(name + ".stderr").toFile());
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /**
   * Polls the port file until it holds a whole port number. Bounded, and fails at once if the
   * process dies: a crash must not look like a slow start.
   */
  private int waitForPort(Process process, Path portFile, String name)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(STARTUP_TIMEOUT);
    String previous = null;
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new AssertionError(
            name + " exited with " + process.exitValue() + " before listening; " + logs(name));
      }
      String content = readIfExists(portFile);
      if (content != null) {
        String trimmed = content.trim();
        // A port file may be seen half-written; accept a value that ends in a newline or that
        // two consecutive reads agree on.
        if (PORT.matcher(trimmed).matches()
            && (content.endsWith("\n") || trimmed.equals(previous))) {
          int port = Integer.parseInt(trimmed);
          if (port > 0 && port <= 65535) {
            return port;
          }
        }
        previous = trimmed;
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new AssertionError(
        name + " wrote no port to " + portFile + " within " + STARTUP_TIMEOUT + "; " + logs(name));
  }

  private static String readIfExists(Path file) throws IOException {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** The tail of a process's stderr, for failure messages. */
  String logs(String name) {
    try {
      String err = readIfExists(workDir.resolve(name + ".stderr"));
      if (err == null) {
        return "no stderr";
      }
      return "stderr tail: " + err.substring(Math.max(0, err.length() - 2000));
    } catch (IOException e) {
      return "stderr unreadable: " + e.getMessage();
    }
  }

  private synchronized void destroyAll() {
    // Server first: it holds connections to the emulator.
    for (int i = processes.size() - 1; i >= 0; i--) {
      Process p = processes.get(i);
      p.destroy();
      try {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          p.waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    processes.clear();
  }

  @Override
  public void close() {
    destroyAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down and the hook is running or has run.
    }
  }
}
