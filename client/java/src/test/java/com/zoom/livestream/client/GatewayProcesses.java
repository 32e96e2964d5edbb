package com.zoom.livestream.client;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real zoom_emulator and livestream_server on loopback port 0, started by the repository's
 * launcher scripts/stack.py.
 *
 * <p>Binaries come from LIVESTREAM_SERVER_BIN and ZOOM_EMULATOR_BIN; a relative path (and the
 * defaults build/server/livestream_server, build/tests/zoom_emulator/zoom_emulator) is taken from
 * the repository root. The launcher stops both when its stdin closes, which also happens when the
 * JVM dies, so no shutdown hook is needed.
 */
final class GatewayProcesses implements AutoCloseable {
  private final Process launcher;
  private final Path stderr;
  private String serverTarget;

  private GatewayProcesses(Process launcher, Path stderr) {
    this.launcher = launcher;
    this.stderr = stderr;
  }

  /** Starts the emulator, then the server pointed at it; both are listening on return. */
  static GatewayProcesses start(Path workDir) throws IOException, InterruptedException {
    Path root = repoRoot();
    Path stderr = workDir.resolve("stack.stderr");
    ProcessBuilder pb =
        new ProcessBuilder(root.resolve("scripts/stack.py").toString())
            .directory(root.toFile())
            .redirectError(stderr.toFile());
    GatewayProcesses p = new GatewayProcesses(pb.start(), stderr);
    try {
      p.readPorts();
    } catch (IOException | RuntimeException | AssertionError e) {
      p.close();
      throw e;
    }
    return p;
  }

  String serverTarget() {
    return serverTarget;
  }

  /** Reads the launcher's JSON line; it bounds the start-up itself and exits if it fails. */
  private void readPorts() throws IOException, InterruptedException {
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(launcher.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null) {
      launcher.waitFor();
      throw new AssertionError(
          "scripts/stack.py exited with " + launcher.exitValue() + ": " + launcherStderr());
    }
    try {
      serverTarget = new Gson().fromJson(line, JsonObject.class).get("gateway").getAsString();
    } catch (JsonParseException | NullPointerException | IllegalStateException e) {
      throw new AssertionError("scripts/stack.py printed " + line + ": " + e, e);
    }
  }

  private static Path repoRoot() {
    String root = System.getenv("LIVESTREAM_REPO_ROOT");
    // Surefire runs in client/java; the pom passes the root explicitly as well.
    return Path.of(root == null || root.isEmpty() ? "../.." : root).toAbsolutePath().normalize();
  }

  private String launcherStderr() {
    try {
      return Files.readString(stderr, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "stderr unreadable: " + e.getMessage();
    }
  }

  /** Closes the launcher's stdin and waits while it stops the processes (it bounds that). */
  @Override
  public void close() throws InterruptedException {
    try {
      launcher.getOutputStream().close();
    } catch (IOException e) {
      // Already closed: the launcher has exited.
    }
    launcher.waitFor();
  }
}
