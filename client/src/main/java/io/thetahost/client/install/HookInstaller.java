package io.thetahost.client.install;

import io.thetahost.client.repository.ThetaRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Installs theta's pre-push hook in a repository, chaining a hook that was there before (it is kept as
 * {@code pre-push.before-theta} and run first, with the same arguments and input). The filter process installs it
 * too, so a fresh clone gets it on its first checkout, as git-lfs does.
 */
public final class HookInstaller {
    static final String MARKER = "# theta pre-push hook";
    static final String CHAINED = "pre-push.before-theta";

    private final ThetaRepository repo;

    public HookInstaller(ThetaRepository repo) {
        this.repo = repo;
    }

    /** The hook file, where git looks for it ({@code core.hooksPath} honoured). */
    Path hookFile() throws IOException {
        String path = repo.git().output("rev-parse", "--git-path", "hooks/pre-push").strip();
        Path p = Path.of(path);
        return p.isAbsolute() ? p : repo.workTree().resolve(p);
    }

    /** Installs or updates the hook; returns a line saying what was done. */
    public String install() throws IOException {
        Path hook = hookFile();
        Files.createDirectories(hook.getParent());
        String note = "installed the pre-push hook " + hook;
        if (Files.exists(hook) && !isOurs(hook)) {
            Path chained = hook.resolveSibling(CHAINED);
            if (Files.exists(chained)) {
                throw new IOException(hook + " is not theta's and " + chained + " exists already: move one away");
            }
            Files.move(hook, chained);
            note += " (the one there before runs first, as " + chained.getFileName() + ")";
        }
        Path tmp = hook.resolveSibling(".pre-push.theta-tmp");
        Files.writeString(tmp, script(), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.move(tmp, hook, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return note;
    }

    /** Installs the hook unless theta's is there already. */
    public void installIfMissing() throws IOException {
        Path hook = hookFile();
        if (!Files.exists(hook) || !isOurs(hook)) {
            install();
        }
    }

    private static boolean isOurs(Path hook) throws IOException {
        return Files.readString(hook, StandardCharsets.ISO_8859_1).contains(MARKER);
    }

    private static String script() {
        return "#!/bin/sh\n"
                + MARKER + " (theta install): uploads the tensors of the pushed checkpoints before git sends refs.\n"
                + "refs=$(mktemp) || exit 1\n"
                + "trap 'rm -f \"$refs\"' EXIT\n"
                + "cat > \"$refs\"\n"
                + "chained=\"$(dirname \"$0\")/" + CHAINED + "\"\n"
                + "if [ -x \"$chained\" ]; then\n"
                + "  \"$chained\" \"$@\" < \"$refs\" || exit $?\n"
                + "fi\n"
                + "exec " + Launcher.command() + " pre-push \"$@\" < \"$refs\"\n";
    }
}
