package io.thetahost.sshd.command;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.shell.ShellFactory;

/** What a person gets who runs plain {@code ssh} against the host: a greeting, no shell, exit status 1. */
public final class NoShell implements ShellFactory {

    @Override
    public Command createShell(ChannelSession channel) {
        return new Command() {
            private OutputStream err;
            private ExitCallback exit;

            @Override
            public void setInputStream(InputStream in) {
            }

            @Override
            public void setOutputStream(OutputStream out) {
            }

            @Override
            public void setErrorStream(OutputStream err) {
                this.err = err;
            }

            @Override
            public void setExitCallback(ExitCallback callback) {
                this.exit = callback;
            }

            @Override
            public void start(ChannelSession channel, Environment env) throws IOException {
                String user = channel.getSession().getUsername();
                err.write(("Hi " + user + "! You have authenticated, but thetahost does not provide shell access."
                        + " Use git with ssh://" + user + "@HOST:PORT/OWNER/NAME.git\r\n")
                        .getBytes(StandardCharsets.UTF_8));
                err.flush();
                exit.onExit(1);
            }

            @Override
            public void destroy(ChannelSession channel) {
            }
        };
    }
}
