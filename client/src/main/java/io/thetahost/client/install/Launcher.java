package io.thetahost.client.install;

/** How git should call theta back: the launcher this process was started by, quoted for a shell. */
final class Launcher {
    private Launcher() {
    }

    static String command() {
        String launcher = System.getenv("THETA_LAUNCHER");
        if (launcher == null || launcher.isBlank()) {
            return "theta";
        }
        return "'" + launcher.replace("'", "'\\''") + "'";
    }
}
