package io.thetahost.server.cli;

import io.thetahost.server.registry.AdminException;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code thetahost token create NAME}: prints a new HTTP access token as the only line on stdout. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage HTTP access tokens.",
        subcommands = {TokenCommand.Create.class})
public final class TokenCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an access token for NAME (the password for git over HTTP). It is shown once.")
    static final class Create implements Callable<Integer> {
        @Mixin
        HostOptions data;

        @Parameters(paramLabel = "NAME", description = "The user name.")
        String name;

        @Override
        public Integer call() throws IOException, AdminException {
            String token = data.with(s -> s.users().createToken(name));
            System.out.println(token);
            return 0;
        }
    }
}
