package io.thetahost.server.admin;

import java.io.IOException;
import java.io.PrintWriter;

/** A maintenance task that runs against the tensor store: its report goes to {@code out}, line by line. */
public interface AdminTask {

    /** @return the exit status the command reports: 0 when all is well */
    int run(String[] args, PrintWriter out) throws IOException;
}
