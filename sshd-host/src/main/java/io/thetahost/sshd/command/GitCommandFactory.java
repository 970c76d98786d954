package io.thetahost.sshd.command;

import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;

/** Turns every exec request into a {@link GitCommand}; it refuses anything that is not git's. */
public final class GitCommandFactory implements CommandFactory {
    private final SshGitContext context;

    public GitCommandFactory(SshGitContext context) {
        this.context = context;
    }

    @Override
    public Command createCommand(ChannelSession channel, String command) {
        return new GitCommand(command, context);
    }
}
