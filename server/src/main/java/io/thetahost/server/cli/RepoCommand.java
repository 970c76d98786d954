package io.thetahost.server.cli;

import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.InvalidNameException;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.receive.branches.BranchPattern;
import io.thetahost.hooks.receive.branches.BranchRule;
import io.thetahost.server.registry.AdminException;
import io.thetahost.server.registry.HostedRepositories;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code thetahost repo ...}: hosted repositories and who may use them. */
@Command(name = "repo", mixinStandardHelpOptions = true, description = "Manage repositories and access.",
        subcommands = {RepoCommand.Create.class, RepoCommand.Grant.class, RepoCommand.ListRepos.class,
            RepoCommand.Protect.class, RepoCommand.Unprotect.class, RepoCommand.Show.class})
public final class RepoCommand {

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
        HostOptions data;

        @Parameters(paramLabel = "OWNER/NAME", description = "The repository name.")
        String name;

        @Option(names = "--public", description = "Anyone, even without logging in, may read it.")
        boolean isPublic;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            data.change(s -> s.repositories().create(repo, isPublic));
            System.err.println("created " + (isPublic ? "public" : "private") + " repository " + repo);
            return 0;
        }
    }

    @Command(name = "grant", mixinStandardHelpOptions = true,
            description = "Give USER read, write or admin access to a repository (none takes it away).")
    static final class Grant implements Callable<Integer> {
        @Mixin
        HostOptions data;

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
            data.change(s -> s.repositories().grant(repo, user, p));
            System.err.println(user + " now has " + p.word() + " access to " + repo);
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List repositories: name, visibility and grants, one per line.")
    static final class ListRepos implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Override
        public Integer call() throws IOException, AdminException {
            for (HostedRepositories.Listing r : data.with(s -> s.repositories().list())) {
                String grants = r.grants().entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue().word())
                        .collect(Collectors.joining(","));
                System.out.println(r.name() + "\t" + (r.isPublic() ? "public" : "private")
                        + (grants.isEmpty() ? "" : "\t" + grants));
            }
            return 0;
        }
    }

    static BranchPattern pattern(String input) throws AdminException {
        try {
            return BranchPattern.parse(input);
        } catch (IllegalArgumentException e) {
            throw new AdminException(e.getMessage());
        }
    }

    @Command(name = "protect", mixinStandardHelpOptions = true,
            description = {"Protect branches matching PATTERN: no deletion, no force push, no parameter added or "
                    + "removed and no dtype or shape change; with --only-parameters, commits may change only "
                    + "matching parameters. Admins are held to it too. Again with the same PATTERN replaces the rule."})
    static final class Protect implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(index = "0", paramLabel = "OWNER/NAME")
        String name;

        @Parameters(index = "1", paramLabel = "PATTERN",
                description = "A branch name or glob: main, release/*, adapters/** (* stays within one level).")
        String pattern;

        @Option(names = "--only-parameters", paramLabel = "GLOB",
                description = "Commits may change only parameters matching one of these globs (as theta checkout "
                        + "--include takes them: * any run, ? one character), e.g. '*lora*'.")
        List<String> onlyParameters = new ArrayList<>();

        @Option(names = "--allow-shape-changes", description = "Allow adding or removing parameters and changing "
                + "their dtype or shape.")
        boolean allowShapeChanges;

        @Option(names = "--allow-force-push", description = "Allow non-fast-forward updates.")
        boolean allowForcePush;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            BranchRule rule;
            try {
                rule = new BranchRule(pattern(pattern), onlyParameters, allowShapeChanges, allowForcePush);
            } catch (IllegalArgumentException e) {
                throw new AdminException(e.getMessage());
            }
            data.change(s -> s.repositories().protect(repo, rule));
            System.err.println("protected " + repo + " " + rule.describe());
            return 0;
        }
    }

    @Command(name = "unprotect", mixinStandardHelpOptions = true,
            description = "Remove the branch rule with exactly this PATTERN.")
    static final class Unprotect implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(index = "0", paramLabel = "OWNER/NAME")
        String name;

        @Parameters(index = "1", paramLabel = "PATTERN")
        String pattern;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            BranchPattern p = pattern(pattern);
            if (!data.with(s -> s.repositories().unprotect(repo, p))) {
                throw new AdminException("no branch rule '" + pattern + "' in " + repo
                        + " (thetahost repo show " + repo + " lists them)");
            }
            System.err.println("removed the branch rule '" + pattern + "' from " + repo);
            return 0;
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true,
            description = "Show a repository: visibility, grants and branch rules.")
    static final class Show implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(index = "0", paramLabel = "OWNER/NAME")
        String name;

        @Override
        public Integer call() throws IOException, AdminException {
            RepositoryName repo = name(name);
            HostedRepositories.Details d = data.with(s -> s.repositories().show(repo));
            HostedRepositories.Listing r = d.listing();
            System.out.println("repository: " + r.name());
            System.out.println("visibility: " + (r.isPublic() ? "public" : "private"));
            System.out.println("owner: " + r.name().owner() + " (admin)");
            r.grants().forEach((user, p) -> System.out.println("grant: " + user + " " + p.word()));
            if (d.rules().isEmpty()) {
                System.out.println("branch rules: none");
            }
            d.rules().forEach(rule -> System.out.println("protect: " + rule.describe()));
            return 0;
        }
    }
}
