package io.thetahost.sshd.command;

import io.thetahost.hooks.access.AccessDecision;
import io.thetahost.hooks.access.Caller;
import io.thetahost.hooks.access.Permission;
import io.thetahost.hooks.naming.RepositoryName;
import io.thetahost.hooks.transport.ActiveRequests;
import io.thetahost.hooks.transport.Failures;
import io.thetahost.hooks.transport.GitService;
import io.thetahost.hooks.transport.ProtocolParameters;
import io.thetahost.hooks.transport.RequestRecorder;
import io.thetahost.hooks.transport.RequestRefusedException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jgit.lib.Repository;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code git-upload-pack} or {@code git-receive-pack} exec request. The work runs on the daemon's git executor,
 * never on an SSH I/O thread, and every request ends with one request-log line.
 */
final class GitCommand implements Command {
    private static final Logger LOG = LoggerFactory.getLogger(GitCommand.class);
    /** Exit status git sees when the server refuses the request. */
    private static final int REFUSED = 1;

    private final String commandLine;
    private final SshGitContext context;
    private InputStream in;
    private OutputStream out;
    private OutputStream err;
    private ExitCallback exit;
    private Future<?> task;
    private volatile ActiveRequests.Ticket ticket;
    /** Set by whichever comes first: the task starting, or the channel's destruction before it started. */
    private final AtomicBoolean begun = new AtomicBoolean();

    GitCommand(String commandLine, SshGitContext context) {
        this.commandLine = commandLine;
        this.context = context;
    }

    @Override
    public void setInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public void setOutputStream(OutputStream out) {
        this.out = out;
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
    public void start(ChannelSession channel, Environment env) {
        String user = channel.getSession().getUsername();
        ProtocolParameters parameters = ProtocolParameters.parse(env.getEnv().get("GIT_PROTOCOL"));
        // In flight from the moment the command arrived, not from when a worker takes it up: a shutdown in between
        // lets it finish rather than refusing it.
        ticket = context.active().begin();
        try {
            task = context.executor().submit(() -> run(Caller.user(user), parameters));
        } catch (RuntimeException e) {
            closeTicket();
            throw e;
        }
    }

    @Override
    public void destroy(ChannelSession channel) {
        if (task != null) {
            task.cancel(true);
        }
        if (begun.compareAndSet(false, true)) {
            // Cancelled before it started: the task never runs to close its ticket.
            closeTicket();
        }
    }

    private void closeTicket() {
        if (ticket != null) {
            ticket.close();
        }
    }

    private void run(Caller caller, ProtocolParameters parameters) {
        if (!begun.compareAndSet(false, true)) {
            return;
        }
        RequestRecorder record = new RequestRecorder(context.log(), "ssh").user(caller.toString());
        int status = REFUSED;
        try {
            if (ticket == null) {
                refuse(record, "unavailable", "the server is shutting down; try again shortly");
                return;
            }
            status = serve(caller, parameters, record);
        } catch (Exception e) {
            Failures.log(LOG, "ssh request '" + commandLine + "' of " + caller, e);
            record.finish("error", String.valueOf(Failures.cause(e).getMessage()));
        } finally {
            // The exit status goes out before the request counts as done, so a draining daemon does not close the
            // session under it.
            exit.onExit(status);
            closeTicket();
        }
    }

    private int serve(Caller caller, ProtocolParameters parameters, RequestRecorder record) throws IOException {
        GitCommandLine command;
        RepositoryName name;
        try {
            command = GitCommandLine.parse(commandLine);
            name = RepositoryName.fromRequestPath(command.path());
        } catch (IllegalArgumentException e) {
            refuse(record, "bad-request", e.getMessage());
            return REFUSED;
        }
        GitService service = command.service();
        record.repository(name.toString()).service(service, parameters.effectiveVersion(service));
        Permission held = context.registry().permission(caller, name);
        AccessDecision decision = AccessDecision.decide(held, service.needs());
        if (decision != AccessDecision.ALLOWED) {
            refuse(record, decision == AccessDecision.HIDDEN ? "not-found" : "forbidden",
                    decision.message(caller, name));
            return REFUSED;
        }
        try (Repository repository = context.registry().open(name)) {
            InputStream input = record.countIn(new BufferedInputStream(in, 64 * 1024));
            OutputStream output = record.countOut(out);
            switch (service) {
                case UPLOAD_PACK -> context.services().upload(repository, parameters, true, input, output, err);
                case RECEIVE_PACK -> context.services().receive(repository, name, caller, true, input, output, err);
                case THETA_TRANSFER -> {
                    try {
                        context.transfers().serve(input, output, name, caller, held);
                    } catch (RequestRefusedException e) {
                        refuse(record, "forbidden", e.getMessage());
                        return REFUSED;
                    }
                    output.flush();
                }
                default -> throw new IllegalStateException("no handler for " + service);
            }
            err.flush();
        }
        record.finish("ok", "");
        return 0;
    }

    private void refuse(RequestRecorder record, String result, String message) {
        try {
            err.write(("ERROR: " + message + "\n").getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            LOG.debug("could not tell the client why its request was refused", e);
        }
        record.finish(result, message);
    }
}
