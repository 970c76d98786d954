package io.thetahost.client.transfer;

import java.io.PrintStream;

/** Where a long operation reports how far it is, like git's own progress on stderr. */
public interface Progress {

    /** The current state, replacing the previous one. */
    void update(String line);

    /** The final state of one step; the next update starts a new line. */
    void done(String line);

    Progress NONE = new Progress() {
        @Override
        public void update(String line) {
        }

        @Override
        public void done(String line) {
        }
    };

    /** git-style: updates overwrite one line of the stream ({@code \r}), done lines stay. */
    static Progress on(PrintStream err) {
        return new Progress() {
            @Override
            public void update(String line) {
                err.print("\r" + line);
                err.flush();
            }

            @Override
            public void done(String line) {
                err.print("\r" + line + "\n");
                err.flush();
            }
        };
    }
}
