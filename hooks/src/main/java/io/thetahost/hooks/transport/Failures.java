package io.thetahost.hooks.transport;

import java.io.EOFException;
import org.eclipse.jgit.errors.PackProtocolException;
import org.eclipse.jgit.transport.UploadPackInternalServerErrorException;
import org.slf4j.Logger;

/** How a failed git request is logged: a client's mistake in one line, a server fault with its stack. */
public final class Failures {
    /** What a client is told when a write failed for lack of space, on every transport. */
    public static final String DISK_FULL = "the server is out of disk space; nothing was stored";

    private Failures() {
    }

    /** What really went wrong, under JGit's wrapper for errors it has already reported to the client. */
    public static Throwable cause(Throwable t) {
        return t instanceof UploadPackInternalServerErrorException && t.getCause() != null ? t.getCause() : t;
    }

    /**
     * A broken or abandoned request: bad pkt-lines, a request cut short, a client that went away. The client was told
     * where it could be; the log needs one line, not a stack.
     */
    public static boolean isClientsFault(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof PackProtocolException || c instanceof EOFException || c instanceof ClientGoneException) {
                return true;
            }
        }
        return false;
    }

    public static void log(Logger log, String what, Throwable t) {
        Throwable cause = cause(t);
        if (isClientsFault(cause)) {
            log.info("{}: {}", what, cause.toString());
        } else {
            log.warn("{} failed", what, cause);
        }
    }
}
