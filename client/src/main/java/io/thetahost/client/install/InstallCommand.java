package io.thetahost.client.install;

import io.thetahost.client.filter.FilterProcess;
import io.thetahost.client.git.Git;
import io.thetahost.client.repository.ThetaRepository;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code theta install}: registers the filter process, the diff driver and the merge driver in git's configuration
 * (the user's, or with {@code --local} the repository's), and the pre-push hook in the repository it runs in.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = "Register theta's filter, diff and merge drivers with git, and its pre-push hook here.")
public final class InstallCommand implements Callable<Integer> {
    @Option(names = "--local", description = "Write this repository's configuration, not your global one.")
    boolean local;

    /** What git runs for each theta driver. */
    static Map<String, String> settings() {
        String theta = Launcher.command();
        Map<String, String> s = new LinkedHashMap<>();
        s.put("filter.theta.process", theta + " " + FilterProcess.NAME);
        s.put("filter.theta.required", "true");
        s.put("diff.theta.command", theta + " diff-driver");
        s.put("diff.theta.textconv", theta + " diff-textconv");
        s.put("merge.theta.name", "theta parameter-level merge of checkpoints");
        s.put("merge.theta.driver", theta + " merge-driver %O %A %B %P");
        return s;
    }

    @Override
    public Integer call() throws IOException {
        ThetaRepository repo = null;
        try {
            repo = ThetaRepository.here();
        } catch (IOException notInRepository) {
            if (local) {
                throw new IOException("--local needs a git repository: " + notInRepository.getMessage());
            }
        }
        Git git = repo == null ? Git.here() : repo.git();
        for (Map.Entry<String, String> e : settings().entrySet()) {
            List<String> args = new ArrayList<>(List.of("config", local ? "--local" : "--global", e.getKey(),
                    e.getValue()));
            Git.Result r = git.run(args, "");
            if (!r.ok()) {
                throw new IOException("git config " + e.getKey() + " failed: " + r.err().strip());
            }
        }
        System.out.println("theta: registered the filter, diff and merge drivers in your "
                + (local ? "repository's" : "global") + " git configuration");
        if (repo != null) {
            System.out.println("theta: " + new HookInstaller(repo).install());
        }
        return 0;
    }
}
