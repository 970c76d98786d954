package io.thetahost.client.filter;

import io.thetahost.client.install.HookInstaller;
import io.thetahost.client.progress.Progress;
import io.thetahost.client.repository.ThetaRepository;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code theta filter-process}: the long-running clean and smudge filter git starts once per command
 * ({@code filter.theta.process}), speaking git's protocol version 2 on stdin and stdout. Each file is answered in
 * turn; the tensor store is opened for each file and closed after it, so that merge and diff drivers git runs in
 * between can open it (the first file's is opened ahead, while git's request is read: {@link StoreOpening}).
 */
@Command(name = FilterProcess.NAME, hidden = true,
        description = "The clean/smudge filter git runs (filter.theta.process); not for people.")
public final class FilterProcess implements Callable<Integer> {
    /** The command's name, in git's configuration and on theta's command line. */
    public static final String NAME = "filter-process";

    @Override
    public Integer call() throws IOException {
        ThetaRepository repo = ThetaRepository.here();
        StoreOpening stores = StoreOpening.start(repo::openStore);
        new HookInstaller(repo).installIfMissing();
        // stdout as a channel of its own: System.out's PrintStream and buffers would copy every byte of a checkpoint.
        PacketChannel channel = new PacketChannel(new BufferedInputStream(System.in, 1 << 16),
                new FileOutputStream(FileDescriptor.out).getChannel());
        handshake(channel);
        Progress progress = Progress.on(System.err);
        Filters filters = new Filters(repo, stores, progress);
        for (List<String> request; (request = channel.readList()) != null; ) {
            Map<String, String> keys = keys(request);
            String command = keys.getOrDefault("command", "");
            String path = keys.getOrDefault("pathname", "");
            InputStream content = channel.content();
            Reply reply = new Reply(channel);
            try {
                switch (command) {
                    case "clean" -> filters.clean(path, content, reply);
                    // git names the commit being checked out (treeish) or its ref, when it knows them (git 2.27+).
                    case "smudge" -> filters.smudge(path, content, reply,
                            keys.getOrDefault("treeish", keys.getOrDefault("ref", "HEAD")));
                    default -> throw new IOException("unknown filter command '" + command + "'");
                }
            } catch (FilterChannelException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                System.err.println("theta: " + command + " " + path + ": " + e.getMessage());
                content.close();
                reply.fail();
            } finally {
                stores.fileDone();
            }
        }
        stores.fileDone();
        return 0;
    }

    private static void handshake(PacketChannel channel) throws IOException {
        List<String> hello = channel.readList();
        if (hello == null || hello.isEmpty() || !hello.get(0).equals("git-filter-client")
                || !hello.contains("version=2")) {
            throw new FilterChannelException("not git's filter protocol version 2: " + hello);
        }
        channel.writeList("git-filter-server", "version=2");
        List<String> capabilities = channel.readList();
        if (capabilities == null) {
            throw new FilterChannelException("git closed the channel during the handshake");
        }
        channel.writeList("capability=clean", "capability=smudge");
    }

    private static Map<String, String> keys(List<String> lines) {
        Map<String, String> keys = new HashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                keys.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return keys;
    }

    /** The channel itself broke: nothing more can be said to git. */
    static final class FilterChannelException extends IOException {
        FilterChannelException(String message) {
            super(message);
        }
    }
}
