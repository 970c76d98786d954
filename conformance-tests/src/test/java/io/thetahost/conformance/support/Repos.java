package io.thetahost.conformance.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Small client- and server-side steps the tests share. */
public final class Repos {
    private Repos() {
    }

    /** Every transport with both protocol versions: the matrix most git tests run over. */
    public static Stream<Arguments> transportsAndProtocols() {
        return Stream.of(
                Arguments.of(Transport.SSH, 0),
                Arguments.of(Transport.SSH, 2),
                Arguments.of(Transport.HTTP, 0),
                Arguments.of(Transport.HTTP, 2));
    }

    /** A repository name unique to one test case. */
    public static String unique(String owner, String prefix, Transport transport, int protocol) {
        return owner + "/" + prefix + "-" + transport.name().toLowerCase() + "-v" + protocol;
    }

    /** Writes a file in a work tree and commits it; returns the new commit id. */
    public static String commitFile(GitUser user, Path work, String file, String content, String message) {
        try {
            Path f = work.resolve(file);
            Files.createDirectories(f.getParent());
            Files.writeString(f, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        user.git(work, "add", file).assertOk();
        user.git(work, "commit", "-q", "-m", message).assertOk();
        return head(user, work);
    }

    public static String head(GitUser user, Path work) {
        return user.git(work, "rev-parse", "HEAD").assertOk().out().strip();
    }

    /** The commit a ref points to in the server's repository, tags peeled; null if absent. */
    public static String serverRef(ThetahostServer server, String repo, String ref) {
        return server.ref(repo, ref);
    }

    /** Asserts the server's repository is whole ({@code git fsck}, or its equivalent for several fronts). */
    public static void assertServerIntact(ThetahostServer server, String repo) {
        server.assertIntact(repo);
    }

    /** Creates a repository on the server with one commit on main, pushed over SSH by its owner. */
    public static Path seeded(ThetahostServer server, GitUser owner, Path base, String repo, String... createFlags) {
        String[] args = new String[3 + createFlags.length];
        args[0] = "repo";
        args[1] = "create";
        args[2] = repo;
        System.arraycopy(createFlags, 0, args, 3, createFlags.length);
        server.admin(args).assertOk();
        try {
            Path work = Files.createTempDirectory(base, "seed-");
            owner.git(work, "init", "-q", "-b", "main").assertOk();
            commitFile(owner, work, "README.md", "# " + repo + "\n", "initial commit");
            owner.git(work, "push", "-q", owner.url(Transport.SSH, repo), "main").assertOk();
            return work;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Stream<Path> walk(Path p) {
        try {
            return Files.walk(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
