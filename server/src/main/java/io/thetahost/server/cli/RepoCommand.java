package io.thetahost.server.cli;

import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.DataDirectory;
import io.thetahost.server.registry.HostedRepositories;
import io.thetahost.server.registry.UserRegistry;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code thetahost repo ...}: hosted repositories and who may use them. */
@Command(name = "repo", mixinStandardHelpOptions = true, description = "Manage repositories and access.",
        subcommands = {RepoCommand.Create.class, RepoCommand.Grant.class, RepoCommand.ListRepos.class})
public final class RepoCommand {

    static HostedRepositories repositories(DataOption data) throws IOException {
        DataDirectory dir = data.open();
        return new HostedRepositories(dir, new UserRegistry(dir));
    }

    static RepositoryName name(String input) throws AdminException {
        try {
            return RepositoryName.parse(input);
        } catch (InvalidNameException e) {
            throw new AdminException(e.getMessage());
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create an empty repository.")
    static final class Create implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Parameters(paramLabel = "OWNER/NAME", description = "The repository name.")
        String name;

        @Option(names = "--public", description = "Anyone, even without logging in, may read it.")
        boolean isPublic;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            repositories(data).create(repo, isPublic);
            System.err.println("created " + (isPublic ? "public" : "private") + " repository " + repo);
            return 0;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = "Give USER read, write or admin access to a repository (none takes it away).")
    static final class Grant implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Parameters(index = "0", paramLabel = "OWNER/NAME")
        String name;

        @Parameters(index = "1", paramLabel = "USER")
        String user;

        @Parameters(index = "2", paramLabel = "PERMISSION", description = "read, write, admin or none")
        String permission;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            Permission p = Permission.parse(permission);
            repositories(data).grant(repo, user, p);
            System.err.println(user + " now has " + p.word() + " access to " + repo);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List repositories: name, visibility and grants, one per line.")
    static final class ListRepos implements Callable<Integer> {
        @Mixin
        DataOption data;

        @Override
        public Integer call() throws IOException {
            for (HostedRepositories.Listing r : repositories(data).list()) {
                String grants = r.grants().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().word())
                        .collect(Collectors.joining(","));
                System.out.println(r.name() + "\t" + (r.isPublic() ? "public" : "private")
                        + (grants.isEmpty() ? "" : "\t" + grants));
            }
            return 0;
        }
    }
}
